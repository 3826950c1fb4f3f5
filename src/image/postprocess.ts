/**
 * DRIT post-processing (design doc §1.4): network output in [-1, 1] -> 8-bit RGB, exactly as the
 * official saver does it in NumPy on a float32 array:
 *   u8 = ((x + 1) / 2.0 * 255.0).astype(uint8)
 * i.e. float32 arithmetic after every op, then truncation toward zero (no rounding). Values the
 * official code never produces (outside [-1, 1], NaN) are clamped to [0, 255] / mapped to 0 here,
 * after truncation, so in-range values are untouched. 1-channel outputs are tiled to RGB.
 *
 * No Node or DOM imports: runs in Web Workers too.
 */
import { ImageError, assertRgbImage, type RgbImage } from './types';

/** The saver's per-value mapping: trunc(f32(f32(f32(x + 1) / 2) * 255)), clamped to [0, 255]. */
export function toUint8Value(x: number): number {
  const f = Math.fround;
  const y = f(f(f(x + 1) / 2.0) * 255.0);
  if (!(y > 0)) return 0; // also NaN
  if (y >= 255) return 255;
  return Math.trunc(y);
}

/**
 * NHWC (batch 1, or just HWC) float32 network output -> RGB image with the truncation mapping.
 * `channels` = 1 (tiled to RGB) or 3.
 */
export function toUint8Image(data: Float32Array, height: number, width: number, channels: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError('INVALID_ARGUMENT', `toUint8Image: bad size ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new ImageError('INVALID_ARGUMENT', `toUint8Image: channels must be 1 or 3 (got ${channels})`);
  }
  const n = width * height;
  if (data.length !== n * channels) {
    throw new ImageError(
      'INVALID_ARGUMENT',
      `toUint8Image: expected ${n * channels} values for ${height}x${width}x${channels}, got ${data.length}`,
    );
  }
  const out = new Uint8Array(n * 3);
  if (channels === 3) {
    for (let i = 0; i < n * 3; i++) out[i] = toUint8Value(data[i]!);
  } else {
    for (let i = 0; i < n; i++) {
      const v = toUint8Value(data[i]!);
      out[i * 3] = v;
      out[i * 3 + 1] = v;
      out[i * 3 + 2] = v;
    }
  }
  return { width, height, data: out };
}

/** RGB -> RGBA with alpha 255, e.g. for `new ImageData(toRgba(img), img.width, img.height)`. */
export function toRgba(img: RgbImage): Uint8ClampedArray<ArrayBuffer> {
  assertRgbImage(img, 'toRgba');
  const n = img.width * img.height;
  const out = new Uint8ClampedArray(n * 4);
  const src = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[j] = src[i * 3]!;
    out[j + 1] = src[i * 3 + 1]!;
    out[j + 2] = src[i * 3 + 2]!;
    out[j + 3] = 255;
  }
  return out;
}
