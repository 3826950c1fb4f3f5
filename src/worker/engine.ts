/**
 * The inference side of the app, living in the worker: one backend, one current model (a
 * singleton loaded through `packs.ts`), decoded images, and a small cache of content codes keyed
 * by (model, image, crop, direction) so that changing z only re-runs the generator.
 *
 * Tensors never escape this module: every result is read back to plain arrays, and everything
 * else is created in tf.tidy or disposed explicitly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attributeSigma } from '../drit/attribute-encoder';
import { createDritModel, sourceDomain, targetDomain, type DritModel } from '../drit/model';
import type { RgbImage } from '../image/types';
import { convertCheckpoint } from '../convert';
import { currentGpuDevice, dropBackend, selectBackend, backendLabel } from './backend';
import { decodeImageBytes } from './decode';
import { deleteLocalPack, listLocalPacks, loadPack, storeLocalPack, type LoadedPack } from './packs';
import { framesFromOutput, prepareInput } from './crop-input';
import { rgbFromBitmap } from './camera-frame';
import {
  codedError,
  type BackendName,
  type BackendStatus,
  type ContentRequest,
  type ContentResult,
  type ConvertOptions,
  type ConvertProgress,
  type CropBox,
  type DecodedImage,
  type Direction,
  type FrameEncodeRequest,
  type FrameEncodeResult,
  type FrameRequest,
  type FrameResult,
  type PaintRequest,
  type PaintResult,
  type GenerateRequest,
  type GenerateResult,
  type LoadProgress,
  type LocalModelEntry,
  type MemoryInfo,
  type ModelInfo,
  type ModelSpec,
  type ReferenceRequest,
  type ReferenceResult,
  type RgbaFrame,
  type WorkerEvent,
} from './protocol';

const MAX_IMAGES = 6;
const MAX_CONTENT_CODES = 4;

interface ContentEntry {
  code: tf.Tensor4D;
  input: RgbaFrame;
}

function cropKey(c: CropBox | null): string {
  return c ? `${Math.round(c.x)},${Math.round(c.y)},${Math.round(c.size)}` : 'model';
}

function checkZ(z: readonly number[], nz: number): void {
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
  private spec: ModelSpec | null = null;
  private generation = 0;
  private readonly images = new Map<string, RgbImage>();
  private imageSeq = 0;
  private readonly contents = new Map<string, Promise<ContentEntry>>();
  /** Resolves when a device-loss recovery has finished. */
  private recovering: Promise<void> | null = null;
  private disposingDevice = false;
  private generateCalls = 0;
  private lastBatch = 0;

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
    this.clearContents();
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
      this.model = createDritModel(this.pack.manifest, this.pack.weights);
      this.generation++;
      await this.warmUp(this.model);
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

  private requireImage(id: string): RgbImage {
    const img = this.images.get(id);
    if (!img) throw codedError('UNKNOWN_IMAGE', 'That image is no longer available; please drop it again.');
    return img;
  }

  // ---------------------------------------------------------------- models

  async loadModel(spec: ModelSpec, onProgress: (p: LoadProgress) => void): Promise<ModelInfo> {
    await this.ready();
    const t0 = performance.now();
    const pack = await loadPack(spec, onProgress);
    const packMs = performance.now() - t0;
    onProgress({ stage: 'build' });
    const t1 = performance.now();
    let model: DritModel;
    try {
      model = createDritModel(pack.manifest, pack.weights);
    } catch (e) {
      throw codedError('PACK_INVALID', `Model “${spec.name}” does not fit the DRIT networks: ${(e as Error).message}`, e);
    }
    const buildMs = performance.now() - t1;
    onProgress({ stage: 'warmup' });
    let warmupMs: number;
    try {
      warmupMs = await this.warmUp(model);
    } catch (e) {
      model.dispose();
      throw codedError('BACKEND', `The warm-up pass failed on ${this.backend?.name ?? 'this backend'}: ${(e as Error).message}`, e);
    }
    // Swap in the new model only now: the old one served requests until here.
    this.clearContents();
    this.model?.dispose();
    this.model = model;
    this.pack = pack;
    this.spec = spec;
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
      packMs,
      buildMs,
      warmupMs,
      ...(m.attributeStats ? { attributeStats: structuredClone(m.attributeStats) } : {}),
    };
  }

  /** Runs every network once on a dummy input so that shaders compile before the first request. */
  private async warmUp(model: DritModel): Promise<number> {
    const t0 = performance.now();
    const m = model.manifest;
    const size = m.preprocess.crop;
    const outs = tf.tidy(() => {
      const xa = tf.zeros([1, size, size, m.channels.a]) as tf.Tensor4D;
      const xb = tf.zeros([1, size, size, m.channels.b]) as tf.Tensor4D;
      const content = model.encodeContent(xa, 'a');
      const img = model.generate(content, tf.zeros([1, m.nz]) as tf.Tensor2D, 'b');
      const attr = model.encodeAttribute(xb, 'b');
      return [img, attr.mu, ...(attr.logvar ? [attr.logvar] : [])];
    });
    try {
      await Promise.all(outs.map((t) => t.data()));
    } finally {
      tf.dispose(outs);
    }
    return performance.now() - t0;
  }

  // ---------------------------------------------------------------- images

  async decodeImage(bytes: ArrayBuffer, name: string): Promise<DecodedImage> {
    const r = await decodeImageBytes(bytes, name);
    const id = `img${++this.imageSeq}`;
    this.images.set(id, r.image);
    while (this.images.size > MAX_IMAGES) {
      const oldest = this.images.keys().next().value;
      if (oldest === undefined) break;
      this.images.delete(oldest);
    }
    return { id, width: r.image.width, height: r.image.height, originalWidth: r.originalWidth, originalHeight: r.originalHeight, downscaled: r.downscaled };
  }

  releaseImage(id: string): void {
    this.images.delete(id);
    for (const key of [...this.contents.keys()]) {
      if (key.split('|')[1] === id) this.dropContent(key);
    }
  }

  // ---------------------------------------------------------------- content cache

  private dropContent(key: string): void {
    const p = this.contents.get(key);
    this.contents.delete(key);
    void p?.then((e) => e.code.dispose(), () => {});
  }

  private clearContents(): void {
    for (const key of [...this.contents.keys()]) this.dropContent(key);
  }

  private async content(req: ContentRequest): Promise<{ entry: ContentEntry; encodeMs: number; cached: boolean }> {
    const model = this.requireModel();
    const img = this.requireImage(req.imageId);
    const key = `${this.generation}|${req.imageId}|${req.direction}|${cropKey(req.crop)}`;
    const hit = this.contents.get(key);
    if (hit) {
      // Refresh its LRU position.
      this.contents.delete(key);
      this.contents.set(key, hit);
      return { entry: await hit, encodeMs: 0, cached: true };
    }
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
    this.contents.set(key, promise);
    promise.catch(() => this.contents.delete(key));
    while (this.contents.size > MAX_CONTENT_CODES) {
      const oldest = this.contents.keys().next().value;
      if (oldest === undefined) break;
      this.dropContent(oldest);
    }
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
    const img = this.requireImage(req.imageId);
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
    this.generateCalls++;
    this.lastBatch = req.z.length;
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

  // ---------------------------------------------------------------- camera

  /** A camera frame -> the model input (the photo path: crop, Pillow-exact resize); closes the bitmap. */
  private async frameInput(frame: ImageBitmap, crop: CropBox | null, direction: Direction) {
    let open: ImageBitmap | null = frame;
    try {
      await this.ready();
      const model = this.requireModel();
      const m = model.manifest;
      const t0 = performance.now();
      const rgb = rgbFromBitmap(open);
      open = null;
      const source = sourceDomain(direction);
      const prep = prepareInput(rgb, crop, m.preprocess, m.channels[source]);
      const x = (): tf.Tensor4D => tf.tensor4d(prep.input.data, [1, prep.input.height, prep.input.width, prep.input.channels]);
      return { model, m, source, prep, x, prepareMs: performance.now() - t0 };
    } finally {
      open?.close();
    }
  }

  /** One image out of G, read back as RGBA (and disposed). */
  private async readFrame(out: tf.Tensor4D): Promise<RgbaFrame> {
    try {
      const data = (await out.data()) as Float32Array;
      const [n, h, w, c] = out.shape;
      return framesFromOutput(data, n, h, w, c)[0]!;
    } finally {
      out.dispose();
    }
  }

  /** One camera frame, both stages here (the fallback when the pipeline's second worker is missing). */
  async translateFrame(req: FrameRequest): Promise<FrameResult> {
    const f = await this.frameInput(req.frame, req.crop, req.direction);
    checkZ(req.z, f.m.nz);
    const t1 = performance.now();
    const out = tf.tidy(() => f.model.generate(f.model.encodeContent(f.x(), f.source), tf.tensor2d([req.z], [1, f.m.nz], 'float32'), targetDomain(req.direction)));
    const output = await this.readFrame(out);
    return { input: f.prep.preview, output, prepareMs: f.prepareMs, modelMs: performance.now() - t1 };
  }

  /** Camera, first stage (a second worker runs it while this one paints the previous frame): E_c of a frame. */
  async encodeFrame(req: FrameEncodeRequest): Promise<FrameEncodeResult> {
    const f = await this.frameInput(req.frame, req.crop, req.direction);
    const t1 = performance.now();
    const code = tf.tidy(() => f.model.encodeContent(f.x(), f.source));
    try {
      // a copy in a buffer of its own: it is transferred to the page and on to the painting worker
      const data = new Float32Array((await code.data()) as Float32Array);
      return { code: data, shape: code.shape, input: f.prep.preview, prepareMs: f.prepareMs, encodeMs: performance.now() - t1 };
    } finally {
      code.dispose();
    }
  }

  /** Camera, second stage: G(content code, z) for a code that `encodeFrame` made (in any worker). */
  async paintCode(req: PaintRequest): Promise<PaintResult> {
    await this.ready();
    const model = this.requireModel();
    const m = model.manifest;
    checkZ(req.z, m.nz);
    if (req.shape.length !== 4 || req.code.length !== req.shape.reduce((a, b) => a * b, 1)) {
      throw codedError('INTERNAL', `paintCode: a content code of shape ${req.shape.join('×')} needs ${req.shape.reduce((a, b) => a * b, 1)} values, got ${req.code.length}`);
    }
    const t0 = performance.now();
    const out = tf.tidy(() => {
      const code = tf.tensor4d(req.code, req.shape as [number, number, number, number]);
      return model.generate(code, tf.tensor2d([req.z], [1, m.nz], 'float32'), targetDomain(req.direction));
    });
    const output = await this.readFrame(out);
    return { output, generateMs: performance.now() - t0 };
  }

  // ---------------------------------------------------------------- checkpoints

  async convertCheckpoint(bytes: ArrayBuffer, opts: ConvertOptions, onProgress: (p: ConvertProgress) => void): Promise<ModelSpec> {
    let result: Awaited<ReturnType<typeof convertCheckpoint>>;
    try {
      result = await convertCheckpoint(new Uint8Array(bytes), {
        name: opts.name,
        ...(opts.domains ? { domains: opts.domains } : {}),
        dtype: 'float32',
        onProgress: (stage, fraction) => onProgress({ stage, fraction }),
      });
    } catch (e) {
      throw codedError('CHECKPOINT_INVALID', `“${opts.name}” is not a usable DRIT checkpoint: ${(e as Error).message}`, e);
    }
    onProgress({ stage: 'storing', fraction: 1 });
    const total = [...result.files.values()].reduce((s, b) => s + b.byteLength, 0);
    const entry = await storeLocalPack({ name: opts.name, sourceFile: opts.name, bytes: total }, result.manifest, result.files);
    return { id: entry.id, name: entry.name, location: { kind: 'local', id: entry.id } };
  }

  listLocalModels(): Promise<LocalModelEntry[]> {
    return listLocalPacks();
  }

  deleteLocalModel(id: string): Promise<void> {
    return deleteLocalPack(id);
  }

  // ---------------------------------------------------------------- housekeeping

  memory(): MemoryInfo {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, generateCalls: this.generateCalls, lastBatch: this.lastBatch };
  }

  dispose(): void {
    this.clearContents();
    this.model?.dispose();
    this.model = null;
    this.pack = null;
    this.spec = null;
    this.images.clear();
  }

  currentSpec(): ModelSpec | null {
    return this.spec;
  }

  loseDeviceForTesting(): boolean {
    const device = currentGpuDevice();
    if (!device) return false;
    device.destroy();
    return true;
  }
}
