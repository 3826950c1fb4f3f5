/**
 * Image decoding in the worker. The header is read first (PNG, JPEG, GIF, WebP, BMP) so that a
 * huge image is refused before the browser tries to allocate it; then createImageBitmap decodes
 * (downscaling very large but acceptable images) and the pixels become an `RgbImage`.
 */
import { fromRgba, type RgbImage } from '../image/types';
import { codedError } from './protocol';

/** Refuse images above this many pixels without decoding them. */
export const MAX_PIXELS = 50_000_000;
/** Longest side kept after decoding; larger images are downscaled (with a notice). */
export const MAX_SIDE = 4096;

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';

export interface HeaderInfo {
  format: ImageFormat;
  /** Undefined when the header could not be parsed far enough (left to the decoder). */
  width?: number;
  height?: number;
}

function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u24le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
}
function i32le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}
function ascii(b: Uint8Array, o: number, n: number): string {
  return String.fromCharCode(...b.subarray(o, o + n));
}

function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return undefined;
    let marker = b[o + 1]!;
    while (marker === 0xff && o + 2 < b.length) {
      o++;
      marker = b[o + 1]!;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      o += 2;
      continue;
    }
    const len = u16be(b, o + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: u16be(b, o + 5), width: u16be(b, o + 7) };
    if (marker === 0xda || marker === 0xd9) return undefined;
    o += 2 + len;
  }
  return undefined;
}

/** Recognises the format and, where the header tells, the size. Undefined = not an image we know. */
export function sniffImage(b: Uint8Array): HeaderInfo | undefined {
  if (b.length >= 24 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a) {
    return ascii(b, 12, 4) === 'IHDR' ? { format: 'png', width: u32be(b, 16), height: u32be(b, 20) } : { format: 'png' };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    return { format: 'jpeg', ...jpegSize(b) };
  }
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 30 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const chunk = ascii(b, 12, 4);
    if (chunk === 'VP8X') return { format: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
    if (chunk === 'VP8 ') return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    if (chunk === 'VP8L' && b[20] === 0x2f) {
      const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    return { format: 'webp' };
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    return { format: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  }
  return undefined;
}

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
  const head = new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 256 * 1024));
  const label = name ? `“${name}”` : 'The file';
  if (bytes.byteLength === 0) throw codedError('NOT_AN_IMAGE', `${label} is empty.`);
  const info = sniffImage(head);
  if (!info) {
    throw codedError('NOT_AN_IMAGE', `${label} is not an image: expected a PNG, JPEG, WebP, GIF or BMP file.`);
  }
  if (info.width !== undefined && info.height !== undefined) {
    if (info.width === 0 || info.height === 0) {
      throw codedError('IMAGE_CORRUPT', `${label} is a corrupt ${info.format.toUpperCase()} (its header says ${info.width} × ${info.height} pixels).`);
    }
    if (info.width * info.height > MAX_PIXELS) {
      throw codedError(
        'IMAGE_TOO_LARGE',
        `${label} is ${info.width} × ${info.height} pixels (${megapixels(info.width, info.height)}); the limit is ${MAX_PIXELS / 1e6} MP. Please downscale it first.`,
      );
    }
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
