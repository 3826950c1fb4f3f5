/**
 * Node-only image file I/O for the CLIs: PNG/JPEG bytes -> `RgbImage` (like PIL's
 * `Image.open(f).convert('RGB')`), and `RgbImage` -> PNG bytes. Not for browsers (pngjs needs
 * Node's zlib/Buffer): there, `decodeJpeg` from './jpeg' is pure and PIL-exact, while canvas /
 * createImageBitmap decoding may differ (browser JPEG decoders, colour management, premultiplied
 * alpha) and goes through `fromRgba`.
 *
 * Safety: the format is sniffed from the magic bytes and width x height is read from the header
 * (PNG IHDR, JPEG SOFn) BEFORE any pixel memory is allocated; images above `maxPixels` (default
 * 50 MP) are refused with `ImageError('TOO_LARGE')`. Every failure is an `ImageError` with a code:
 * EMPTY, UNSUPPORTED_FORMAT, TOO_LARGE, CORRUPT (message carries the decoder's reason).
 *
 * Conversion to RGB follows Pillow 9.4's PNG modes + `convert('RGB')`:
 *  - alpha (RGBA, LA, palette tRNS) is dropped without compositing;
 *  - a tRNS colour key on gray/RGB images is ignored (pngjs would zero those pixels: the chunk
 *    is stripped before decoding so the stored colour survives, as in PIL);
 *  - grayscale (1/2/4/8-bit) is replicated, 1/2/4-bit scaled to 0..255 (x255, x85, x17);
 *  - 16-bit RGB / RGBA / gray+alpha: the high byte (PIL's RGB;16B / RGBA;16B / LA;16B unpackers);
 *  - 16-bit grayscale: PIL opens it as mode "I" and convert('RGB') CLAMPS the 16-bit value to
 *    [0, 255] (so nearly everything becomes white). We reproduce that quirk on purpose so the
 *    pipeline stays bit-identical with the PyTorch reference.
 * JPEG is decoded by `./jpeg.ts`, a port of libjpeg-turbo's default decoding path (ISLOW IDCT,
 * fancy upsampling, integer YCbCr tables) that is bit-identical with Pillow 9.4 on Debian (checked
 * in jpeg.test.ts). EXIF orientation is ignored, as by PIL's open + convert.
 */
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { readRegularFile } from '../node/read-file';
import { decodeJpeg } from './jpeg';
import { applyOrientation, exifOrientation, type OrientationPolicy } from './orientation';
import { ascii, describeStart, readImageHeader as readSharedHeader, sniffFormat, u32be } from './header';
import { ImageError, type RgbImage } from './types';

export { ImageError } from './types';
export type { ImageErrorCode } from './types';

export const DEFAULT_MAX_PIXELS = 50_000_000;

/** Room for what is not pixel data: chunk and segment framing, EXIF, ICC profiles, text chunks. */
const METADATA_BYTES = 64 * 1024 * 1024;

/**
 * The largest file a PNG or JPEG of at most `maxPixels` pixels can be: the PNG worst case, 16-bit
 * RGBA stored without compression (deflate "stored" blocks, 5 bytes per 65535), is 8 bytes a pixel
 * plus one filter byte per row (a row per pixel for a 1-pixel-wide image), plus `METADATA_BYTES`.
 * JPEGs are smaller (noise at quality 100 without subsampling: about 4 bytes a pixel). For 50 MP
 * this is 517,143,199 bytes; a larger file is refused before it is read.
 */
export function maxImageFileBytes(maxPixels = DEFAULT_MAX_PIXELS): number {
  const raw = maxPixels * 9;
  return raw + Math.ceil(raw / 65535) * 5 + METADATA_BYTES;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (default 50 MP), checked on the header. */
  maxPixels?: number;
  /** 'exif' (default, as browsers): apply the file's EXIF orientation; 'ignore': raw pixels, as PIL's open(). */
  orientation?: OrientationPolicy;
}

/** The CLIs read PNG and JPEG (the formats of the official data and PIL-exact decoders here). */
export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
}

interface PngHeader extends ImageHeader {
  format: 'png';
  bitDepth: number;
  colorType: number;
}

function chunkType(b: Uint8Array, o: number): string {
  return ascii(b, o, 4);
}

