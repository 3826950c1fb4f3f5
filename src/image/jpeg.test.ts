/** decodeJpeg vs Pillow 9.4 + libjpeg-turbo (bit-exact), and its error handling. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJpeg } from './jpeg';
import {
  REPO_ROOT,
  SKIP_PIL,
  SKIP_PIL_REASON,
  concatBytes,
  firstDiff,
  makeTempDir,
  makeTestImage,
  rawInput,
  readBytes,
  runPil,
  type PilJob,
  type PilResults,
} from './test-utils';
import { ImageError } from './types';

// ------------------------------------------------------------------ a tiny DC-only JPEG writer
// Lets the tests cover sampling layouts Pillow cannot write (4:4:0, 4:1:1, mixed, RGB ids, ...).

interface DcComp {
  id: number;
  h: number;
  v: number;
}

function segment(marker: number, body: number[]): Uint8Array {
  const len = body.length + 2;
  return new Uint8Array([0xff, marker, len >> 8, len & 255, ...body]);
}

/** Baseline JPEG whose blocks only have DC terms (value from `dc(ci, blockX, blockY)`). */
function craftDcOnlyJpeg(width: number, height: number, comps: DcComp[], dc: (ci: number, bx: number, by: number) => number, jfif: boolean): Uint8Array {
  const hmax = Math.max(...comps.map((c) => c.h));
  const vmax = Math.max(...comps.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * hmax));
  const mcusY = Math.ceil(height / (8 * vmax));
  const bytes: number[] = [];
  let acc = 0;
  let nbits = 0;
  const put = (value: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++nbits === 8) {
        bytes.push(acc);
        if (acc === 0xff) bytes.push(0);
        acc = 0;
        nbits = 0;
      }
    }
  };
  const pred = comps.map(() => 0);
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      comps.forEach((c, ci) => {
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) {
            const value = dc(ci, mx * c.h + h, my * c.v + v);
            const diff = value - pred[ci]!;
            pred[ci] = value;
            const s = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
            put(s, 4); // DC table: 12 symbols, all 4-bit codes, code = symbol
            if (s) put(diff >= 0 ? diff : diff + (1 << s) - 1, s);
            put(0, 1); // AC table: EOB is the single 1-bit code '0'
          }
        }
      });
    }
  }
  if (nbits) put(0xff, 8 - nbits); // pad with 1 bits
  const quant = [8, ...new Array<number>(63).fill(1)];
  return concatBytes([
    new Uint8Array([0xff, 0xd8]),
    jfif ? segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]) : new Uint8Array(0),
    segment(0xdb, [0x00, ...quant]),
    segment(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, comps.length, ...comps.flatMap((c) => [c.id, (c.h << 4) | c.v, 0])]),
    segment(0xc4, [0x00, 0, 0, 0, 12, ...new Array<number>(12).fill(0), ...Array.from({ length: 12 }, (_, i) => i)]),
    segment(0xc4, [0x10, 1, ...new Array<number>(15).fill(0), 0x00]),
    segment(0xda, [comps.length, ...comps.flatMap((c) => [c.id, 0x00]), 0, 63, 0]),
    new Uint8Array(bytes),
    new Uint8Array([0xff, 0xd9]),
  ]);
}

/** Pseudo-random DC values in [-20, 20] (no clipping, all neighbour differences occur). */
const blockHash = (ci: number, bx: number, by: number): number =>
  (((Math.imul(bx + 1, 73856093) ^ Math.imul(by + 1, 19349663) ^ Math.imul(ci + 1, 83492791)) >>> 0) % 41) - 20;

const YCC = (h0: number, v0: number, h1: number, v1: number, h2: number, v2: number): DcComp[] => [
  { id: 1, h: h0, v: v0 },
  { id: 2, h: h1, v: v1 },
  { id: 3, h: h2, v: v2 },
];

const CRAFTED: Record<string, { w: number; h: number; comps: DcComp[]; jfif: boolean }> = {
  'dc-440': { w: 37, h: 29, comps: YCC(1, 2, 1, 1, 1, 1), jfif: true },
  'dc-411': { w: 45, h: 19, comps: YCC(4, 1, 1, 1, 1, 1), jfif: true },
  'dc-420-h2v2-cr-full': { w: 33, h: 27, comps: YCC(2, 2, 1, 1, 2, 2), jfif: true },
  'dc-422-narrow': { w: 3, h: 20, comps: YCC(2, 1, 1, 1, 1, 1), jfif: true },
  'dc-y-subsampled': { w: 30, h: 30, comps: YCC(1, 1, 2, 2, 2, 2), jfif: true },
  'dc-h4v2': { w: 70, h: 37, comps: YCC(4, 2, 1, 1, 1, 1), jfif: true },
  'dc-420-cr-h1v2': { w: 70, h: 37, comps: YCC(2, 2, 1, 1, 2, 1), jfif: true },
  'dc-rgb-ids': { w: 21, h: 13, comps: [{ id: 82, h: 1, v: 1 }, { id: 71, h: 1, v: 1 }, { id: 66, h: 1, v: 1 }], jfif: false },
  'dc-gray-h2v2': { w: 19, h: 23, comps: [{ id: 1, h: 2, v: 2 }], jfif: true },
};

