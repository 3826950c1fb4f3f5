import { describe, expect, it } from 'vitest';
import { sniffImage } from './decode';

function png(w: number, h: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return b;
}

function jpeg(w: number, h: number): Uint8Array {
  // SOI, APP0 (16 bytes), SOF0 with the size.
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

describe('sniffImage', () => {
  it('reads PNG and JPEG sizes from the header', () => {
    expect(sniffImage(png(20000, 20000))).toEqual({ format: 'png', width: 20000, height: 20000 });
    expect(sniffImage(jpeg(640, 480))).toEqual({ format: 'jpeg', width: 640, height: 480 });
  });

  it('reads GIF, WebP (VP8X) and BMP sizes', () => {
    const gif = new Uint8Array([...new TextEncoder().encode('GIF89a'), 0x40, 0x01, 0xf0, 0x00]);
    expect(sniffImage(gif)).toEqual({ format: 'gif', width: 320, height: 240 });
    const webp = new Uint8Array(30);
    webp.set(new TextEncoder().encode('RIFF'), 0);
    webp.set(new TextEncoder().encode('WEBPVP8X'), 8);
    webp.set([0x7f, 0x02, 0x00, 0xdf, 0x01, 0x00], 24); // 640 x 480 stored minus one
    expect(sniffImage(webp)).toEqual({ format: 'webp', width: 640, height: 480 });
    const bmp = new Uint8Array(26);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 100, true);
    new DataView(bmp.buffer).setInt32(22, -50, true); // top-down BMP
    expect(sniffImage(bmp)).toEqual({ format: 'bmp', width: 100, height: 50 });
  });

  it('rejects text and random bytes', () => {
    expect(sniffImage(new TextEncoder().encode('hello, this is not an image'))).toBeUndefined();
    expect(sniffImage(new Uint8Array(64).fill(7))).toBeUndefined();
  });

  it('a JPEG without a frame header leaves the size to the decoder', () => {
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toEqual({ format: 'jpeg' });
  });
});