/**
 * Format and size from the header only (no pixel decoding), through the shared reader
 * (`./header`). Throws ImageError EMPTY / UNSUPPORTED_FORMAT (also for GIF, WebP, BMP: the
 * browser reads those, the CLIs do not) / CORRUPT.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ImageError('EMPTY', 'empty file');
  const format = sniffFormat(bytes);
  if (format !== 'png' && format !== 'jpeg') {
    const other = format ? ` — a ${format.toUpperCase()} image: the command-line tools read PNG and JPEG, convert it first` : '';
    throw new ImageError('UNSUPPORTED_FORMAT', `not a PNG or JPEG image (starts with ${describeStart(bytes)})${other}`);
  }
  const h = readSharedHeader(bytes);
  return { format, width: h.width, height: h.height };
}

function formatMp(pixels: number): string {
  const mp = pixels / 1e6;
  const s = mp >= 10 ? mp.toFixed(0) : mp >= 0.1 ? mp.toFixed(1) : mp.toPrecision(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function checkSize(h: ImageHeader, maxPixels: number): void {
  const pixels = h.width * h.height;
  if (pixels > maxPixels) {
    throw new ImageError(
      'TOO_LARGE',
      `image is ${h.width}x${h.height} (${formatMp(pixels)} MP), larger than the ${formatMp(maxPixels)} MP limit`,
    );
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Removes tRNS chunks (only called for gray/RGB PNGs, where PIL's convert('RGB') ignores them). */
function stripTrns(b: Uint8Array): Uint8Array {
  const parts: Array<[number, number]> = [[0, 8]];
  let found = false;
  let o = 8;
  while (o < b.length) {
    if (o + 12 > b.length) {
      parts.push([o, b.length]); // truncated tail: keep as is, the decoder reports it
      break;
    }
    const end = o + 12 + u32be(b, o);
    if (end <= b.length && chunkType(b, o + 4) === 'tRNS') found = true;
    else parts.push([o, Math.min(end, b.length)]);
    o = end;
  }
  if (!found) return b;
  const out = new Uint8Array(parts.reduce((s, [a, z]) => s + (z - a), 0));
  let p = 0;
  for (const [a, z] of parts) {
    out.set(b.subarray(a, z), p);
    p += z - a;
  }
  return out;
}

const IEND_CHUNK = new Uint8Array([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/** Walks the chunk list: does it end exactly on a chunk boundary, and is there an IEND? */
function pngChunkWalk(b: Uint8Array): { complete: boolean; hasIend: boolean; hasIdat: boolean } {
  let o = 8;
  let hasIdat = false;
  while (o + 12 <= b.length) {
    const end = o + 12 + u32be(b, o);
    if (end > b.length) return { complete: false, hasIend: false, hasIdat };
    const type = chunkType(b, o + 4);
    if (type === 'IEND') return { complete: true, hasIend: true, hasIdat };
    if (type === 'IDAT') hasIdat = true;
    o = end;
  }
  return { complete: o === b.length, hasIend: false, hasIdat };
}

const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
];
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * pngjs inflates an interlaced image's data without a bound: a tiny file could claim gigabytes.
 * Inflate it here first, capped at what the header implies (filter byte + packed row per row of
 * each Adam7 pass) plus 1 MiB, so it fails fast and small before pngjs sees it.
 */
function checkInterlacedSize(b: Uint8Array, header: PngHeader): void {
  if (b.length < 29 || b[28] !== 1) return; // IHDR interlace method 1 = Adam7
  const bits = (PNG_CHANNELS[header.colorType] ?? 4) * header.bitDepth;
  let expected = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((header.width - x0) / dx);
    const h = Math.ceil((header.height - y0) / dy);
    if (w > 0 && h > 0) expected += h * (1 + Math.ceil((w * bits) / 8));
  }
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 12 <= b.length; ) {
    const len = u32be(b, o);
    if (chunkType(b, o + 4) === 'IDAT') idat.push(b.subarray(o + 8, Math.min(b.length, o + 8 + len)));
    o += 12 + len;
  }
  const data = Buffer.concat(idat);
  try {
    inflateSync(data, { maxOutputLength: expected + 1024 * 1024, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new ImageError('CORRUPT', `corrupt PNG: the image data inflates past the ${expected} bytes a ${header.width}x${header.height} interlaced image needs`);
    }
    // other inflate errors: left to the decoder, which reports them in its own words
  }
}