// ------------------------------------------------------------------ PIL-written matrix

const SIZES: Array<[number, number]> = [
  [97, 61],
  [1, 1],
  [2, 2],
  [3, 5],
  [5, 3],
  [17, 33],
  [300, 200],
];

interface PilJpeg {
  id: string;
  size: [number, number];
  mode: string;
  options: Record<string, unknown>;
}

const PIL_CASES: PilJpeg[] = [
  ...SIZES.flatMap(([w, h]) =>
    [0, 1, 2].flatMap((sub) =>
      [false, true]
        .filter((prog) => !(prog && w * h === 1)) // libjpeg refuses to write this one
        .map((prog): PilJpeg => ({ id: `${w}x${h}-sub${sub}${prog ? '-prog' : ''}`, size: [w, h], mode: 'RGB', options: { quality: 85, subsampling: sub, progressive: prog } })),
    ),
  ),
  { id: 'q100', size: [97, 61], mode: 'RGB', options: { quality: 100 } },
  { id: 'q5', size: [97, 61], mode: 'RGB', options: { quality: 5 } },
  { id: 'optimized', size: [97, 61], mode: 'RGB', options: { quality: 90, optimize: true } },
  { id: 'gray', size: [97, 61], mode: 'L', options: { quality: 90 } },
  { id: 'gray-prog', size: [97, 61], mode: 'L', options: { quality: 90, progressive: true } },
  { id: 'cmyk', size: [97, 61], mode: 'CMYK', options: { quality: 90 } },
  { id: 'restart-blocks', size: [97, 61], mode: 'RGB', options: { quality: 90, restart_marker_blocks: 3 } },
  { id: 'restart-rows-prog', size: [97, 61], mode: 'RGB', options: { quality: 90, restart_marker_rows: 1, progressive: true } },
];

const DATASET = join(REPO_ROOT, '../shared/datasets/cat2dog');
const DATASET_SAMPLE: string[] = ['trainA', 'trainB'].flatMap((d) => {
  const dir = join(DATASET, d);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, 12)
    .map((f) => join(dir, f));
});

