import { GifReader } from 'omggif';
import { describe, expect, it } from 'vitest';
import type { RgbaFrame } from '../worker/protocol';
import { buildPalette, encodeGif, lzwEncode } from './gif';

function frame(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbaFrame {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([...pixel(x, y), 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** A seeded LCG, so that the "noise" frames are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

function decodeAll(bytes: Uint8Array): { reader: GifReader; frames: Uint8Array[] } {
  const reader = new GifReader(bytes);
  const frames = Array.from({ length: reader.numFrames() }, (_, i) => {
    const px = new Uint8Array(reader.width * reader.height * 4);
    reader.decodeAndBlitFrameRGBA(i, px);
    return px;
  });
  return { reader, frames };
}

function rgbError(a: Uint8Array, b: Uint8ClampedArray): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[i + c]! - b[i + c]!);
      sum += d;
      max = Math.max(max, d);
      n++;
    }
  }
  return { mean: sum / n, max };
}

describe('encodeGif (decoded by omggif)', () => {
  it('is lossless for frames with at most 256 colours, with frame count, size, delay and endless loop', async () => {
    const colours: [number, number, number][] = Array.from({ length: 200 }, (_, i) => [i, (i * 7) % 256, 255 - i]);
    const frames = [0, 1, 2].map((f) => frame(37, 23, (x, y) => colours[(x * 3 + y * 5 + f * 11) % colours.length]!));
    const progress: number[] = [];
    const bytes = await encodeGif(frames, { delayMs: 160, onProgress: (p) => progress.push(p) });
    const { reader, frames: decoded } = decodeAll(bytes);
    expect(reader.numFrames()).toBe(3);
    expect([reader.width, reader.height]).toEqual([37, 23]);
    expect(reader.loopCount()).toBe(0);
    for (let i = 0; i < 3; i++) {
      expect(reader.frameInfo(i).delay).toBe(16);
      expect(rgbError(decoded[i]!, frames[i]!.data).max).toBe(0);
    }
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('round-trips noise that fills the 4096-entry LZW table many times (clear codes)', async () => {
    const rnd = lcg(7);
    // 64 colours of noise: every pixel a random one, so the table fills and is cleared often.
    const colours = Array.from({ length: 64 }, (): [number, number, number] => [rnd(), rnd(), rnd()]);
    const frames = [frame(257, 131, () => colours[rnd() % 64]!)];
    const { frames: decoded } = decodeAll(await encodeGif(frames, { delayMs: 100 }));
    expect(rgbError(decoded[0]!, frames[0]!.data).max).toBe(0);
  });

  it('quantises a many-colour image to 256 colours within a small error', async () => {
    // A smooth RGB field with ~16k distinct colours, like a model output.
    const frames = [0, 1].map((f) =>
      frame(96, 96, (x, y) => [(x * 255) / 95, (y * 255) / 95, ((x + y + f * 20) * 255) / 230]),
    );
    const { frames: decoded, reader } = decodeAll(await encodeGif(frames, { delayMs: 160 }));
    expect(reader.numFrames()).toBe(2);
    for (let i = 0; i < 2; i++) {
      const err = rgbError(decoded[i]!, frames[i]!.data);
      expect(err.mean).toBeLessThan(6);
      expect(err.max).toBeLessThan(48);
    }
  });

  it('handles a one-colour frame and a one-pixel frame', async () => {
    for (const f of [frame(8, 8, () => [10, 20, 30]), frame(1, 1, () => [200, 100, 0])]) {
      const { frames: decoded } = decodeAll(await encodeGif([f], { delayMs: 160 }));
      expect(rgbError(decoded[0]!, f.data).max).toBe(0);
    }
  });

  it('refuses frames of different sizes and no frames', async () => {
    await expect(encodeGif([], { delayMs: 160 })).rejects.toThrow(/no frames/);
    await expect(encodeGif([frame(4, 4, () => [0, 0, 0]), frame(4, 5, () => [0, 0, 0])], { delayMs: 160 })).rejects.toThrow(/one size/);
  });

  it('stops with an AbortError when cancelled, between frames', async () => {
    const frames = Array.from({ length: 6 }, () => frame(32, 32, (x, y) => [x * 8, y * 8, 0]));
    const ctl = new AbortController();
    let done = 0;
    const run = encodeGif(frames, {
      delayMs: 160,
      signal: ctl.signal,
      onProgress: (p) => {
        done = p;
        if (p >= 2 / 6) ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(done).toBeLessThan(1);
  });
});

describe('lzwEncode', () => {
  it('starts with a clear code and ends with end-of-information', () => {
    // min code size 2: clear = 4, eoi = 5, 3-bit codes packed LSB first: clear (100), 0 (000),
    // eoi (101) -> byte 0 = 01|000|100 (the low two bits of eoi on top), byte 1 = its high bit.
    const codes = lzwEncode(new Uint8Array([0]), 2);
    expect(Array.from(codes)).toEqual([0b01_000_100, 0b1]);
  });
});

describe('buildPalette', () => {
  it('keeps the exact colours when there are few and maps each to itself', () => {
    const f = frame(3, 1, (x) => [[255, 0, 0], [0, 255, 0], [0, 0, 255]][x] as [number, number, number]);
    const p = buildPalette([f]);
    expect(p.size).toBe(3);
    for (const rgb of [0xff0000, 0x00ff00, 0x0000ff]) {
      const i = p.indexOf(rgb);
      expect((p.colors[3 * i]! << 16) | (p.colors[3 * i + 1]! << 8) | p.colors[3 * i + 2]!).toBe(rgb);
    }
  });

  it('never exceeds the requested number of colours', () => {
    const rnd = lcg(3);
    const f = frame(64, 64, () => [rnd(), rnd(), rnd()]);
    expect(buildPalette([f]).size).toBeLessThanOrEqual(256);
    expect(buildPalette([f], 16).size).toBe(16);
  });
});
