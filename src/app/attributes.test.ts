/** The attribute-state transitions (src/app/attributes.ts). */
import { describe, expect, it } from 'vitest';
import { sampleFromPhotos, sampleNormal } from '../drit/random';
import { fromReference, normalRow, onModel, pickTile, reroll, sampleRow, reset, setDimension, setLock, toSampleMode, zero, type AttributeState } from './attributes';

const base = (over: Partial<AttributeState> = {}): AttributeState => ({
  z: [0.1, 0.2, 0.3],
  baseZ: [0.1, 0.2, 0.3],
  sampleZ: [0.1, 0.2, 0.3],
  seed: 7,
  locked: [false, false, false],
  mode: 'sample',
  ...over,
});

describe('attribute transitions', () => {
  it('normalRow is the seeded N(0, I) the CLI uses', () => {
    expect(normalRow(5, 8)).toEqual(Array.from(sampleNormal(5, 1, 8)));
    expect(normalRow(5, 8)).not.toEqual(normalRow(6, 8));
  });

  it('onModel keeps a z that fits, samples one that does not, and lets a shared z win', () => {
    const s = base();
    expect(onModel(s, 3)).toEqual({ z: s.z, baseZ: s.z, sampleZ: s.sampleZ, locked: s.locked });
    const other = onModel(s, 8);
    expect(other.z).toEqual(normalRow(7, 8));
    expect(other.sampleZ).toEqual(other.z);
    expect(other.locked).toEqual(new Array(8).fill(false));
    const shared = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(onModel(s, 8, shared).z).toEqual(shared);
    expect(onModel(s, 8, [1, 2]).z).toEqual(normalRow(7, 8)); // a shared z of the wrong length is ignored
  });

  it('reroll draws from the seed and keeps locked dimensions', () => {
    const s = base({ locked: [false, true, false], mode: 'reference' });
    const c = reroll(s, 42, 3);
    const fresh = normalRow(42, 3);
    expect(c.z).toEqual([fresh[0], 0.2, fresh[2]]);
    expect(c).toMatchObject({ seed: 42, baseZ: c.z, sampleZ: c.z, mode: 'sample' });
  });

  it('reroll from the photos\' spread maps the same seed through their Gaussian', () => {
    const spread = { mean: [1, 0, -1], components: [[0, 1, 0]], std: [0.5] };
    const c = reroll(base({ locked: [true, false, false] }), 42, 3, spread);
    const fromPhotos = Array.from(sampleFromPhotos(42, 1, 3, spread));
    expect(c.z).toEqual([0.1, fromPhotos[1], fromPhotos[2]]);
    expect(fromPhotos[1]).toBeCloseTo(0.5 * normalRow(42, 3)[0]!, 6);
    expect(sampleRow(42, 3)).toEqual(normalRow(42, 3));
  });

  it('pickTile and fromReference set z and what reset returns to; the sample survives a reference', () => {
    const tile = [9, 8, 7];
    const picked = pickTile(tile);
    expect(picked).toEqual({ z: tile, baseZ: tile, sampleZ: tile, mode: 'sample' });
    expect(picked.z).not.toBe(tile); // copies, not the grid's own array
    const ref = fromReference([0.5, -0.5, 0]);
    expect(ref).toEqual({ mode: 'reference', z: [0.5, -0.5, 0], baseZ: [0.5, -0.5, 0] });
    expect('sampleZ' in ref).toBe(false);
  });

  it('toSampleMode restores the last sample after a reference, and is a no-op in sample mode', () => {
    const s = base({ mode: 'reference', z: [5, 5, 5], baseZ: [5, 5, 5], sampleZ: [1, 2, 3] });
    expect(toSampleMode(s)).toEqual({ mode: 'sample', z: [1, 2, 3], baseZ: [1, 2, 3] });
    expect(toSampleMode(base())).toEqual({});
    expect(toSampleMode(base({ mode: 'reference', sampleZ: [] }))).toEqual({ mode: 'sample' });
  });

  it('sliders, locks, reset and zero', () => {
    const s = base({ baseZ: [1, 1, 1] });
    expect(setDimension(s, 1, 2.5)).toEqual({ z: [0.1, 2.5, 0.3] });
    expect(setDimension(s, 3, 1)).toEqual({});
    expect(setDimension(s, -1, 1)).toEqual({});
    expect(setDimension(s, 0, Number.NaN)).toEqual({});
    expect(setLock(s, 2, true)).toEqual({ locked: [false, false, true] });
    expect(setLock(s, 9, true)).toEqual({});
    expect(reset(s)).toEqual({ z: [1, 1, 1] });
    expect(zero(s)).toEqual({ z: [0, 0, 0] });
    expect(s.z).toEqual([0.1, 0.2, 0.3]); // inputs are never mutated
  });
});
