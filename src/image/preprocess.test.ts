/** Pre- and post-processing vs PIL + NumPy (the official DRIT arithmetic). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { DEFAULT_PREPROCESS, type Preprocess } from '../pack/manifest';
import { toRgba, toUint8Image, toUint8Value } from './postprocess';
import { centerCrop, preprocessForModel, toModelInput } from './preprocess';
import { resizeBicubic } from './resize';
import {
  SKIP_PIL,
  SKIP_PIL_REASON,
  firstDiff,
  makeTempDir,
  makeTestImage,
  rawInput,
  readBytes,
  rng,
  runPil,
  type PilJob,
} from './test-utils';
import type { RgbImage } from './types';

const SHORTER: Preprocess = { ...DEFAULT_PREPROCESS, resizeMode: 'shorter-side' };
const ODD_NORM: Preprocess = { ...DEFAULT_PREPROCESS, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** Values the saver must truncate, plus float32 neighbours of the breakpoints and random ones. */
function postValues(): Float32Array {
  const v = [0.49999, -1, 1, -0.999, 0, 0.5, -0.5, 0.99999, -0.99999, 1e-8, -1e-8, 0.00392157, -0.99215686];
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  // float32 values just around every k/127.5 - 1 (where the truncated value changes)
  for (let k = 0; k <= 255; k += 1) {
    f32[0] = k / 127.5 - 1;
    const bits = u32[0]!;
    for (const d of [-2, -1, 0, 1, 2]) {
      u32[0] = bits + d;
      if (f32[0]! >= -1 && f32[0]! <= 1) v.push(f32[0]!);
    }
  }
  const r = rng(7);
  while (v.length < 3000 * 3) v.push(r() * 2 - 1);
  return new Float32Array(v.slice(0, 3000 * 3));
}

