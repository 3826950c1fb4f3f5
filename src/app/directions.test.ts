import { describe, expect, it } from 'vitest';
import type { AttributeStats } from '../pack/manifest';
import { formatShare, principalCoords, principalLabel, relativeSpread, setPrincipal, statsForDirection, WEAK_REFERENCE_SPREAD } from './directions';

/** Directions in the (x, y) plane rotated by 30°, the third axis last; spreads 2, 0.5, 0.1. */
const c = Math.cos(Math.PI / 6);
const s = Math.sin(Math.PI / 6);
const STATS: AttributeStats = {
  count: 100,
  mean: [1, -1, 0.5],
  components: [
    [c, s, 0],
    [-s, c, 0],
    [0, 0, 1],
  ],
  std: [2, 0.5, 0.1],
  varianceShare: [0.94, 0.0588, 0.0012],
};

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((t, x, i) => t + x * b[i]!, 0);

describe('principal coordinates', () => {
  it('are 0 at the mean and 1 one spread along each direction', () => {
    for (const v of principalCoords(STATS.mean, STATS)) expect(v).toBeCloseTo(0, 12);
    STATS.components.forEach((d, k) => {
      const z = STATS.mean.map((m, j) => m + STATS.std[k]! * d[j]!);
      const coords = principalCoords(z, STATS);
      coords.forEach((v, j) => expect(v).toBeCloseTo(j === k ? 1 : 0, 12));
    });
  });

  it('are empty for a z of another length', () => {
    expect(principalCoords([1, 2], STATS)).toEqual([]);
  });
});

describe('setPrincipal', () => {
  const z = [0.3, 2.2, -0.4];

  it.each([0, 1, 2])('moves z along direction %i only, to the asked coordinate', (k) => {
    const before = principalCoords(z, STATS);
    const moved = setPrincipal(z, STATS, k, 1.7)!;
    const after = principalCoords(moved, STATS);
    expect(after[k]).toBeCloseTo(1.7, 12);
    after.forEach((v, j) => {
      if (j !== k) expect(v).toBeCloseTo(before[j]!, 12);
    });
    // z' − z is parallel to d_k: its component orthogonal to d_k vanishes
    const diff = moved.map((x, j) => x - z[j]!);
    const along = dot(diff, STATS.components[k]!);
    expect(along).toBeCloseTo((1.7 - before[k]!) * STATS.std[k]!, 12);
    diff.forEach((x, j) => expect(x).toBeCloseTo(along * STATS.components[k]![j]!, 12));
  });

  it('keeps the part of z outside the stored directions (fewer directions than dimensions)', () => {
    const one: AttributeStats = { ...STATS, components: [STATS.components[0]!], std: [2], varianceShare: [0.94] };
    const moved = setPrincipal(z, one, 0, -2)!;
    expect(dot(moved, STATS.components[1]!)).toBeCloseTo(dot(z, STATS.components[1]!), 12);
    expect(moved[2]).toBeCloseTo(z[2]!, 12);
    expect(principalCoords(moved, one)[0]).toBeCloseTo(-2, 12);
  });

  it('refuses a missing direction, a non-finite value and a z of another length', () => {
    expect(setPrincipal(z, STATS, 3, 1)).toBeNull();
    expect(setPrincipal(z, STATS, -1, 1)).toBeNull();
    expect(setPrincipal(z, STATS, 0, Number.NaN)).toBeNull();
    expect(setPrincipal([1, 2], STATS, 0, 1)).toBeNull();
  });
});

describe('labels and the target domain', () => {
  it('uses the target domain of the direction', () => {
    const a = { ...STATS, count: 1 };
    const b = { ...STATS, count: 2 };
    expect(statsForDirection({ a, b }, 'a2b')).toBe(b);
    expect(statsForDirection({ a, b }, 'b2a')).toBe(a);
    expect(statsForDirection({ a }, 'a2b')).toBeNull();
    expect(statsForDirection(undefined, 'b2a')).toBeNull();
  });

  it('labels sliders with the share of variance', () => {
    expect(principalLabel(STATS, 0)).toBe('PC1 · 94 %');
    expect(principalLabel(STATS, 1)).toBe('PC2 · 5.9 %');
    expect(principalLabel(STATS, 2)).toBe('PC3 · 0.1 %');
    expect(formatShare(0.99999)).toBe('100 %');
    expect(formatShare(0.0004)).toBe('< 0.1 %');
  });
});

describe('relativeSpread', () => {
  const stats = (std: number[], share: number[], nz = 4) => ({
    count: 10, mean: new Array(nz).fill(0), components: std.map(() => new Array(nz).fill(0)), std, varianceShare: share,
  });
  it('is 1 for codes as spread as N(0, I) and scales with their spread', () => {
    expect(relativeSpread(stats([1, 1, 1, 1], [0.25, 0.25, 0.25, 0.25]))).toBeCloseTo(1, 6);
    expect(relativeSpread(stats([0.5, 0.5, 0.5, 0.5], [0.25, 0.25, 0.25, 0.25]))).toBeCloseTo(0.5, 6);
  });
  it('counts the variance outside the stored directions through their share', () => {
    // one stored direction with spread 1 holding a quarter of the variance: total variance 4 over 4 dims
    expect(relativeSpread(stats([1], [0.25]))).toBeCloseTo(1, 6);
  });
  it('is tiny for a collapsed encoder (the shipped cat2dog dogs: spread 0.087 in one of 8 directions)', () => {
    const r = relativeSpread(stats([0.0866], [0.999998], 8))!;
    expect(r).toBeCloseTo(0.0866 / Math.sqrt(8), 4);
    expect(r).toBeLessThan(WEAK_REFERENCE_SPREAD);
  });
  it('is null without statistics', () => {
    expect(relativeSpread(null)).toBeNull();
    expect(relativeSpread(stats([], []))).toBeNull();
  });
});
