/**
 * Images in and out of the library. In: an `ImageData` (or any `{ width, height, data }` RGBA
 * object), anything a canvas can draw (ImageBitmap, canvas, OffscreenCanvas, <img>, <video>), or
 * the bytes of a PNG/JPEG file (Uint8Array, Node Buffer, ArrayBuffer). Out: `ImageData` (in Node,
 * which has no ImageData, an object of the same shape).
 *
 * File bytes are decoded the way the CLIs decode them (PIL-exact, src/image/node-io.ts) in Node; in
 * a browser JPEG goes through the same PIL-exact decoder (src/image/jpeg.ts) and other formats
 * through createImageBitmap. Canvas pixels lose their alpha without compositing, as PIL's RGBA->RGB.
 */
import { DritError } from '../errors';
import { sniffFormat } from '../image/header';
import { decodeJpeg } from '../image/jpeg';
import { applyOrientation, exifOrientation } from '../image/orientation';
import { toRgba } from '../image/postprocess';
import { fromRgba, type RgbImage, type RgbaImageLike } from '../image/types';
import { IS_NODE, decodeFileBytes } from './platform';

/** Everything `encodeContent`, `encodeAttribute` and `translate` accept as an image. */
export type ImageInput = ImageData | RgbaImageLike | CanvasImageSource | OffscreenCanvas | Uint8Array | ArrayBuffer;

/** Pixels above this are refused before decoding (the CLIs' limit). */
const MAX_PIXELS = 50_000_000;

function isRgbaLike(v: object): v is RgbaImageLike {
  const o = v as Partial<RgbaImageLike>;
  return typeof o.width === 'number' && typeof o.height === 'number' && (o.data instanceof Uint8ClampedArray || o.data instanceof Uint8Array);
}

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DritError('BAD_INPUT', `${what} has no pixels (${width}×${height})`);
  }
  if (width * height > MAX_PIXELS) throw new DritError('BAD_INPUT', `${what} is ${width}×${height}: more than ${MAX_PIXELS / 1e6} MP`);
}

/** Draws anything a canvas can draw and reads its pixels back. */
function drawnPixels(source: CanvasImageSource | OffscreenCanvas): RgbImage {
  const s = source as { width?: unknown; height?: unknown; naturalWidth?: number; naturalHeight?: number; videoWidth?: number; videoHeight?: number };
  const width = s.naturalWidth || s.videoWidth || Number(s.width);
  const height = s.naturalHeight || s.videoHeight || Number(s.height);
  checkSize(width, height, 'the image');
  if (typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') {
    throw new DritError('BAD_INPUT', 'this image needs a canvas to be read; give ImageData or PNG/JPEG bytes instead');
  }
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (!ctx) throw new DritError('BAD_INPUT', 'no 2D canvas context to read the image with');
  ctx.drawImage(source as CanvasImageSource, 0, 0, width, height);
  return fromRgba(ctx.getImageData(0, 0, width, height));
}

async function decodeBytes(bytes: Uint8Array): Promise<RgbImage> {
  if (bytes.length === 0) throw new DritError('BAD_INPUT', 'the image file is empty');
  if (IS_NODE) return decodeFileBytes(bytes);
  const format = sniffFormat(bytes);
  if (format === 'jpeg') return applyOrientation(decodeJpeg(bytes, { maxPixels: MAX_PIXELS }), exifOrientation(bytes));
  if (typeof createImageBitmap === 'undefined') throw new DritError('BAD_INPUT', 'this environment cannot decode image files');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch (e) {
    throw new DritError('BAD_INPUT', `the bytes are not an image this browser can decode (${format ?? 'unknown format'})`, { cause: e });
  }
  try {
    return drawnPixels(bitmap);
  } finally {
    bitmap.close();
  }
}

/** Any accepted input -> 8-bit RGB (what the model's pre-processing takes). */
export async function toRgbImage(input: ImageInput): Promise<RgbImage> {
  if (input instanceof ArrayBuffer) return decodeBytes(new Uint8Array(input));
  if (input instanceof Uint8Array) return decodeBytes(input);
  if (typeof input !== 'object' || input === null) throw new DritError('BAD_INPUT', `not an image: ${String(input)}`);
  if (isRgbaLike(input)) {
    checkSize(input.width, input.height, 'the ImageData');
    if (input.data.length !== input.width * input.height * 4) {
      throw new DritError('BAD_INPUT', `ImageData of ${input.width}×${input.height} needs ${input.width * input.height * 4} RGBA bytes, got ${input.data.length}`);
    }
    return fromRgba(input);
  }
  if ('width' in input || 'naturalWidth' in input || 'videoWidth' in input) return drawnPixels(input as CanvasImageSource);
  throw new DritError('BAD_INPUT', 'not an image: give ImageData, an ImageBitmap, a canvas, an <img> or PNG/JPEG bytes');
}

/** RGB -> ImageData (an ImageData-shaped object where the global is missing, e.g. Node). */
export function toImageData(img: RgbImage): ImageData {
  const data = toRgba(img);
  if (typeof ImageData !== 'undefined') return new ImageData(data, img.width, img.height);
  return { width: img.width, height: img.height, data, colorSpace: 'srgb' } as ImageData;
}
