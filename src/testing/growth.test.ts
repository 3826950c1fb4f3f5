import { describe, expect, it } from 'vitest';
import { growthVerdict, median } from './growth';

/** A deterministic pseudo-random sequence in [-1, 1) (no Math.random: the test must repeat). */
function noise(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/empty/);
  });
});

describe('growthVerdict', () => {
  it('a constant series is flat', () => {
    expect(growthVerdict(new Array(30).fill(100)).verdict).toBe('flat');
  });

  it('noise around a level is flat, even when large', () => {
    const xs = noise(30).map((e) => 1000 + 150 * e);
    expect(growthVerdict(xs).verdict).toBe('flat');
  });

  it('a garbage-collection sawtooth (rise, drop, rise) is flat', () => {
    const xs = Array.from({ length: 30 }, (_, i) => 50e6 + (i % 5) * 4e6);
    expect(growthVerdict(xs).verdict).toBe('flat');
  });

  it('a one-off step up in the first minutes is flat afterwards', () => {
    const xs = [10, 40, ...new Array(28).fill(42)];
    expect(growthVerdict(xs, { warmup: 2 }).verdict).toBe('flat');
  });

  it('warm-up samples are ignored: a big first minute does not count', () => {
    expect(growthVerdict([1, 100, 100, 100, 100, 100, 100]).verdict).toBe('flat');
    expect(growthVerdict([1, 100, 100, 100, 100, 100, 100], { warmup: 0 }).verdict).toBe('grows');
  });

  it('a linear leak is caught by the level rule', () => {
    const xs = Array.from({ length: 30 }, (_, i) => 1000 + 20 * i);
    const v = growthVerdict(xs);
    expect(v.verdict).toBe('grows');
    if (v.verdict === 'grows') expect(v.reason).toMatch(/late median/);
  });

  it('a leak hidden in noise is still caught', () => {
    const xs = noise(30, 7).map((e, i) => 1000 + 100 * e + 30 * i);
    expect(growthVerdict(xs).verdict).toBe('grows');
  });

  it('a slow steady rise inside the slack is caught by the trend rule', () => {
    const xs = Array.from({ length: 20 }, (_, i) => 1000 + i); // +2% in all, every step up
    const v = growthVerdict(xs);
    expect(v.verdict).toBe('grows');
    if (v.verdict === 'grows') expect(v.reason).toMatch(/every late sample \(min 1014\) lies above every early one \(max 1006\)/);
  });

  it('absSlack lets a near-zero metric wobble (0, 1 open tracks) but not climb', () => {
    const wobble = [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
    expect(growthVerdict(wobble, { absSlack: 1 }).verdict).toBe('flat');
    const climb = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    expect(growthVerdict(climb, { absSlack: 1 }).verdict).toBe('grows');
  });

  it('a series that shrinks is flat (only growth fails)', () => {
    expect(growthVerdict(Array.from({ length: 12 }, (_, i) => 100 - i)).verdict).toBe('flat');
  });

  it('too few samples give no verdict', () => {
    expect(growthVerdict([1, 2, 3])).toEqual({ verdict: 'short', samples: 2 });
  });

  it('rejects samples that are not numbers', () => {
    expect(() => growthVerdict([1, Number.NaN, 3, 4])).toThrow(/not a finite number/);
  });
});
