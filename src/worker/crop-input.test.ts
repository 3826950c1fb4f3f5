import { describe, expect, it } from 'vitest';
import { DEFAULT_PREPROCESS } from '../pack/manifest';
import { clampCrop, cropRegion, framesFromOutput, prepareInput } from './crop-input';

function gradient(w: number, h: number) {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x % 256, y % 256, (x + y) % 256], (y * w + x) * 3);
  return { width: w, height: h, data };
}

describe('crop boxes', () => {
  it('are clamped inside the image and kept square', () => {
    expect(clampCrop({ x: -10, y: 5, size: 50 }, 40, 30)).toEqual({ x: 0, y: 0, size: 30 });
    expect(clampCrop({ x: 35, y: 25, size: 10 }, 40, 30)).toEqual({ x: 30, y: 20, size: 10 });
  });

  it('cut exactly the requested pixels', () => {
    const img = gradient(40, 30);
    const c = cropRegion(img, { x: 3, y: 4, size: 5 });
    expect(c.width).toBe(5);
    expect([...c.data.subarray(0, 3)]).toEqual([3, 4, 7]);
    expect([...c.data.subarray(c.data.length - 3)]).toEqual([7, 8, 15]);
  });

  it('null = the model pre-processing; a box is resized to the model crop size', () => {
    const p = { ...DEFAULT_PREPROCESS, resize: 72, crop: 64 };
    const img = gradient(300, 240);
    const model = prepareInput(img, null, p, 3);
    expect([model.input.height, model.input.width, model.input.channels]).toEqual([64, 64, 3]);
    expect(model.preview.data.length).toBe(64 * 64 * 4);
    const boxed = prepareInput(img, { x: 10, y: 10, size: 200 }, p, 3);
    expect([boxed.input.height, boxed.input.width]).toEqual([64, 64]);
    expect(boxed.input.data).not.toEqual(model.input.data);
    for (const v of boxed.input.data) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(prepareInput(img, null, p, 1).input.channels).toBe(1);
  });
});

describe('framesFromOutput', () => {
  it('maps [-1, 1] to 0..255 per channel', () => {
    const data = new Float32Array([-1, 0, 1, 1, 1, -1]);
    const [a, b] = framesFromOutput(data, 2, 1, 1, 3);
    expect([...a!.data]).toEqual([0, 127, 255, 255]);
    expect([...b!.data]).toEqual([255, 255, 0, 255]);
  });
});
