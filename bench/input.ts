/** The benchmarks' deterministic input image (NHWC, [-1, 1]), shared with PyTorch and the ONNX export through a file. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleNormal } from '../src/drit/random';

export const BENCH_CACHE = join(import.meta.dirname, '..', '.cache', 'bench');

export function inputFile(size: number): { path: string; data: Float32Array } {
  const data = sampleNormal(size, size * size, 3).map((v) => Math.tanh(v));
  mkdirSync(BENCH_CACHE, { recursive: true });
  const path = join(BENCH_CACHE, `input-${size}.bin`);
  const bytes = new Uint8Array(data.buffer);
  // Rewritten only when it differs, so exports made from it (bench/ort.ts) stay fresh.
  if (!existsSync(path) || !Buffer.from(bytes).equals(readFileSync(path))) writeFileSync(path, bytes);
  return { path, data };
}
