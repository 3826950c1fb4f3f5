/**
 * Test helpers over the committed PyTorch fixtures (fixtures/, written by fixtures/generate.py):
 * their io.json/io.bin arrays, and packs converted from their checkpoints in memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { convertCheckpoint } from '../convert';
import type { NamedWeight, PackManifest, Preprocess } from '../pack/manifest';
import { readPack } from '../pack/read';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(REPO, 'fixtures');

export interface FixtureArray {
  shape: number[];
  data: Float32Array;
}

export interface FixtureIo {
  config: {
    concat: 0 | 1;
    padding: 'reflect' | 'zero';
    layer_norm: 'new' | 'old';
    nz: number;
    size: number;
    input_dim_a: number;
    input_dim_b: number;
  };
  arrays: Record<string, FixtureArray>;
}

export function loadIo(fixture: string): FixtureIo {
  const dir = join(FIXTURES, fixture);
  const json = JSON.parse(readFileSync(join(dir, 'io.json'), 'utf8')) as {
    config: FixtureIo['config'];
    arrays: Record<string, { shape: number[]; offset: number }>;
  };
  const bin = readFileSync(join(dir, 'io.bin'));
  const arrays: Record<string, FixtureArray> = {};
  for (const [name, { shape, offset }] of Object.entries(json.arrays)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const copy = new Uint8Array(bin.subarray(offset, offset + 4 * n)); // aligned copy
    arrays[name] = { shape, data: new Float32Array(copy.buffer) };
  }
  return { config: json.config, arrays };
}

export function array(io: FixtureIo, name: string): FixtureArray {
  const a = io.arrays[name];
  if (!a) throw new Error(`fixture array '${name}' missing`);
  return a;
}

/** NCHW -> NHWC for a rank-4 array. */
export function toNhwc(a: FixtureArray): FixtureArray {
  const [n, c, h, w] = a.shape as [number, number, number, number];
  const out = new Float32Array(a.data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = a.data[((b * c + ch) * h + y) * w + x]!;
  return { shape: [n, h, w, c], data: out };
}

/** ||out - ref|| / ||ref|| (Euclidean norms over all elements). */
export function relativeError(out: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (out.length !== ref.length) throw new Error(`length ${out.length} != ${ref.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = out[i]! - ref[i]!;
    num += d * d;
    den += ref[i]! * ref[i]!;
  }
  return Math.sqrt(num / den);
}

export function fixtureBytes(fixture: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, fixture, file)));
}

/** Converts a fixture checkpoint and reads the pack back through the verifying reader. */
export async function fixturePack(
  fixture: string,
  file = existsSync(join(FIXTURES, fixture, 'checkpoint_legacy.pth')) ? 'checkpoint_legacy.pth' : 'checkpoint_zip.pth',
  opts: { dtype?: 'float32' | 'float16'; preprocess?: Partial<Preprocess> } = {},
): Promise<{ manifest: PackManifest; weights: NamedWeight[]; files: Map<string, Uint8Array> }> {
  const { files } = await convertCheckpoint(fixtureBytes(fixture, file), { name: fixture, domains: ['cat', 'dog'], ...opts });
  const { manifest, weights } = await readPack({
    readFile: async (path: string) => {
      const f = files.get(path);
      if (!f) throw new Error(`no file ${path}`);
      return f;
    },
  });
  return { manifest, weights, files };
}
