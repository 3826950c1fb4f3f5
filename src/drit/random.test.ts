import { describe, expect, it } from 'vitest';
import { sampleNormal } from './random';

describe('sampleNormal', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(Array.from(sampleNormal(7, 3, 8))).toEqual(Array.from(sampleNormal(7, 3, 8)));
    expect(Array.from(sampleNormal(7, 1, 8))).not.toEqual(Array.from(sampleNormal(8, 1, 8)));
  });

  it('has standard-normal moments', () => {
    const x = sampleNormal(123, 20000, 8);
    let sum = 0;
    let sq = 0;
    let beyond2 = 0;
    for (const v of x) {
      sum += v;
      sq += v * v;
      if (Math.abs(v) > 1.96) beyond2++;
    }
    const mean = sum / x.length;
    const variance = sq / x.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    // P(|x| > 1.96) = 5 % for N(0, 1).
    expect(Math.abs(beyond2 / x.length - 0.05)).toBeLessThan(0.005);
  });
});
