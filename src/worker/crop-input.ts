/**
 * From a decoded image and the user's crop to the network input. `crop = null` is the model's own
 * pre-processing (resize + centre crop, docs/drit-reference.md §1.3); a user crop box is cut from the original
 * image and resized to the model's crop size with the same Pillow-exact bicubic resize.
 */
import { preprocessForModel, toModelInput, type ModelInput } from '../image/preprocess';
import { toUint8Image, toRgba } from '../image/postprocess';
import { resizeBicubic } from '../image/resize';
import type { RgbImage } from '../image/types';
import type { Preprocess } from '../pack/manifest';
import type { CropBox, RgbaFrame } from './protocol';

export interface PreparedInput {
  input: ModelInput;
  /** What the network sees, 8-bit RGBA (official truncation mapping). */
  preview: RgbaFrame;
}

/** Clamps a crop box to the image (integer pixels, at least 1 px, square). */
export function clampCrop(crop: CropBox, width: number, height: number): CropBox {
  const size = Math.max(1, Math.min(Math.round(crop.size), width, height));
  const x = Math.min(Math.max(0, Math.round(crop.x)), width - size);
  const y = Math.min(Math.max(0, Math.round(crop.y)), height - size);
  return { x, y, size };
}

/** Cuts a square region out of an RGB image. */
export function cropRegion(img: RgbImage, box: CropBox): RgbImage {
  const { x, y, size } = clampCrop(box, img.width, img.height);
  const out = new Uint8Array(size * size * 3);
  for (let r = 0; r < size; r++) {
    const src = ((y + r) * img.width + x) * 3;
    out.set(img.data.subarray(src, src + size * 3), r * size * 3);
  }
  return { width: size, height: size, data: out };
}

function asChannels(c: number): 1 | 3 {
  if (c !== 1 && c !== 3) throw new Error(`unsupported channel count ${c}`);
  return c;
}

export function prepareInput(img: RgbImage, crop: CropBox | null, p: Preprocess, channels: number): PreparedInput {
  const ch = asChannels(channels);
  if (crop === null) {
    const r = preprocessForModel(img, p, ch);
    return { input: r.input, preview: { width: r.preview.width, height: r.preview.height, data: toRgba(r.preview) } };
  }
  const region = cropRegion(img, crop);
  const resized = resizeBicubic(region, p.crop, p.crop);
  const input = toModelInput(resized, p, ch);
  const preview = toUint8Image(input.data, input.height, input.width, input.channels);
  return { input, preview: { width: preview.width, height: preview.height, data: toRgba(preview) } };
}

/** NHWC float32 output of N images in [-1, 1] -> N RGBA frames (official truncation mapping). */
export function framesFromOutput(data: Float32Array, n: number, h: number, w: number, c: number): RgbaFrame[] {
  const per = h * w * c;
  const frames: RgbaFrame[] = [];
  for (let i = 0; i < n; i++) {
    const img = toUint8Image(data.subarray(i * per, (i + 1) * per), h, w, c);
    frames.push({ width: w, height: h, data: toRgba(img) });
  }
  return frames;
}
