/**
 * The soak run's verdict on one metric sampled once a minute (scripts/soak.ts): does it grow
 * without bound, or does it stay flat? A leak shows as a level that keeps rising; noise, a
 * one-off jump (a model switched, a cache filled once) or a sawtooth from garbage collection
 * does not.
 *
 * Rule, after dropping the warm-up samples:
 *  - level: the median of the last third must not exceed the median of the first third by more
 *    than `slack` (relative) + `absSlack` (absolute);
 *  - trend: the lowest sample of the last third must not lie above the highest of the first third
 *    (+ `absSlack`): a slow leak that stays inside the slack over a short run still lifts every
 *    late sample over every early one, which noise and a garbage-collection sawtooth do not.
 * Fewer than 3 samples after the warm-up: no verdict ('short').
 */

export interface GrowthOptions {
  /** Samples dropped at the start (the first minute fills caches and compiles shaders). */
  warmup: number;
  /** Allowed relative rise of the late median over the early one. */
  slack: number;
  /** Allowed absolute rise (in the metric's unit), for metrics that sit near zero. */
  absSlack: number;
}

export const DEFAULT_GROWTH: GrowthOptions = { warmup: 1, slack: 0.2, absSlack: 0 };

export type GrowthVerdict =
  | { verdict: 'flat'; early: number; late: number }
  | { verdict: 'grows'; early: number; late: number; reason: string }
  | { verdict: 'short'; samples: number };

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty series');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function growthVerdict(series: readonly number[], options: Partial<GrowthOptions> = {}): GrowthVerdict {
  const o = { ...DEFAULT_GROWTH, ...options };
  for (const v of series) {
    if (!Number.isFinite(v)) throw new Error(`growthVerdict: a sample is not a finite number (${v})`);
  }
  const xs = series.slice(o.warmup);
  if (xs.length < 3) return { verdict: 'short', samples: xs.length };
  const third = Math.floor(xs.length / 3);
  const early = median(xs.slice(0, third));
  const late = median(xs.slice(xs.length - third));
  const allowed = Math.abs(early) * o.slack + o.absSlack;
  if (late - early > allowed) {
    return { verdict: 'grows', early, late, reason: `the late median ${late} exceeds the early median ${early} by more than ${allowed}` };
  }
  const earlyMax = Math.max(...xs.slice(0, third));
  const lateMin = Math.min(...xs.slice(xs.length - third));
  if (lateMin > earlyMax + o.absSlack) {
    return { verdict: 'grows', early, late, reason: `every late sample (min ${lateMin}) lies above every early one (max ${earlyMax})` };
  }
  return { verdict: 'flat', early, late };
}