describe.skipIf(SKIP_PIL)(`pre/post-processing vs PIL + NumPy ${SKIP_PIL ? SKIP_PIL_REASON : ''}`, () => {
  const tmp = makeTempDir('preprocess');
  const img1 = makeTestImage(300, 240, 11);
  const img2 = makeTestImage(178, 218, 12);
  const post = postValues();
  const postGray = post.subarray(0, 3000);

  beforeAll(() => {
    const a = rawInput(tmp.path('a.raw'), img1);
    const b = rawInput(tmp.path('b.raw'), img2);
    writeFileSync(tmp.path('post.f32'), post);
    writeFileSync(tmp.path('post1.f32'), postGray);
    const jobs: PilJob[] = [
      { id: 'sq3', op: 'preprocess', ...a, resize: 256, mode: 'square', crop: 216, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], out: tmp.path('sq3') },
      { id: 'sq1', op: 'preprocess', ...a, resize: 256, mode: 'square', crop: 216, channels: 1, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], out: tmp.path('sq1') },
      { id: 'ss3', op: 'preprocess', ...b, resize: 256, mode: 'shorter-side', crop: 216, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], out: tmp.path('ss3') },
      { id: 'odd', op: 'preprocess', ...b, resize: 256, mode: 'square', crop: 216, channels: 3, mean: ODD_NORM.mean, std: ODD_NORM.std, out: tmp.path('odd') },
      { id: 'post3', op: 'postprocess', raw: tmp.path('post.f32'), shape: [50, 60, 3], out: tmp.path('post3.out') },
      { id: 'post1', op: 'postprocess', raw: tmp.path('post1.f32'), shape: [50, 60, 1], out: tmp.path('post1.out') },
    ];
    runPil(jobs, tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  function refFloats(name: string): Float32Array {
    const b = readBytes(tmp.path(name));
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  }

  function maxAbsDiff(a: Float32Array, b: Float32Array): number {
    expect(a.length).toBe(b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
    return m;
  }

  it.each([
    ['sq3', img1, DEFAULT_PREPROCESS, 3, [216, 216, 3]],
    ['sq1', img1, DEFAULT_PREPROCESS, 1, [216, 216, 1]],
    ['ss3', img2, SHORTER, 3, [216, 216, 3]],
    ['odd', img2, ODD_NORM, 3, [216, 216, 3]],
  ] as Array<[string, RgbImage, Preprocess, 1 | 3, number[]]>)(
    '%s: resize + crop + normalise matches (max abs diff <= 1e-6; expected bit-exact)',
    (id, img, p, channels, shape) => {
      const r = preprocessForModel(img, p, channels);
      expect([r.input.height, r.input.width, r.input.channels]).toEqual(shape);
      const d = maxAbsDiff(r.input.data, refFloats(id));
      expect(d).toBeLessThanOrEqual(1e-6);
      expect(d).toBe(0); // float32 op-by-op emulation should be exact
    },
  );

  it('postprocess truncation matches numpy astype(uint8) (3 channels and 1 channel tiled)', () => {
    const ours3 = toUint8Image(post, 50, 60, 3);
    expect(ours3.data).toEqual(readBytes(tmp.path('post3.out')));
    const ours1 = toUint8Image(postGray, 50, 60, 1);
    expect(ours1.data).toEqual(readBytes(tmp.path('post1.out')));
  });

  it('preview = the official input.png mapping of the model input', () => {
    const r = preprocessForModel(img1, DEFAULT_PREPROCESS, 3);
    expect(firstDiff(r.preview.data, toUint8Image(r.input.data, 216, 216, 3).data)).toBe(-1);
    // the crop is the resized image's rows/cols 20..235
    const resized = resizeBicubic(img1, 256, 256);
    expect(r.crop.data.subarray(0, 3)).toEqual(resized.data.subarray((20 * 256 + 20) * 3, (20 * 256 + 20) * 3 + 3));
    expect(r.resized).toEqual({ width: 256, height: 256 });
  });
});

describe('toUint8Value', () => {
  it('truncates like astype(uint8)', () => {
    expect(toUint8Value(0.49999)).toBe(191); // (1.49999 / 2) * 255 = 191.24...
    expect(toUint8Value(-1)).toBe(0);
    expect(toUint8Value(1)).toBe(255);
    expect(toUint8Value(-0.999)).toBe(0); // 0.1275 -> 0
    expect(toUint8Value(0)).toBe(127); // 127.5 -> 127
  });
  it('clamps out-of-range and NaN defensively', () => {
    expect(toUint8Value(1.5)).toBe(255);
    expect(toUint8Value(-3)).toBe(0);
    expect(toUint8Value(Number.NaN)).toBe(0);
    expect(toUint8Value(Number.POSITIVE_INFINITY)).toBe(255);
  });
});

describe('centerCrop (torchvision semantics)', () => {
  const ramp = (w: number, h: number): RgbImage => {
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 7], (y * w + x) * 3);
    return { width: w, height: h, data };
  };

  it('256 -> 216 starts at row/col 20', () => {
    const c = centerCrop(ramp(256, 256), 216);
    expect([c.width, c.height]).toEqual([216, 216]);
    expect(Array.from(c.data.subarray(0, 3))).toEqual([20, 20, 7]);
    expect(Array.from(c.data.subarray(c.data.length - 3))).toEqual([235, 235, 7]);
  });

  it('odd margins use round-half-to-even like Python round()', () => {
    // (221 - 216) / 2 = 2.5 -> 2 ; (223 - 216) / 2 = 3.5 -> 4 ; (217 - 216) / 2 = 0.5 -> 0
    expect(centerCrop(ramp(221, 223), 216).data.subarray(0, 2)).toEqual(new Uint8Array([2, 4]));
    expect(centerCrop(ramp(217, 219), 216).data.subarray(0, 2)).toEqual(new Uint8Array([0, 2]));
  });

  it('pads with black when the crop is larger (torchvision >= 0.8)', () => {
    // 3x2 -> 6x6: pad left (6-3)//2 = 1, right 2; top (6-2)//2 = 2, bottom 2
    const c = centerCrop(ramp(3, 2), 6);
    const px = (x: number, y: number) => Array.from(c.data.subarray((y * 6 + x) * 3, (y * 6 + x) * 3 + 3));
    expect(px(0, 0)).toEqual([0, 0, 0]);
    expect(px(1, 2)).toEqual([0, 0, 7]);
    expect(px(3, 3)).toEqual([2, 1, 7]);
    expect(px(4, 3)).toEqual([0, 0, 0]);
    expect(px(1, 4)).toEqual([0, 0, 0]);
    // one dimension padded, the other cropped with round()
    const d = centerCrop(ramp(9, 2), { width: 4, height: 3 }); // left = round(2.5) = 2; pad top 0, bottom 1
    expect(Array.from(d.data.subarray(0, 3))).toEqual([2, 0, 7]);
    expect(Array.from(d.data.subarray((2 * 4) * 3, (2 * 4) * 3 + 3))).toEqual([0, 0, 0]);
  });

  it('1-pixel images go through the whole pipeline', () => {
    const one = { width: 1, height: 1, data: new Uint8Array([10, 200, 30]) };
    for (const p of [DEFAULT_PREPROCESS, SHORTER]) {
      const r = preprocessForModel(one, p, 3);
      expect(r.input.data.length).toBe(216 * 216 * 3);
      expect(Array.from(r.crop.data.subarray(0, 3))).toEqual([10, 200, 30]);
    }
  });
});

describe('toModelInput', () => {
  it('normalises to [-1, 1] and computes gray on normalised values', () => {
    const img = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255]) };
    expect(Array.from(toModelInput(img, DEFAULT_PREPROCESS, 3).data)).toEqual([-1, -1, -1, 1, 1, 1]);
    const g = toModelInput({ width: 1, height: 1, data: new Uint8Array([255, 0, 0]) }, DEFAULT_PREPROCESS, 1);
    expect(g.channels).toBe(1);
    expect(g.data[0]).toBeCloseTo(0.299 - 0.587 - 0.114, 6);
  });
  it('rejects bad channel counts', () => {
    const img = { width: 1, height: 1, data: new Uint8Array(3) };
    expect(() => toModelInput(img, DEFAULT_PREPROCESS, 2 as 3)).toThrow(/channels/);
  });
});

describe('toRgba', () => {
  it('adds opaque alpha', () => {
    const out = toRgba({ width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
    expect(Array.from(out)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    expect(out).toBeInstanceOf(Uint8ClampedArray);
  });
});
