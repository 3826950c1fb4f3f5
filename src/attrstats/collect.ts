/**
 * Node only: encodes a folder of photos of one domain with the model's own attribute encoder E_a
 * (pack pre-processing, EXIF orientation honoured, as `npm run translate`) and summarises the codes
 * with a PCA (`./pca.ts`) for the pack's optional `attributeStats` field. For concat = 1 models the
 * code is the mean mu of E_a's Gaussian. Unreadable files are skipped and listed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { DritModel } from '../drit/model';
import { ImageError, readImageFile } from '../image/node-io';
import { FileError } from '../node/read-file';
import { preprocessForModel } from '../image/preprocess';
import { PackError } from '../pack/errors';
import type { AttributeStats, Domain } from '../pack/manifest';
import { attributePca } from './pca';

const IMAGE_FILE = /\.(png|jpe?g)$/i;
/** Photos encoded per E_a pass (all have the pack's crop size). */
const BATCH = 8;

export interface DomainCodes {
  domain: Domain;
  folder: string;
  /** Image files considered (after the limit). */
  files: number;
  codes: number[][];
  skipped: Array<{ file: string; reason: string }>;
}

export interface CollectOptions {
  /** Encode at most this many files per domain (the first ones in name order). */
  limit?: number;
  onProgress?(p: { domain: Domain; done: number; total: number }): void;
}

/** The PNG/JPEG files of a folder, in natural name order (not recursive). */
export function imageFiles(folder: string): string[] {
  let st;
  try {
    st = statSync(folder);
  } catch {
    throw new Error(`${folder}: no such folder`);
  }
  if (!st.isDirectory()) throw new Error(`${folder}: not a folder`);
  return readdirSync(folder)
    .filter((f) => IMAGE_FILE.test(f))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((f) => join(folder, f));
}

/** E_a codes (mu) of every readable photo in `folder`, read as images of `domain`. */
export async function collectCodes(model: DritModel, folder: string, domain: Domain, opts: CollectOptions = {}): Promise<DomainCodes> {
  let files = imageFiles(folder);
  if (opts.limit !== undefined) files = files.slice(0, opts.limit);
  const m = model.manifest;
  const channels = m.channels[domain];
  if (channels !== 1 && channels !== 3) throw new Error(`unsupported channel count ${channels}`);
  const out: DomainCodes = { domain, folder, files: files.length, codes: [], skipped: [] };
  let batch: Float32Array[] = [];
  let side = 0;
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const n = batch.length;
    const flat = new Float32Array(n * side * side * channels);
    batch.forEach((b, i) => flat.set(b, i * b.length));
    batch = [];
    const mu = tf.tidy(() => {
      const code = model.encodeAttribute(tf.tensor4d(flat, [n, side, side, channels]), domain);
      return code.mu;
    });
    try {
      const data = (await mu.data()) as Float32Array;
      for (let i = 0; i < n; i++) out.codes.push(Array.from(data.subarray(i * m.nz, (i + 1) * m.nz)));
    } finally {
      mu.dispose();
    }
  };
  for (const [i, file] of files.entries()) {
    try {
      const img = readImageFile(file);
      const { input } = preprocessForModel(img, m.preprocess, channels);
      if (input.width !== input.height) throw new Error(`internal: model input ${input.width}×${input.height} is not square`);
      side = input.width;
      batch.push(input.data);
    } catch (e) {
      if (!(e instanceof ImageError || e instanceof FileError)) throw e;
      out.skipped.push({ file, reason: e.message });
    }
    if (batch.length === BATCH) await flush();
    opts.onProgress?.({ domain, done: i + 1, total: files.length });
  }
  await flush();
  return out;
}

/** PCA of the codes; a clear error when too few photos could be read. */
export function statsOf(c: DomainCodes): AttributeStats {
  if (c.codes.length < 2) {
    throw new PackError('BAD_INPUT', `${c.folder}: ${c.codes.length} readable photo(s) of ${c.files}; principal directions need at least 2`);
  }
  return attributePca(c.codes);
}
