/**
 * EXIF orientation: the policy every decoder of this project follows is the browsers' one
 * (`createImageBitmap(..., { imageOrientation: 'from-image' })`, CSS `image-orientation: from-image`):
 * a photo whose EXIF says "rotated" is shown upright. The page gets this from the browser; the
 * CLIs read the tag here and transform the decoded pixels the way Pillow's `ImageOps.exif_transpose`
 * does (tests compare with it bit for bit). Training reads images with the same rule
 * (training/trainer/data.py, `load_rgb`).
 *
 * Tag 0x0112 in IFD0 of the EXIF block: JPEG APP1 "Exif\0\0" segment, PNG eXIf chunk. Values
 * 1..8; anything absent, malformed or out of range means 1 (as is).
 */
import type { RgbImage } from './types';

export type OrientationPolicy = 'exif' | 'ignore';

function tiffOrientation(b: Uint8Array, start: number, end: number): number {
  if (end - start < 8) return 1;
  const le = b[start] === 0x49 && b[start + 1] === 0x49;
  const be = b[start] === 0x4d && b[start + 1] === 0x4d;
  if (!le && !be) return 1;
  const u16 = (p: number) => (p + 2 > end ? -1 : le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!);
  const u32 = (p: number) => (p + 4 > end ? -1 : le ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 2 ** 24 : b[p]! * 2 ** 24 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!));
  if (u16(start + 2) !== 42) return 1;
  const ifd = start + u32(start + 4);
  const count = u16(ifd);
  if (ifd < start + 8 || count < 0) return 1;
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return 1;
    if (u16(e) === 0x0112 && u16(e + 2) === 3) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** The EXIF orientation (1..8) of a JPEG or PNG file; 1 when it has none. */
export function exifOrientation(b: Uint8Array): number {
  if (b.length > 4 && b[0] === 0xff && b[1] === 0xd8) {
    // JPEG: walk the marker segments up to the first scan
    for (let p = 2; p + 4 <= b.length; ) {
      if (b[p] !== 0xff) return 1;
      const marker = b[p + 1]!;
      if (marker === 0xda || marker === 0xd9) return 1;
      const len = (b[p + 2]! << 8) | b[p + 3]!;
      if (len < 2) return 1;
      const seg = p + 4;
      if (marker === 0xe1 && len >= 8 && b[seg] === 0x45 && b[seg + 1] === 0x78 && b[seg + 2] === 0x69 && b[seg + 3] === 0x66 && b[seg + 4] === 0 && b[seg + 5] === 0) {
        return tiffOrientation(b, seg + 6, Math.min(b.length, p + 2 + len));
      }
      p += 2 + len;
    }
    return 1;
  }
  if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50) {
    // PNG: the eXIf chunk holds a TIFF block
    for (let p = 8; p + 12 <= b.length; ) {
      const len = ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
      const type = String.fromCharCode(b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
      if (type === 'eXIf') return tiffOrientation(b, p + 8, Math.min(b.length, p + 8 + len));
      if (type === 'IDAT' || type === 'IEND') return 1;
      p += 12 + len;
    }
  }
  return 1;
}

/** The image as it should be shown for an EXIF orientation (Pillow's exif_transpose). */
export function applyOrientation(img: RgbImage, orientation: number): RgbImage {
  if (orientation < 2 || orientation > 8) return img;
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      // source pixel (sx, sy) for output pixel (x, y)
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break; // mirror horizontal
        case 3: sx = w - 1 - x; sy = h - 1 - y; break; // rotate 180
        case 4: sx = x; sy = h - 1 - y; break; // mirror vertical
        case 5: sx = y; sy = x; break; // transpose
        case 6: sx = y; sy = h - 1 - x; break; // rotate 90 clockwise
        case 7: sx = w - 1 - y; sy = h - 1 - x; break; // transverse
        default: sx = w - 1 - y; sy = x; break; // 8: rotate 90 counter-clockwise
      }
      const si = (sy * w + sx) * 3;
      const di = (y * ow + x) * 3;
      out[di] = data[si]!;
      out[di + 1] = data[si + 1]!;
      out[di + 2] = data[si + 2]!;
    }
  }
  return { width: ow, height: oh, data: out };
}
