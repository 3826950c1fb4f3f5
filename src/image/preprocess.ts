/**
 * DRIT test-time pre-processing (design doc §1.3), after decoding to RGB:
 *   resize (PIL bicubic, `resizeForModel`) -> torchvision CenterCrop -> ToTensor (/255)
 *   -> Normalize(mean, std) -> [optional] grayscale -> NHWC float32, batch 1.
 *
 * Float arithmetic mirrors PyTorch's float32 ops step by step (Math.fround after every op):
 *   x = f32(f32(f32(v / 255) - mean) / std)
 * and for 1-channel domains gray = f32(f32(f32(x_r * 0.299) + f32(x_g * 0.587)) + f32(x_b * 0.114))
 * on the *normalised* values (DRIT's dataset code), weights as float32.
 *
 * CenterCrop follows torchvision >= 0.8: if the crop is larger than the image in a dimension,
 * the image is first zero-padded (left/top = (crop - size) // 2, right/bottom = the rest), then
 * top = int(round((h - crop) / 2.0)) with Python's round-half-to-even (same for left).
 * (torchvision <= 0.7 instead cropped with a negative offset, which places the image one pixel
 * further right/down for some odd differences; this never happens with DRIT's settings since
 * every resize mode yields both sides >= resize >= crop.)
 *
 * No Node or DOM imports: runs in Web Workers too.
 */
import type { Preprocess } from '../pack/manifest';
import { toUint8Image } from './postprocess';
import { resizeForModel } from './resize';
import { ImageError, assertRgbImage, type RgbImage } from './types';

/** A batch-1 NHWC float32 tensor (ready for `tf.tensor(data, [1, height, width, channels])`). */
export interface ModelInput {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

export interface PreprocessResult {
  /** The normalised network input. */
  input: ModelInput;
  /** The RGB pixels the network sees: the centre crop of the resized image (before normalising). */
  crop: RgbImage;
  /**
   * The model input mapped back to 8 bits exactly as the official saver writes `input.png`
   * (truncation; for 1-channel domains the gray value tiled to RGB). May be 1 below `crop`.
   */
  preview: RgbImage;
  /** Size after the resize step, before cropping. */
  resized: { width: number; height: number };
}

/** Python's round() for the x.0 / x.5 values used by torchvision (round half to even). */
function pyRound(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * torchvision `CenterCrop(size)` on an RGB image (`size` = square side or {width, height}).
 * Pads with black when the crop is larger than the image (torchvision >= 0.8 behaviour).
 */
export function centerCrop(img: RgbImage, size: number | { width: number; height: number }): RgbImage {
  assertRgbImage(img, 'centerCrop');
  const cw = typeof size === 'number' ? size : size.width;
  const ch = typeof size === 'number' ? size : size.height;
  if (!Number.isInteger(cw) || !Number.isInteger(ch) || cw < 1 || ch < 1) {
    throw new ImageError('INVALID_ARGUMENT', `centerCrop: crop size must be positive integers (got ${cw}x${ch})`);
  }
  const padLeft = cw > img.width ? Math.floor((cw - img.width) / 2) : 0;
  const padTop = ch > img.height ? Math.floor((ch - img.height) / 2) : 0;
  const paddedW = cw > img.width ? cw : img.width;
  const paddedH = ch > img.height ? ch : img.height;
  const top = pyRound((paddedH - ch) / 2.0);
  const left = pyRound((paddedW - cw) / 2.0);
  // Output (y, x) reads source (y + top - padTop, x + left - padLeft), black outside.
  const dy = top - padTop;
  const dx = left - padLeft;
  const out = new Uint8Array(cw * ch * 3);
  const xStart = Math.max(0, -dx);
  const xEnd = Math.min(cw, img.width - dx);
  if (xEnd > xStart) {
    for (let y = 0; y < ch; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= img.height) continue;
      const srcOff = (sy * img.width + xStart + dx) * 3;
      out.set(img.data.subarray(srcOff, srcOff + (xEnd - xStart) * 3), (y * cw + xStart) * 3);
    }
  }
  return { width: cw, height: ch, data: out };
}

function checkChannels(channels: number): void {
  if (channels !== 1 && channels !== 3) {
    throw new ImageError('INVALID_ARGUMENT', `channels must be 1 or 3 (got ${channels})`);
  }
}

/**
 * ToTensor + Normalize (+ DRIT's grayscale for 1-channel domains) of an already resized and
 * cropped image, as an NHWC float32 batch-1 tensor.
 */
export function toModelInput(
  img: RgbImage,
  p: Pick<Preprocess, 'mean' | 'std'>,
  channels: 1 | 3,
): ModelInput {
  assertRgbImage(img, 'toModelInput');
  checkChannels(channels);
  const f = Math.fround;
  const m0 = f(p.mean[0]);
  const m1 = f(p.mean[1]);
  const m2 = f(p.mean[2]);
  const s0 = f(p.std[0]);
  const s1 = f(p.std[1]);
  const s2 = f(p.std[2]);
  for (const s of [s0, s1, s2]) {
    if (!(s !== 0 && Number.isFinite(s))) {
      throw new ImageError('INVALID_ARGUMENT', `preprocess.std must be finite and non-zero (got ${p.std.join(', ')})`);
    }
  }
  const n = img.width * img.height;
  const src = img.data;
  const out = new Float32Array(n * channels);
  if (channels === 3) {
    for (let i = 0; i < n * 3; i += 3) {
      out[i] = f(f(src[i]! / 255) - m0) / s0;
      out[i + 1] = f(f(src[i + 1]! / 255) - m1) / s1;
      out[i + 2] = f(f(src[i + 2]! / 255) - m2) / s2;
    }
  } else {
    const wr = f(0.299);
    const wg = f(0.587);
    const wb = f(0.114);
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const r = f(f(f(src[j]! / 255) - m0) / s0);
      const g = f(f(f(src[j + 1]! / 255) - m1) / s1);
      const b = f(f(f(src[j + 2]! / 255) - m2) / s2);
      out[i] = f(f(r * wr) + f(g * wg)) + f(b * wb);
    }
  }
  // The last op of each expression is not wrapped in f(): storing into the Float32Array rounds
  // it exactly once, like the float32 op it stands for (its operands are already float32).
  // f(v / 255) equals float32 division: double then float rounding is innocuous for '/'.
  return { data: out, height: img.height, width: img.width, channels };
}

/** Full pre-processing: resize -> centre crop -> normalise, plus the crop and preview images. */
export function preprocessForModel(img: RgbImage, p: Preprocess, channels: 1 | 3): PreprocessResult {
  checkChannels(channels);
  const resized = resizeForModel(img, p);
  const crop = centerCrop(resized, p.crop);
  const input = toModelInput(crop, p, channels);
  const preview = toUint8Image(input.data, input.height, input.width, input.channels);
  return { input, crop, preview, resized: { width: resized.width, height: resized.height } };
}
