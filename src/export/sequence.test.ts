import { describe, expect, it } from 'vitest';
import { clampFrames, pingPong, sweepZs } from './sequence';

describe('sweepZs', () => {
  it('moves one dimension evenly from -3 to 3 and keeps the others', () => {
    const z = [0.5, -1, 2, 0.25];
    const zs = sweepZs(z, 2, 7);
    expect(zs).toHaveLength(7);
    expect(zs.map((r) => r[2])).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const r of zs) expect([r[0], r[1], r[3]]).toEqual([0.5, -1, 0.25]);
    expect(z).toEqual([0.5, -1, 2, 0.25]); // not modified
  });

  it('includes both ends for any step count and honours another range', () => {
    const zs = sweepZs([0, 0], 0, 4, 1.5);
    expect(zs[0]![0]).toBe(-1.5);
    expect(zs[3]![0]).toBe(1.5);
    expect(zs[1]![0]).toBeCloseTo(-0.5, 12);
  });

  it('refuses a dimension outside z and fewer than 2 steps', () => {
    expect(() => sweepZs([0, 0], 2, 5)).toThrow(RangeError);
    expect(() => sweepZs([0, 0], -1, 5)).toThrow(RangeError);
    expect(() => sweepZs([0, 0], 0, 1)).toThrow(RangeError);
  });
});

describe('pingPong', () => {
  it('plays forth and back without repeating the turning frames', () => {
    expect(pingPong(4)).toEqual([0, 1, 2, 3, 2, 1]);
    expect(pingPong(2)).toEqual([0, 1]);
    expect(pingPong(1)).toEqual([0]);
    expect(pingPong(0)).toEqual([]);
    for (let n = 2; n <= 16; n++) expect(pingPong(n)).toHaveLength(2 * n - 2);
  });
});

describe('clampFrames', () => {
  it('keeps frame counts within 2..16', () => {
    expect(clampFrames(1)).toBe(2);
    expect(clampFrames(40)).toBe(16);
    expect(clampFrames(7.4)).toBe(7);
    expect(clampFrames(Number.NaN)).toBe(2);
  });
});
