/**
 * Image decoding in the worker. The header is read first by the shared reader
 * (`src/image/header.ts`: PNG, JPEG, GIF, WebP, BMP) so that a huge image is refused before the
 * browser tries to allocate it; then createImageBitmap decodes
 * (downscaling very large but acceptable images) and the pixels become an `RgbImage`.
 */
import { errorMessage } from '../errors';
import { readImageHeader, type ImageHeader } from '../image/header';
import { ImageError, fromRgba, type RgbImage } from '../image/types';
import { codedError } from './protocol';

/** Refuse images above this many pixels without decoding them. */
export const MAX_PIXELS = 50_000_000;
/** Longest side kept after decoding; larger images are downscaled (with a notice). */
export const MAX_SIDE = 4096;

function megapixels(w: number, h: number): string {
  return `${(w * h / 1e6).toFixed(w * h >= 1e7 ? 0 : 1)} MP`;
}

export interface DecodeResult {
  image: RgbImage;
  /** Size of the file's image before any downscaling. */
  originalWidth: number;
  originalHeight: number;
  downscaled: boolean;
}

/** Decodes image file bytes to RGB; throws coded errors the UI shows as they are. */
export async function decodeImageBytes(bytes: ArrayBuffer, name: string): Promise<DecodeResult> {
  const label = name ? `“${name}”` : 'The file';
  let info: ImageHeader;
  try {
    info = readImageHeader(new Uint8Array(bytes));
  } catch (e) {
    const code = e instanceof ImageError ? e.code : undefined;
    if (code === 'EMPTY') throw codedError('NOT_AN_IMAGE', `${label} is empty.`, e);
    if (code === 'UNSUPPORTED_FORMAT') throw codedError('NOT_AN_IMAGE', `${label} is not an image: expected a PNG, JPEG, WebP, GIF or BMP file.`, e);
    throw codedError('IMAGE_CORRUPT', `${label} is not a readable image: ${errorMessage(e)}.`, e);
  }
  if (info.width * info.height > MAX_PIXELS) {
    throw codedError(
      'IMAGE_TOO_LARGE',
      `${label} is ${info.width} × ${info.height} pixels (${megapixels(info.width, info.height)}); the limit is ${MAX_PIXELS / 1e6} MP. Please downscale it first.`,
    );
  }
  const blob = new Blob([bytes]);
  const common: ImageBitmapOptions = { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, common);
  } catch (e) {
    throw codedError(
      'IMAGE_CORRUPT',
      `${label} could not be decoded: the ${info.format.toUpperCase()} data is corrupt or truncated (${(e as Error).message}).`,
    );
  }
  const originalWidth = bitmap.width;
  const originalHeight = bitmap.height;
  if (originalWidth * originalHeight > MAX_PIXELS) {
    bitmap.close();
    throw codedError(
      'IMAGE_TOO_LARGE',
      `${label} is ${originalWidth} × ${originalHeight} pixels (${megapixels(originalWidth, originalHeight)}); the limit is ${MAX_PIXELS / 1e6} MP. Please downscale it first.`,
    );
  }
  let downscaled = false;
  const longest = Math.max(originalWidth, originalHeight);
  if (longest > MAX_SIDE) {
    const scale = MAX_SIDE / longest;
    const resizeWidth = Math.max(1, Math.round(originalWidth * scale));
    const resizeHeight = Math.max(1, Math.round(originalHeight * scale));
    bitmap.close();
    bitmap = await createImageBitmap(blob, { ...common, resizeWidth, resizeHeight, resizeQuality: 'high' });
    downscaled = true;
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D context');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { image: fromRgba(rgba), originalWidth, originalHeight, downscaled };
  } finally {
    bitmap.close();
  }
}
