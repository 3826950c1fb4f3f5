/**
 * The one loader: pack files -> verified weights -> a built, warmed-up `DritModel`. The library
 * (`load()`), the page's worker (src/worker/engine.ts, which fetches and caches the files itself
 * in src/worker/packs.ts) and the CLIs all build their model here.
 *
 * Errors: what `readPack` throws (a `PackError`, a `DritError`) passes through with its code; a
 * model that cannot be built from verified weights is `PACK_INVALID`; a warm-up pass that fails
 * is `BACKEND`. Nothing else is caught.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createDritModel, type DritModel } from '../drit/model';
import type { KernelChoice } from '../drit/weights';
import { DritError } from '../errors';
import type { NamedWeight, PackManifest } from '../pack/manifest';
import { readPack, type PackProgress, type PackSource } from '../pack/read';

export type LoaderErrorCode = 'PACK_INVALID' | 'BACKEND';

/** A pack whose shards were read and checked already (sha256, sizes, manifest). */
export interface VerifiedPack {
  manifest: PackManifest;
  weights: NamedWeight[];
}

export interface OpenModelOptions {
  /** Shown in error messages (default: the manifest's name). */
  name?: string;
  /** Custom CPU-side kernels ('auto') or tfjs's own ('stock'); see src/drit/weights.ts. */
  kernels?: KernelChoice;
  /** Run every network once so that shaders compile now (default true). */
  warmUp?: boolean;
  /** Called as the stages begin. */
  onStage?(stage: 'verify' | 'build' | 'warmup'): void;
  /** Per-shard verification progress (sources only). */
  onVerify?(p: PackProgress): void;
}

export interface OpenedModel {
  model: DritModel;
  /** Milliseconds: reading and verifying the files (0 for a verified pack), building, warming up. */
  packMs: number;
  buildMs: number;
  warmupMs: number;
}

function isSource(s: PackSource | VerifiedPack): s is PackSource {
  return typeof (s as PackSource).readFile === 'function';
}

/** Reads (if needed), builds and warms up a model. */
export async function openModel(source: PackSource | VerifiedPack, opts: OpenModelOptions = {}): Promise<OpenedModel> {
  const t0 = performance.now();
  let pack: VerifiedPack;
  if (isSource(source)) {
    opts.onStage?.('verify');
    pack = await readPack(source, opts.onVerify ? { onProgress: opts.onVerify } : {});
  } else pack = source;
  const packMs = performance.now() - t0;
  const name = opts.name ?? pack.manifest.name;
  opts.onStage?.('build');
  const t1 = performance.now();
  let model: DritModel;
  try {
    model = createDritModel(pack.manifest, pack.weights, opts.kernels ? { kernels: opts.kernels } : {});
  } catch (e) {
    throw new DritError<LoaderErrorCode>('PACK_INVALID', `Model “${name}” does not fit the DRIT networks: ${(e as Error).message}`, { cause: e });
  }
  const buildMs = performance.now() - t1;
  let warmupMs = 0;
  if (opts.warmUp !== false) {
    opts.onStage?.('warmup');
    try {
      warmupMs = await warmUp(model);
    } catch (e) {
      model.dispose();
      throw new DritError<LoaderErrorCode>('BACKEND', `The warm-up pass failed on ${tf.getBackend() ?? 'this backend'}: ${(e as Error).message}`, { cause: e });
    }
  }
  return { model, packMs, buildMs, warmupMs };
}

/** Runs every network once on a dummy input so that shaders compile before the first request; returns ms. */
export async function warmUp(model: DritModel): Promise<number> {
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