describe.skipIf(SKIP_PIL)(`decodeJpeg vs Pillow 9.4 / libjpeg-turbo ${SKIP_PIL ? SKIP_PIL_REASON : ''}`, () => {
  const tmp = makeTempDir('jpeg');
  let results: PilResults = {};

  beforeAll(() => {
    const jobs: PilJob[] = [];
    const inputs = new Map<string, { raw: string; size: [number, number] }>();
    for (const [w, h] of SIZES) inputs.set(`${w}x${h}`, rawInput(tmp.path(`${w}x${h}.raw`), makeTestImage(w, h, w + h)));
    for (const c of PIL_CASES) {
      const file = tmp.path(`${c.id}.jpg`);
      jobs.push({ id: `enc-${c.id}`, op: 'encode', ...inputs.get(c.size.join('x'))!, format: 'JPEG', mode: c.mode, options: c.options, out: file });
      jobs.push({ id: c.id, op: 'decode', src: file, out: tmp.path(`${c.id}.rgb`) });
    }
    for (const [id, c] of Object.entries(CRAFTED)) {
      const file = tmp.path(`${id}.jpg`);
      writeFileSync(file, craftDcOnlyJpeg(c.w, c.h, c.comps, blockHash, c.jfif));
      jobs.push({ id, op: 'decode', src: file, out: tmp.path(`${id}.rgb`) });
    }
    DATASET_SAMPLE.forEach((f, i) => jobs.push({ id: `ds${i}`, op: 'decode', src: f, out: tmp.path(`ds${i}.rgb`) }));
    results = runPil(jobs, tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  function check(id: string, file: string): void {
    const res = results[id]!;
    expect(res.error, `PIL could not decode ${id}`).toBeUndefined();
    const img = decodeJpeg(readBytes(file));
    expect([img.width, img.height]).toEqual(res.size);
    const ref = readBytes(tmp.path(`${id}.rgb`));
    const at = firstDiff(img.data, ref);
    expect(at, `first difference at byte ${at}: ours ${img.data[at]} PIL ${ref[at]}`).toBe(-1);
  }

  it.each(PIL_CASES.map((c) => c.id))('PIL-written %s is bit-exact', (id) => check(id, tmp.path(`${id}.jpg`)));
  it.each(Object.keys(CRAFTED))('crafted %s is bit-exact', (id) => check(id, tmp.path(`${id}.jpg`)));
  it.skipIf(DATASET_SAMPLE.length === 0)(`${DATASET_SAMPLE.length} cat2dog photos are bit-exact (skipped when ../shared/datasets is absent)`, () => {
    DATASET_SAMPLE.forEach((f, i) => check(`ds${i}`, f));
  });
});

describe('decodeJpeg errors', () => {
  const dcOnly = craftDcOnlyJpeg(16, 16, YCC(1, 1, 1, 1, 1, 1), (ci, bx, by) => ci + bx + by, true);

  function expectError(bytes: Uint8Array, code: string, message: RegExp): void {
    let err: unknown;
    try {
      decodeJpeg(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe(code);
    expect((err as ImageError).message).toMatch(message);
  }

  it('decodes the crafted file', () => {
    expect(decodeJpeg(dcOnly).width).toBe(16);
  });

  it('data ending inside a scan is a truncated file', () => {
    expectError(dcOnly.subarray(0, dcOnly.length - 4), 'CORRUPT', /file is truncated \(data ends inside a scan\)/);
  });

  it('a missing EOI right after the scan data is a truncated file (libjpeg reads ahead; Pillow fails too)', () => {
    expectError(dcOnly.subarray(0, dcOnly.length - 2), 'CORRUPT', /file is truncated/);
  });

  it('headers cut short', () => {
    expectError(dcOnly.subarray(0, 30), 'CORRUPT', /file is truncated/);
    expectError(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), 'CORRUPT', /no frame header/);
  });

  it('more than 10 blocks per MCU is refused (as libjpeg does)', () => {
    const big = craftDcOnlyJpeg(40, 40, YCC(4, 4, 1, 1, 2, 2), () => 0, true);
    expectError(big, 'CORRUPT', /sampling factors too large/);
  });

  it('unsupported variants are named', () => {
    const sof9 = dcOnly.slice();
    const i = sof9.findIndex((b, k) => b === 0xff && sof9[k + 1] === 0xc0);
    sof9[i + 1] = 0xc9;
    expectError(sof9, 'UNSUPPORTED_FORMAT', /arithmetic coding/);
    const p12 = dcOnly.slice();
    p12[i + 4] = 12;
    expectError(p12, 'UNSUPPORTED_FORMAT', /12-bit/);
  });

  it('a file of many scans is refused before it costs minutes (bounded passes over the image)', () => {
    const sos = dcOnly.findIndex((b, k) => b === 0xff && dcOnly[k + 1] === 0xda);
    const scan = dcOnly.subarray(sos, dcOnly.length - 2); // SOS header + entropy data, without EOI
    const withScans = (n: number): Uint8Array =>
      concatBytes([dcOnly.subarray(0, sos), ...Array.from({ length: n }, () => scan), new Uint8Array([0xff, 0xd9])]);
    expect(decodeJpeg(withScans(10)).width).toBe(16);
    expectError(withScans(65), 'CORRUPT', /too many scans \(65: more than 64 passes over the image/);
    expectError(withScans(5000), 'CORRUPT', /too many scans \(65:/);
  });

  it('refuses frames above maxPixels before allocating', () => {
    expect(() => decodeJpeg(dcOnly, { maxPixels: 100 })).toThrow(/16x16/);
  });

  it('survives random corruption of the entropy data without crashing', () => {
    const clean = craftDcOnlyJpeg(64, 64, YCC(2, 2, 1, 1, 1, 1), (ci, bx, by) => ((bx * 13 + by * 7 + ci) % 60) - 30, true);
    const start = 180; // past the headers
    let decoded = 0;
    for (let k = 0; k < 30; k++) {
      const bad = clean.slice();
      for (let j = 0; j < 4; j++) bad[start + ((k * 31 + j * 17) % (bad.length - start - 2))] = (k * 73 + j * 41) & 255;
      try {
        expect(decodeJpeg(bad).data.length).toBe(64 * 64 * 3);
        decoded++;
      } catch (e) {
        expect(e).toBeInstanceOf(ImageError);
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});
