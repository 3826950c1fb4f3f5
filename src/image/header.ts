/**
 * The one image-header reader of the project (browser worker, Node CLIs, trainer-side tools):
 * recognises PNG, JPEG, GIF, WebP and BMP by their magic bytes and reads width × height from the
 * header alone, so a size limit can be enforced before any pixel memory is allocated or a
 * decoder runs. No Node or DOM imports.
 */
import { ImageError } from './types';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
export function u32be(b: Uint8Array, o: number): number {
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
export function ascii(b: Uint8Array, o: number, n: number): string {
  return String.fromCharCode(...b.subarray(o, o + n));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format from the magic bytes alone; undefined = none we read. */
export function sniffFormat(b: Uint8Array): ImageFormat | undefined {
  if (b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  return undefined;
}

/** "89 50 4e 47 ... ("\x89PNG...")" style description of the first bytes, for error messages. */
export function describeStart(b: Uint8Array): string {
  const head = b.subarray(0, 8);
  const hex = Array.from(head, (v) => v.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(head, (v) => (v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.')).join('');
  return `${hex}${b.length > 8 ? ' ...' : ''} "${text}"`;
}

function corrupt(format: ImageFormat, why: string): ImageError {
  return new ImageError('CORRUPT', `corrupt ${format.toUpperCase()}: ${why}`);
}

function pngSize(b: Uint8Array): [number, number] {
  if (b.length < 33 || u32be(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') throw corrupt('png', 'file truncated or missing IHDR header chunk');
  return [u32be(b, 16), u32be(b, 20)];
}

/** Walks the JPEG markers up to the frame header (SOFn); never reads entropy-coded data. */
function jpegSize(b: Uint8Array): [number, number] {
  let o = 2;
  while (o < b.length) {
    if (b[o] !== 0xff) throw corrupt('jpeg', `expected a marker at offset ${o}`);
    while (o < b.length && b[o] === 0xff) o++; // fill bytes
    if (o >= b.length) break;
    const marker = b[o]!;
    o++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // TEM, RSTn, SOI: no length
    if (marker === 0xd9) throw corrupt('jpeg', 'no frame header before end of image');
    if (marker === 0xda) throw corrupt('jpeg', 'scan data before the frame header');
    if (o + 2 > b.length) break;
    const len = u16be(b, o);
    if (len < 2) throw corrupt('jpeg', `bad segment length ${len} at offset ${o}`);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (o + 7 > b.length) break;
      return [u16be(b, o + 5), u16be(b, o + 3)];
    }
    o += len;
  }
  throw corrupt('jpeg', 'file truncated before the frame header');
}

function webpSize(b: Uint8Array): [number, number] {
  if (b.length < 30) throw corrupt('webp', 'file truncated in the header');
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X') return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  if (chunk === 'VP8 ') return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  if (chunk === 'VP8L' && b[20] === 0x2f) {
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  throw corrupt('webp', `unknown first chunk '${chunk}'`);
}

/**
 * Format and size from the header only (no pixel decoding). Throws ImageError EMPTY,
 * UNSUPPORTED_FORMAT (none of the five) or CORRUPT (a known format whose header is broken, or
 * says 0 pixels).
 */
export function readImageHeader(b: Uint8Array): ImageHeader {
  if (b.length === 0) throw new ImageError('EMPTY', 'empty file');
  const format = sniffFormat(b);
  if (!format) throw new ImageError('UNSUPPORTED_FORMAT', `not a PNG, JPEG, GIF, WebP or BMP image (starts with ${describeStart(b)})`);
  let size: [number, number];
  switch (format) {
    case 'png':
      size = pngSize(b);
      break;
    case 'jpeg':
      size = jpegSize(b);
      break;
    case 'gif':
      if (b.length < 10) throw corrupt('gif', 'file truncated in the header');
      size = [u16le(b, 6), u16le(b, 8)];
      break;
    case 'webp':
      size = webpSize(b);
      break;
    case 'bmp':
      if (b.length < 26) throw corrupt('bmp', 'file truncated in the header');
      size = [Math.abs(i32le(b, 18)), Math.abs(i32le(b, 22))];
      break;
  }
  const [width, height] = size;
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw corrupt(format, `invalid size ${width}x${height}`);
  return { format, width, height };
}
