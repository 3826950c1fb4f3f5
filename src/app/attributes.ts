/**
 * The attribute state as pure transitions: where z comes from and what it is.
 *
 * - `z`: the attribute vector the output shows (sliders edit it);
 * - `baseZ`: what "reset" returns to (the last sampled, picked or reference z);
 * - `sampleZ`: the last sampled or picked z, restored when leaving reference mode;
 * - `seed`: the seed of the last re-roll (share links carry it);
 * - `locked`: dimensions a re-roll keeps;
 * - `mode`: 'sample' (z from N(0, I)) or 'reference' (z from a reference image's attribute).
 *
 * Each function takes the current state and returns the fields that change (an empty object when
 * nothing does), so actions/attributes.ts only writes them into the store. Tests: attributes.test.ts.
 */
import { sampleFromPhotos, sampleNormal, type PhotoSpread } from '../drit/random';

export interface AttributeState {
  z: number[];
  baseZ: number[];
  sampleZ: number[];
  seed: number;
  locked: boolean[];
  mode: 'sample' | 'reference';
}

export type AttributeChange = Partial<AttributeState>;

/** One z ~ N(0, I) from a seed: the same numbers as the CLI's --seed. */
export function normalRow(seed: number, nz: number): number[] {
  return Array.from(sampleNormal(seed, 1, nz));
}

/** A model with `nz` dimensions was loaded: keep what fits, sample what does not; a share link's z wins. */
export function onModel(s: AttributeState, nz: number, sharedZ: number[] | null = null): AttributeChange {
  let z = s.z.length === nz ? s.z : normalRow(s.seed, nz);
  if (sharedZ && sharedZ.length === nz) z = sharedZ;
  return {
    z,
    baseZ: z,
    sampleZ: s.sampleZ.length === nz ? s.sampleZ : z,
    locked: s.locked.length === nz ? s.locked : new Array<boolean>(nz).fill(false),
  };
}

/**
 * One seeded z: from N(0, I), or, given the target domain's photo statistics, from their Gaussian
 * (the same standard-normal numbers mapped: docs/experiments.md, "Default z distribution").
 */
export function sampleRow(seed: number, nz: number, spread?: PhotoSpread): number[] {
  return spread ? Array.from(sampleFromPhotos(seed, 1, nz, spread)) : normalRow(seed, nz);
}

/** A new sample from `seed` (and the photos' spread when sampling from it); locked dimensions keep their value. */
export function reroll(s: AttributeState, seed: number, nz: number, spread?: PhotoSpread): AttributeChange {
  const fresh = sampleRow(seed, nz, spread);
  const z = fresh.map((v, i) => (s.locked[i] ? (s.z[i] ?? v) : v));
  return { seed, z, baseZ: z, sampleZ: z, mode: 'sample' };
}

/** A grid tile's z becomes the current sample. */
export function pickTile(z: number[]): AttributeChange {
  return { z: z.slice(), baseZ: z.slice(), sampleZ: z.slice(), mode: 'sample' };
}

/** The reference image's attribute becomes z (the sampled z is kept for going back). */
export function fromReference(refZ: number[]): AttributeChange {
  return { mode: 'reference', z: refZ.slice(), baseZ: refZ.slice() };
}

/** Back to sampling: the last sampled z returns (when it fits the model). */
export function toSampleMode(s: AttributeState): AttributeChange {
  if (s.mode !== 'sample' && s.sampleZ.length === s.z.length) return { mode: 'sample', z: s.sampleZ.slice(), baseZ: s.sampleZ.slice() };
  return s.mode === 'sample' ? {} : { mode: 'sample' };
}

/** A slider moved. Out-of-range indices and non-finite values change nothing. */
export function setDimension(s: AttributeState, i: number, value: number): AttributeChange {
  if (!Number.isInteger(i) || i < 0 || i >= s.z.length || !Number.isFinite(value)) return {};
  const z = s.z.slice();
  z[i] = value;
  return { z };
}

export function setLock(s: AttributeState, i: number, locked: boolean): AttributeChange {
  if (!Number.isInteger(i) || i < 0 || i >= s.z.length) return {};
  const l = s.locked.slice();
  l[i] = locked;
  return { locked: l };
}

export function reset(s: AttributeState): AttributeChange {
  return { z: s.baseZ.slice() };
}

export function zero(s: AttributeState): AttributeChange {
  return { z: new Array<number>(s.z.length).fill(0) };
}
