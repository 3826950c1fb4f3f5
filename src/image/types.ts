/**
 * Image containers shared by the whole image pipeline (browser, worker and Node).
 *
 * The canonical pixel format is `RgbImage`: 8-bit RGB, 3 bytes per pixel, row-major, no
 * alpha — the equivalent of a PIL image after `convert('RGB')`. Helpers here convert the
 * browser's RGBA `ImageData` (alpha dropped WITHOUT compositing, like PIL's RGBA->RGB) and
 * grayscale buffers (replicated to R=G=B, like PIL's L->RGB) into it.
 *
 * No Node or DOM imports: this file runs in Web Workers too.
 */
import { DritError } from '../errors';

/** 8-bit RGB image, 3 bytes per pixel, row-major (index = (y * width + x) * 3 + c). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Anything shaped like a DOM `ImageData`: RGBA, 4 bytes per pixel, row-major. */
export interface RgbaImageLike {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export type ImageErrorCode =
  /** Zero-byte input. */
  | 'EMPTY'
  /** Not a PNG or JPEG (or a PNG/JPEG variant the decoder cannot handle). */
  | 'UNSUPPORTED_FORMAT'
  /** Width x height above the configured pixel limit. */
  | 'TOO_LARGE'
  /** Truncated or corrupt file; the message carries the decoder's reason. */
  | 'CORRUPT'
  /** Bad arguments to a pipeline function (sizes, buffer lengths, channel counts). */
  | 'INVALID_ARGUMENT';

/** Error thrown by every function of `src/image/`; `code` is stable, the message is for humans. */
export class ImageError extends DritError<ImageErrorCode> {
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ImageError';
  }
}

function assertDims(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError(
      'INVALID_ARGUMENT',
      `${what}: width and height must be positive integers (got ${width}x${height})`,
    );
  }
}

/** Throws `ImageError('INVALID_ARGUMENT')` unless `img` is a well-formed `RgbImage`. */
export function assertRgbImage(img: RgbImage, what = 'image'): void {
  assertDims(img.width, img.height, what);
  if (!(img.data instanceof Uint8Array) || img.data.length !== img.width * img.height * 3) {
    throw new ImageError(
      'INVALID_ARGUMENT',
      `${what}: expected ${img.width * img.height * 3} RGB bytes for ${img.width}x${img.height}, got ${img.data.length}`,
    );
  }
}

/** A new RGB image; zero-filled unless `data` is given (used as is, not copied). */
export function createRgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  assertDims(width, height, 'createRgbImage');
  const img: RgbImage = { width, height, data: data ?? new Uint8Array(width * height * 3) };
  assertRgbImage(img, 'createRgbImage');
  return img;
}

/** RGBA (e.g. canvas `ImageData`) -> RGB, alpha dropped without compositing (PIL `convert('RGB')`). */
export function fromRgba(img: RgbaImageLike): RgbImage {
  assertDims(img.width, img.height, 'fromRgba');
  const n = img.width * img.height;
  if (img.data.length !== n * 4) {
    throw new ImageError(
      'INVALID_ARGUMENT',
      `fromRgba: expected ${n * 4} RGBA bytes for ${img.width}x${img.height}, got ${img.data.length}`,
    );
  }
  const src = img.data;
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i * 3] = src[j]!;
    out[i * 3 + 1] = src[j + 1]!;
    out[i * 3 + 2] = src[j + 2]!;
  }
  return { width: img.width, height: img.height, data: out };
}

/** 8-bit grayscale (1 byte per pixel) -> RGB with R = G = B (PIL `L` -> `RGB`). */
export function fromGray(width: number, height: number, gray: Uint8Array | Uint8ClampedArray): RgbImage {
  assertDims(width, height, 'fromGray');
  const n = width * height;
  if (gray.length !== n) {
    throw new ImageError(
      'INVALID_ARGUMENT',
      `fromGray: expected ${n} bytes for ${width}x${height}, got ${gray.length}`,
    );
  }
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = gray[i]!;
    out[i * 3] = v;
    out[i * 3 + 1] = v;
    out[i * 3 + 2] = v;
  }
  return { width, height, data: out };
}

/** Deep copy. */
export function cloneRgbImage(img: RgbImage): RgbImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}
