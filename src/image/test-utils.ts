/**
 * Test-only helpers for src/image (Node): procedural images, a raw PNG chunk writer (to craft
 * any PNG variant, including broken ones), and a bridge to PIL/NumPy (`pil_reference.py`), the
 * independent reference all pipeline tests compare against.
 *
 * PIL is required: the tests fail with a clear message if `scripts/py` cannot run PIL + NumPy.
 * Set DRIT_SKIP_PIL=1 to skip the PIL comparisons explicitly (e.g. on a machine without Python).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { mulberry32 } from '../drit/random';
import type { RgbImage } from './types';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SKIP_PIL = process.env.DRIT_SKIP_PIL === '1';
export const SKIP_PIL_REASON = 'DRIT_SKIP_PIL=1: PIL reference comparisons skipped on request';

/** Deterministic PRNG (mulberry32), values in [0, 1). */
export const rng = mulberry32;

/**
 * A procedural RGB test image mixing smooth gradients, hard 0/255 edges (which make the bicubic
 * kernel's negative lobes overshoot and exercise clipping), fine checkerboards and noise.
 */
export function makeTestImage(width: number, height: number, seed: number): RgbImage {
  const rand = rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const region = ((x >> 4) + (y >> 4) * 3 + seed) % 5;
      for (let c = 0; c < 3; c++) {
        let v: number;
        switch (region) {
          case 0:
            v = ((x * (c + 1) * 255) / Math.max(1, width - 1) + y * 0.37 * (3 - c)) & 255;
            break;
          case 1:
            v = (x + y + c) % 2 === 0 ? 255 : 0;
            break;
          case 2:
            v = ((x >> 1) + (y >> 2) + c) % 3 === 0 ? 250 : 5;
            break;
          case 3:
            v = Math.floor(rand() * 256);
            break;
          default:
            v = 128 + Math.round(127 * Math.sin((x * 0.21 + y * 0.13) * (c + 1)));
        }
        data[(y * width + x) * 3 + c] = v;
      }
    }
  }
  return { width, height, data };
}

// one CRC and chunk writer for the app and the tests (crafted PNGs are also checked by pngjs)
import { concatBytes, crc32, pngChunk } from './png-meta';

export { concatBytes, crc32, pngChunk };

export const PNG_SIG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function ihdr(width: number, height: number, bitDepth: number, colorType: number): Uint8Array {
  const d = new Uint8Array(13);
  const dv = new DataView(d.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  d[8] = bitDepth;
  d[9] = colorType;
  return pngChunk('IHDR', d);
}

export interface CraftPng {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Packed scanlines WITHOUT filter bytes (filter 0 is added), big-endian for 16-bit. */
  rows: Uint8Array;
  palette?: Uint8Array;
  trns?: Uint8Array;
}

/** Builds a valid non-interlaced PNG from packed samples. */
export function craftPng(p: CraftPng): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[p.colorType];
  const rowBytes = Math.ceil((p.width * channels * p.bitDepth) / 8);
  if (p.rows.length !== rowBytes * p.height) throw new Error(`craftPng: expected ${rowBytes * p.height} bytes`);
  const raw = new Uint8Array((rowBytes + 1) * p.height);
  for (let y = 0; y < p.height; y++) raw.set(p.rows.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const parts = [PNG_SIG, ihdr(p.width, p.height, p.bitDepth, p.colorType)];
  if (p.palette) parts.push(pngChunk('PLTE', p.palette));
  if (p.trns) parts.push(pngChunk('tRNS', p.trns));
  parts.push(pngChunk('IDAT', new Uint8Array(deflateSync(raw))), pngChunk('IEND', new Uint8Array(0)));
  return concatBytes(parts);
}

/** A temp directory for one test file; call `cleanup()` in afterAll. */
export function makeTempDir(prefix: string): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `drit-${prefix}-`));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type PilJob = { id: string; op: string } & Record<string, unknown>;
export type PilResults = Record<string, Record<string, unknown>>;

/** Runs all jobs in one Python process (scripts/py src/image/pil_reference.py). */
export function runPil(jobs: PilJob[], dir: string): PilResults {
  const jobsPath = join(dir, 'jobs.json');
  writeFileSync(jobsPath, JSON.stringify({ jobs }));
  try {
    execFileSync(join(REPO_ROOT, 'scripts/py'), [join(REPO_ROOT, 'src/image/pil_reference.py'), jobsPath], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `PIL reference failed (needs scripts/py with PIL + NumPy; set DRIT_SKIP_PIL=1 to skip explicitly): ${String(e)}\n${stderr}`,
    );
  }
  return JSON.parse(readFileSync(`${jobsPath}.result.json`, 'utf8')) as PilResults;
}

/** Writes raw RGB bytes for a PIL job and returns the job fields describing them. */
export function rawInput(path: string, img: RgbImage): { raw: string; size: [number, number] } {
  writeFileSync(path, img.data);
  return { raw: path, size: [img.width, img.height] };
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Index of the first differing byte, or -1 (nicer failure messages than a 200k-element diff). */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
