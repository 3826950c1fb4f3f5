/**
 * The inference engine of the worker: the backend (chosen, and replaced when its device is lost),
 * the current model (a singleton: files from `packs.ts`, built and warmed up by the one loader,
 * src/lib/loader.ts, and swapped in after its warm-up) and the
 * photo-path inference (content, reference, batched generation). Images come from an `ImageStore`,
 * content codes are kept in a `ContentCache` keyed by (model, image, crop, direction); the camera
 * stages (camera-stages.ts) run on `currentModel()`. worker.ts wires them together.
 *
 * Tensors never escape this module: every result is read back to plain arrays, and everything
 * else is created in tf.tidy or disposed explicitly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attributeSigma } from '../drit/attribute-encoder';
import { sourceDomain, targetDomain, type DritModel } from '../drit/model';
import { DritError } from '../errors';
import { openModel, warmUp } from '../lib/loader';
import { currentGpuDevice, dropBackend, selectBackend, backendLabel } from './backend';
import { loadPack, type LoadedPack } from './packs';
import { framesFromOutput, prepareInput } from './crop-input';
import type { ContentCache, ContentKey } from './content-cache';
import type { ImageStore } from './image-store';
import { callCounters, countGenerate } from './test-hooks';
import {
  WorkerError,
  codedError,
  type WorkerErrorCode,
  type BackendName,
  type BackendStatus,
  type ContentRequest,
  type ContentResult,
  type GenerateRequest,
  type GenerateResult,
  type LoadProgress,
  type MemoryInfo,
  type ModelInfo,
  type ModelSpec,
  type ReferenceRequest,
  type ReferenceResult,
  type RgbaFrame,
  type WorkerEvent,
} from './protocol';

/** A content code and the exact model input it was encoded from. */
export interface ContentEntry {
  code: tf.Tensor4D;
  input: RgbaFrame;
}

/** Disposes a cached content code (the `ContentCache`'s disposer). */
export function disposeContent(e: ContentEntry): void {
  e.code.dispose();
}

export function checkZ(z: readonly number[], nz: number): void {
  if (z.length !== nz || !z.every(Number.isFinite)) throw codedError('INTERNAL', `each z needs ${nz} finite numbers`);
}

function copyFrame(f: RgbaFrame): RgbaFrame {
  return { width: f.width, height: f.height, data: f.data.slice() };
}

export class Engine {
  private backend: BackendStatus | null = null;
  private requested: BackendName | undefined;
  private readonly brokenBackends: BackendName[] = [];
  private onEvent: (e: WorkerEvent) => void = () => {};
  private model: DritModel | null = null;
  private pack: LoadedPack | null = null;
  /** Bumped by every model swap or rebuild: content codes of an older generation are never used. */
  private generation = 0;
  /** Resolves when a device-loss recovery has finished. */
  private recovering: Promise<void> | null = null;
  private disposingDevice = false;

  constructor(
    private readonly images: ImageStore,
    private readonly contents: ContentCache<ContentEntry>,
  ) {}

  async init(opts: { backend?: BackendName }, onEvent: (e: WorkerEvent) => void): Promise<BackendStatus> {
    this.onEvent = onEvent;
    this.requested = opts.backend;
    this.backend = await selectBackend(opts.backend, this.brokenBackends);
    this.watchDevice();
    return this.backend;
  }

  private watchDevice(): void {
    const device = currentGpuDevice();
    if (!device) return;
    void device.lost.then((info) => {
      if (this.disposingDevice || this.backend?.name !== 'webgpu') return;
      const reason = `the WebGPU device was lost (${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''})`;
      this.recovering = this.recover(reason).finally(() => {
        this.recovering = null;
      });
    });
  }

  /** Device lost: move to the next backend, rebuild the model from the kept weights, warm up. */
  private async recover(reason: string): Promise<void> {
    const lost = this.backend?.name ?? 'webgpu';
    this.brokenBackends.push(lost);
    this.contents.clear();
    const model = this.model;
    this.model = null;
    try {
      model?.dispose();
    } catch {
      // buffers of a lost device may refuse to be released; they are gone anyway
    }
    this.disposingDevice = true;
    try {
      dropBackend(lost);
    } finally {
      this.disposingDevice = false;
    }
    const status = await selectBackend(this.requested, this.brokenBackends);
    status.fallbackReason = [`${backendLabel(lost)}: ${reason}`, status.fallbackReason].filter(Boolean).join('; ');
    status.reason = [`${backendLabel(lost)}: ${reason}`, status.reason].filter(Boolean).join('; ');
    this.backend = status;
    this.watchDevice();
    if (this.pack) {
      this.model = (await openModel(this.pack, { warmUp: false })).model;
      this.generation++;
      await warmUp(this.model);
    }
    this.onEvent({
      type: 'backend',
      status,
      notice: `${backendLabel(lost)} stopped working (${reason}); the model was re-created on ${backendLabel(status.name)}.`,
    });
  }

  private async ready(): Promise<void> {
    if (this.recovering) await this.recovering;
  }

  private requireModel(): DritModel {
    if (!this.model) throw codedError('NO_MODEL', 'No model is loaded yet.');
    return this.model;
  }

  /** The current model once any device-loss recovery has finished (NO_MODEL before the first load). */
  async currentModel(): Promise<DritModel> {
    await this.ready();
    return this.requireModel();
  }

