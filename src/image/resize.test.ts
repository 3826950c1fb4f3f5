/** resizeBicubic / resizeForModel vs Pillow 9.4 (exact byte equality). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREPROCESS } from '../pack/manifest';
import { modelResizeSize, resizeBicubic, resizeForModel } from './resize';
import {
  SKIP_PIL,
  SKIP_PIL_REASON,
  firstDiff,
  makeTempDir,
  makeTestImage,
  rawInput,
  readBytes,
  runPil,
  type PilJob,
  type PilResults,
} from './test-utils';
import type { RgbImage } from './types';

interface Case {
  id: string;
  src: [number, number];
  /** Explicit target size, or a model resize mode (256). */
  to: [number, number] | 'square' | 'shorter-side';
}

const CASES: Case[] = [
  // the model's square resize
  ...(
    [
      [300, 240],
      [178, 218],
      [257, 256],
      [64, 64],
      [1000, 700],
      [255, 257],
      [12, 9],
      [1, 1],
      [256, 256],
      [256, 300],
      [300, 256],
      [1, 40],
    ] as Array<[number, number]>
  ).map((s): Case => ({ id: `sq-${s[0]}x${s[1]}`, src: s, to: 'square' })),
  // the old shorter-side resize
  ...(
    [
      [300, 240],
      [178, 218],
      [12, 9],
      [256, 400],
      [255, 257],
    ] as Array<[number, number]>
  ).map((s): Case => ({ id: `ss-${s[0]}x${s[1]}`, src: s, to: 'shorter-side' })),
  // arbitrary targets: mixed up/down, one-axis, near-identity, extreme ratios
  { id: 'any-255x257-123x77', src: [255, 257], to: [123, 77] },
  { id: 'any-7x30-3x300', src: [7, 30], to: [3, 300] },
  { id: 'any-64x64-300x299', src: [64, 64], to: [300, 299] },
  { id: 'any-300x240-301x239', src: [300, 240], to: [301, 239] },
  { id: 'any-178x218-1x1', src: [178, 218], to: [1, 1] },
  { id: 'any-1x1-5x3', src: [1, 1], to: [5, 3] },
];

describe.skipIf(SKIP_PIL)(`resizeBicubic vs Pillow 9.4 BICUBIC ${SKIP_PIL ? SKIP_PIL_REASON : ''}`, () => {
  const tmp = makeTempDir('resize');
  const inputs = new Map<string, RgbImage>();
  let results: PilResults = {};

  beforeAll(() => {
    const jobs: PilJob[] = CASES.map((c, i) => {
      const img = makeTestImage(c.src[0], c.src[1], i + 1);
      inputs.set(c.id, img);
      const base = { id: c.id, out: tmp.path(`${c.id}.out`), ...rawInput(tmp.path(`${c.id}.raw`), img) };
      return typeof c.to === 'string'
        ? { ...base, op: 'model_resize', resize: 256, mode: c.to }
        : { ...base, op: 'resize', to: c.to };
    });
    const sizes: Array<[number, number]> = [];
    for (let w = 1; w <= 700; w += 37) for (let h = 1; h <= 700; h += 41) sizes.push([w, h]);
    sizes.push([178, 218], [3000, 7], [7, 3000], [1023, 1024]);
    jobs.push({ id: 'sizes', op: 'shorter_side_sizes', resize: 256, sizes });
    results = runPil(jobs, tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  for (const c of CASES) {
    it(`${c.id}: ${c.src.join('x')} -> ${Array.isArray(c.to) ? c.to.join('x') : `${c.to} 256`}`, () => {
      const img = inputs.get(c.id)!;
      const out =
        typeof c.to === 'string'
          ? resizeForModel(img, { ...DEFAULT_PREPROCESS, resizeMode: c.to })
          : resizeBicubic(img, c.to[0], c.to[1]);
      const [pw, ph] = results[c.id]!.size as [number, number];
      expect([out.width, out.height]).toEqual([pw, ph]);
      const ref = readBytes(tmp.path(`${c.id}.out`));
      const at = firstDiff(out.data, ref);
      expect(at, `first difference at byte ${at} (pixel ${Math.floor(at / 3)})`).toBe(-1);
    });
  }

  it('shorter-side target sizes match int(256 * long / short)', () => {
    const job = results.sizes as { sizes: Array<[number, number]> };
    const sizes: Array<[number, number]> = [];
    for (let w = 1; w <= 700; w += 37) for (let h = 1; h <= 700; h += 41) sizes.push([w, h]);
    sizes.push([178, 218], [3000, 7], [7, 3000], [1023, 1024]);
    const ours = sizes.map(([w, h]) => {
      const s = modelResizeSize(w, h, { resize: 256, resizeMode: 'shorter-side' });
      return [s.width, s.height];
    });
    expect(ours).toEqual(job.sizes);
  });
});

describe('resizeBicubic basics', () => {
  it('same size returns an equal copy', () => {
    const img = makeTestImage(5, 4, 3);
    const out = resizeBicubic(img, 5, 4);
    expect(out.data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
  });

  it('a constant image stays constant (weights sum to one)', () => {
    const img = { width: 37, height: 23, data: new Uint8Array(37 * 23 * 3).fill(200) };
    for (const [w, h] of [
      [256, 256],
      [5, 3],
      [100, 10],
    ] as const) {
      expect(resizeBicubic(img, w, h).data.every((v) => v === 200)).toBe(true);
    }
  });

  it('rejects bad sizes', () => {
    const img = makeTestImage(4, 4, 1);
    expect(() => resizeBicubic(img, 0, 4)).toThrow(/positive integers/);
    expect(() => resizeBicubic(img, 2.5, 4)).toThrow(/positive integers/);
    expect(() => resizeBicubic({ width: 4, height: 4, data: new Uint8Array(10) }, 2, 2)).toThrow(/RGB bytes/);
  });

  it('an extreme aspect ratio is refused before the intermediate is allocated', () => {
    expect(() => modelResizeSize(1, 40000, { resize: 144, resizeMode: 'shorter-side' })).toThrow(
      /1x40000 image resized so its shorter side is 144 would be 144x5760000 pixels/,
    );
    expect(modelResizeSize(1, 40000, { resize: 144, resizeMode: 'square' })).toEqual({ width: 144, height: 144 });
    expect(modelResizeSize(300, 40000, { resize: 144, resizeMode: 'shorter-side' })).toEqual({ width: 144, height: 19200 });
  });

  it('square mode ignores the aspect ratio, shorter-side keeps it', () => {
    expect(modelResizeSize(300, 240, DEFAULT_PREPROCESS)).toEqual({ width: 256, height: 256 });
    expect(modelResizeSize(300, 240, { resize: 256, resizeMode: 'shorter-side' })).toEqual({ width: 320, height: 256 });
    expect(modelResizeSize(178, 218, { resize: 256, resizeMode: 'shorter-side' })).toEqual({ width: 256, height: 313 });
  });
});
