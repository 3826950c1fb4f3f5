import { describe, expect, it } from 'vitest';
import { sampleFromPhotos, sampleNormal } from './random';

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

describe('sampleFromPhotos', () => {
  // two orthonormal directions in 3-D, spreads 2 and 0.5, mean (1, -1, 0.5)
  const r = Math.SQRT1_2;
  const spread = { mean: [1, -1, 0.5], components: [[r, r, 0], [r, -r, 0]], std: [2, 0.5] };

  it('has the mean and covariance of the statistics, and nothing outside their directions', () => {
    const n = 40000;
    const x = sampleFromPhotos(9, n, 3, spread);
    const mean = [0, 0, 0];
    for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) mean[j]! += x[i * 3 + j]! / n;
    expect(mean[0]).toBeCloseTo(1, 1);
    expect(mean[1]).toBeCloseTo(-1, 1);
    expect(mean[2]).toBeCloseTo(0.5, 5); // no stored direction touches the third axis
    // variance along each stored direction = std^2
    for (const [c, want] of [[0, 4], [1, 0.25]] as const) {
      const d = spread.components[c]!;
      let v = 0;
      for (let i = 0; i < n; i++) {
        const p = (x[i * 3]! - mean[0]!) * d[0]! + (x[i * 3 + 1]! - mean[1]!) * d[1]!;
        v += (p * p) / n;
      }
      expect(Math.abs(v / want - 1)).toBeLessThan(0.03);
    }
  });

  it('is the same seeded draw as sampleNormal, mapped (one seed, one picture in either source)', () => {
    const e = sampleNormal(5, 2, 3);
    const z = sampleFromPhotos(5, 2, 3, spread);
    for (let row = 0; row < 2; row++) {
      const a = e[row * 3]! * 2;
      const b = e[row * 3 + 1]! * 0.5;
      expect(z[row * 3]).toBeCloseTo(1 + r * (a + b), 5);
      expect(z[row * 3 + 1]).toBeCloseTo(-1 + r * (a - b), 5);
      expect(z[row * 3 + 2]).toBeCloseTo(0.5, 6);
    }
  });
});