  // ---------------------------------------------------------------- models

  async loadModel(spec: ModelSpec, onProgress: (p: LoadProgress) => void): Promise<ModelInfo> {
    await this.ready();
    const t0 = performance.now();
    const pack = await loadPack(spec, onProgress);
    const packMs = performance.now() - t0;
    let opened;
    try {
      opened = await openModel(pack, { name: spec.name, onStage: (stage) => stage !== 'verify' && onProgress({ stage }) });
    } catch (e) {
      // the loader's codes (PACK_INVALID, BACKEND) are worker codes too
      throw e instanceof DritError && !(e instanceof WorkerError) ? codedError(e.code as WorkerErrorCode, e.message, e.cause) : e;
    }
    const { model, buildMs, warmupMs } = opened;
    // Swap in the new model only now: the old one served requests until here.
    this.contents.clear();
    this.model?.dispose();
    this.model = model;
    this.pack = pack;
    this.generation++;
    onProgress({ stage: 'ready' });
    const m = pack.manifest;
    return {
      id: spec.id,
      name: spec.name,
      domains: { ...m.domains },
      channels: { ...m.channels },
      nz: m.nz,
      concat: m.variant.concat,
      preprocess: m.preprocess,
      bytes: pack.bytes,
      fromCache: pack.fromCache,
      ...(pack.storageNotice ? { storageNotice: pack.storageNotice } : {}),
      packMs,
      buildMs,
      warmupMs,
      ...(m.attributeStats ? { attributeStats: structuredClone(m.attributeStats) } : {}),
    };
  }

  // ---------------------------------------------------------------- content codes

  private async content(req: ContentRequest): Promise<{ entry: ContentEntry; encodeMs: number; cached: boolean }> {
    const model = this.requireModel();
    const img = this.images.get(req.imageId);
    const key: ContentKey = { model: this.generation, image: req.imageId, crop: req.crop, direction: req.direction };
    const hit = this.contents.lookup(key);
    if (hit) return { entry: await hit, encodeMs: 0, cached: true };
    const t0 = performance.now();
    const promise = (async (): Promise<ContentEntry> => {
      const m = model.manifest;
      const domain = sourceDomain(req.direction);
      const prep = prepareInput(img, req.crop, m.preprocess, m.channels[domain]);
      const code = tf.tidy(() => {
        const x = tf.tensor4d(prep.input.data, [1, prep.input.height, prep.input.width, prep.input.channels]);
        return model.encodeContent(x, domain);
      });
      // Make sure the encoder really ran (and its time is measured) before we report.
      await code.data();
      return { code, input: prep.preview };
    })();
    this.contents.insert(key, promise);
    const entry = await promise;
    return { entry, encodeMs: performance.now() - t0, cached: false };
  }

  async encodeContent(req: ContentRequest): Promise<ContentResult> {
    await this.ready();
    const { entry, encodeMs, cached } = await this.content(req);
    return { input: copyFrame(entry.input), encodeMs, cached };
  }

  // ---------------------------------------------------------------- attributes and generation

  async encodeReference(req: ReferenceRequest): Promise<ReferenceResult> {
    await this.ready();
    const model = this.requireModel();
    const img = this.images.get(req.imageId);
    const m = model.manifest;
    const domain = targetDomain(req.direction);
    const prep = prepareInput(img, null, m.preprocess, m.channels[domain]);
    const t0 = performance.now();
    const code = tf.tidy(() => {
      const x = tf.tensor4d(prep.input.data, [1, prep.input.height, prep.input.width, prep.input.channels]);
      const a = model.encodeAttribute(x, domain);
      const sigma = attributeSigma(a);
      return sigma ? [a.mu, sigma] : [a.mu];
    });
    try {
      const [mu, sigma] = await Promise.all(code.map((t) => t.data()));
      const out: ReferenceResult = { mu: Array.from(mu!), input: prep.preview, encodeMs: performance.now() - t0 };
      if (sigma) out.sigma = Array.from(sigma);
      return out;
    } finally {
      tf.dispose(code);
    }
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    await this.ready();
    const model = this.requireModel();
    const nz = model.manifest.nz;
    if (req.z.length === 0) throw codedError('INTERNAL', 'generate: no attribute vectors');
    for (const z of req.z) checkZ(z, nz);
    let { entry, encodeMs } = await this.content(req);
    // A concurrent request may have evicted (and disposed) this code in the meantime.
    if (entry.code.isDisposed) ({ entry, encodeMs } = await this.content(req));
    const t0 = performance.now();
    const domain = targetDomain(req.direction);
    if (import.meta.env.MODE !== 'production') countGenerate(req.z.length);
    const out = tf.tidy(() => {
      const z = tf.tensor2d(req.z, [req.z.length, nz], 'float32');
      return model.generate(entry.code, z, domain);
    });
    try {
      const data = (await out.data()) as Float32Array;
      const [n, h, w, c] = out.shape;
      const frames = framesFromOutput(data, n, h, w, c);
      return { frames, encodeMs, generateMs: performance.now() - t0 };
    } finally {
      out.dispose();
    }
  }

  // ---------------------------------------------------------------- housekeeping

  memory(): MemoryInfo {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, ...(import.meta.env.MODE !== 'production' ? { ...callCounters } : {}) };
  }
}
