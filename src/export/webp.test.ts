import { describe, expect, it } from 'vitest';
import { muxAnimatedWebp, readWebpChunks } from './webp';

/** A still WebP as a browser writes it: VP8X, an ICC profile, then the image chunk(s). */
function still(image: [string, number[]][]): Uint8Array {
  const chunks: number[] = [];
  const put = (cc: string, payload: number[]): void => {
    chunks.push(...Array.from(cc, (c) => c.charCodeAt(0)), payload.length & 255, (payload.length >> 8) & 255, 0, 0, ...payload);
    if (payload.length & 1) chunks.push(0);
  };
  put('VP8X', [0x20, 0, 0, 0, 7, 0, 0, 3, 0, 0]);
  put('ICCP', [1, 2, 3, 4, 5]);
  for (const [cc, payload] of image) put(cc, payload);
  const size = 4 + chunks.length;
  return Uint8Array.from([...Array.from('RIFF', (c) => c.charCodeAt(0)), size & 255, size >> 8, 0, 0, ...Array.from('WEBP', (c) => c.charCodeAt(0)), ...chunks]);
}

const le = (b: Uint8Array, at: number, n: number): number => b.subarray(at, at + n).reduceRight((v, x) => v * 256 + x, 0);

describe('muxAnimatedWebp', () => {
  it('writes VP8X (animation), ANIM (loop) and one ANMF per frame holding the frame’s image chunk', () => {
    const a = still([['VP8L', [0x2f, 1, 2, 3, 4, 5, 6]]]); // odd length: padded
    const b = still([['VP8L', [0x2f, 9, 9, 9]]]);
    const file = muxAnimatedWebp([a, b, a], { width: 64, height: 48, durationMs: 160, loops: 0 });
    expect(String.fromCharCode(...file.subarray(0, 4))).toBe('RIFF');
    expect(le(file, 4, 4)).toBe(file.length - 8);
    const chunks = readWebpChunks(file);
    expect(chunks.map((c) => c.fourcc)).toEqual(['VP8X', 'ANIM', 'ANMF', 'ANMF', 'ANMF']);
    const vp8x = chunks[0]!.data;
    expect(vp8x[0]).toBe(0x02); // animation, no alpha
    expect([le(vp8x, 4, 3) + 1, le(vp8x, 7, 3) + 1]).toEqual([64, 48]);
    expect(le(chunks[1]!.data, 4, 2)).toBe(0); // loop forever
    for (const [i, src] of [a, b, a].entries()) {
      const f = chunks[2 + i]!.data;
      expect([le(f, 0, 3), le(f, 3, 3), le(f, 6, 3) + 1, le(f, 9, 3) + 1]).toEqual([0, 0, 64, 48]);
      expect(le(f, 12, 3)).toBe(160);
      expect(f[15]).toBe(0x02); // no blending
      // The frame data is the still's image chunk, unchanged (the ICC profile and VP8X are dropped).
      const inner = readWebpChunks(Uint8Array.from([...'RIFF'].map((c) => c.charCodeAt(0)).concat([0xff, 0xff, 0xff, 0], [...'WEBP'].map((c) => c.charCodeAt(0)), [...f.subarray(16)])));
      expect(inner.map((c) => [c.fourcc, Array.from(c.data)])).toEqual(
        readWebpChunks(src).filter((c) => c.fourcc === 'VP8L').map((c) => [c.fourcc, Array.from(c.data)]),
      );
    }
  });

  it('sets the alpha flag when a frame carries an ALPH chunk, and keeps it before VP8', () => {
    const file = muxAnimatedWebp([still([['ALPH', [1, 2]], ['VP8 ', [3, 4, 5, 6]]])], { width: 2, height: 2, durationMs: 100, loops: 3 });
    const chunks = readWebpChunks(file);
    expect(chunks[0]!.data[0]).toBe(0x12);
    expect(le(chunks[1]!.data, 4, 2)).toBe(3);
    expect(String.fromCharCode(...chunks[2]!.data.subarray(16, 20))).toBe('ALPH');
  });

  it('refuses stills without image data and files that are not WebP', () => {
    expect(() => muxAnimatedWebp([still([])], { width: 2, height: 2, durationMs: 100, loops: 0 })).toThrow(/no image data/);
    expect(() => muxAnimatedWebp([new Uint8Array(20)], { width: 2, height: 2, durationMs: 100, loops: 0 })).toThrow(/not a WebP/);
  });
});
