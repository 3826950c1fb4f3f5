/**
 * A live camera frame (an ImageBitmap transferred from the page) -> RGB pixels, inside the worker.
 * The frame then goes through the same crop + Pillow-exact resize as a still photo
 * (`crop-input.ts`), so freezing a frame and translating it as a photo gives the same pixels.
 */
import type { RgbImage } from '../image/types';
import { fromRgba } from '../image/types';
import { MAX_SIDE } from './decode';
import { codedError } from './protocol';

/** Reads a bitmap's pixels (and closes it: a camera frame is used once). */
export function rgbFromBitmap(bitmap: ImageBitmap): RgbImage {
  try {
    const { width, height } = bitmap;
    if (width < 1 || height < 1) throw codedError('IMAGE_CORRUPT', 'The camera delivered an empty frame.');
    if (width > MAX_SIDE || height > MAX_SIDE) {
      throw codedError('IMAGE_TOO_LARGE', `The camera frame is ${width} × ${height}; frames up to ${MAX_SIDE} pixels a side are supported.`);
    }
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw codedError('INTERNAL', 'No 2D canvas in the worker to read the camera frame.');
    ctx.drawImage(bitmap, 0, 0);
    return fromRgba(ctx.getImageData(0, 0, width, height));
  } finally {
    bitmap.close();
  }
}