function decodePng(bytes: Uint8Array, header: PngHeader): RgbImage {
  const { colorType, bitDepth } = header;
  checkInterlacedSize(bytes, header);
  let src = colorType === 0 || colorType === 2 ? stripTrns(bytes) : bytes;
  const walk = pngChunkWalk(src);
  if (walk.complete && !walk.hasIdat) {
    throw new ImageError('CORRUPT', `corrupt PNG: ${walk.hasIend ? 'no image data (IDAT chunk)' : 'file is truncated (no image data)'}`);
  }
  if (walk.complete && !walk.hasIend) {
    // Like PIL, accept a file that only lacks its IEND chunk (the pixels may all be there).
    const fixed = new Uint8Array(src.length + IEND_CHUNK.length);
    fixed.set(src, 0);
    fixed.set(IEND_CHUNK, src.length);
    src = fixed;
  }
  let decoded: { width: number; height: number; data: Uint8Array | Uint16Array };
  try {
    decoded = PNG.sync.read(Buffer.from(src.buffer, src.byteOffset, src.byteLength), {
      skipRescale: bitDepth === 16,
    });
  } catch (e) {
    const reason = errorMessage(e).replace(/^There are some read requests wait\w* on finished stream$/, 'unexpected end of data');
    const what = walk.complete ? 'corrupt PNG' : 'corrupt PNG: file is truncated';
    throw new ImageError('CORRUPT', `${what} (${reason})`, { cause: e });
  }
  const { width, height, data } = decoded;
  const n = width * height;
  if (width !== header.width || height !== header.height || data.length !== n * 4) {
    throw new ImageError('CORRUPT', 'corrupt PNG: decoder returned an unexpected pixel buffer');
  }
  const out = new Uint8Array(n * 3);
  if (data instanceof Uint16Array) {
    // 16-bit samples (skipRescale): PIL semantics, see the module comment.
    const clampGray = colorType === 0;
    for (let i = 0, j = 0; i < n * 3; i += 3, j += 4) {
      for (let c = 0; c < 3; c++) {
        const v = data[j + c]!;
        out[i + c] = clampGray ? (v > 255 ? 255 : v) : v >> 8;
      }
    }
  } else {
    for (let i = 0, j = 0; i < n * 3; i += 3, j += 4) {
      out[i] = data[j]!;
      out[i + 1] = data[j + 1]!;
      out[i + 2] = data[j + 2]!;
    }
  }
  return { width, height, data: out };
}

function pixelLimit(opts: DecodeOptions): number {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(maxPixels > 0)) throw new ImageError('INVALID_ARGUMENT', `maxPixels must be positive (got ${maxPixels})`);
  return maxPixels;
}

/**
 * Decodes a PNG or JPEG file to RGB (PIL `open(...).convert('RGB')` semantics, see above), then
 * turns it upright by its EXIF orientation unless `orientation: 'ignore'` (src/image/orientation.ts).
 * Throws `ImageError` (EMPTY, UNSUPPORTED_FORMAT, TOO_LARGE, CORRUPT).
 */
export function decodeImageFile(bytes: Uint8Array, opts: DecodeOptions = {}): RgbImage {
  const maxPixels = pixelLimit(opts);
  if (bytes.length === 0) throw new ImageError('EMPTY', 'empty file');
  const upright = (img: RgbImage): RgbImage => ((opts.orientation ?? 'exif') === 'exif' ? applyOrientation(img, exifOrientation(bytes)) : img);
  const header = readImageHeader(bytes);
  checkSize(header, maxPixels);
  if (header.format === 'png') return upright(decodePng(bytes, { ...header, format: 'png', bitDepth: bytes[24]!, colorType: bytes[25]! }));
  return upright(decodeJpeg(bytes, { maxPixels }));
}

/**
 * Reads the image file the user named and decodes it (`decodeImageFile`): only a regular file of
 * at most `maxImageFileBytes(maxPixels)` bytes is read (`readRegularFile`: devices, FIFOs, sockets
 * and folders are refused with a `FileError` naming the path and what it is).
 */
export function readImageFile(path: string, opts: DecodeOptions = {}): RgbImage {
  const maxPixels = pixelLimit(opts);
  const bytes = readRegularFile(path, { what: 'image', maxBytes: maxImageFileBytes(maxPixels), why: `a PNG or JPEG of at most ${formatMp(maxPixels)} MP can have` });
  return decodeImageFile(bytes, opts);
}

/** Encodes an RGB image as an 8-bit RGB PNG (no gamma or other ancillary chunks). */
export function encodePng(img: RgbImage): Uint8Array {
  const n = img.width * img.height;
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || n < 1 || img.data.length !== n * 3) {
    throw new ImageError('INVALID_ARGUMENT', `encodePng: bad image ${img.width}x${img.height} with ${img.data.length} bytes`);
  }
  const png = new PNG();
  png.width = img.width;
  png.height = img.height;
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const out = PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false, deflateLevel: 6 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
