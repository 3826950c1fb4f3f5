import { describe, expect, it } from 'vitest';
import { encodeVideo, evenFrame, videoUnavailableReason } from './video';

describe('evenFrame', () => {
  it('pads odd sizes by repeating the last column and row', () => {
    // 3×1 frame: pixels 10, 20, 30 (grey) -> 4×2
    const data = new Uint8ClampedArray([10, 10, 10, 255, 20, 20, 20, 255, 30, 30, 30, 255]);
    const out = evenFrame({ width: 3, height: 1, data });
    expect([out.width, out.height]).toEqual([4, 2]);
    const reds = Array.from({ length: 8 }, (_, i) => out.data[i * 4]);
    expect(reds).toEqual([10, 20, 30, 30, 10, 20, 30, 30]);
    expect(Array.from({ length: 8 }, (_, i) => out.data[i * 4 + 3])).toEqual(Array(8).fill(255));
  });

  it('returns even frames unchanged', () => {
    const f = { width: 2, height: 2, data: new Uint8ClampedArray(16) };
    expect(evenFrame(f)).toBe(f);
  });
});

describe('without WebCodecs (Node has no VideoEncoder)', () => {
  it('says why there is no video and refuses to encode', async () => {
    expect(videoUnavailableReason()).toMatch(/VideoEncoder/);
    const f = { width: 2, height: 2, data: new Uint8ClampedArray(16) };
    await expect(encodeVideo([f], { container: 'webm', frameMs: 160 })).rejects.toThrow(/VideoEncoder/);
  });
});
