import { describe, expect, it } from 'vitest';
import { describeOutput } from './announce';

type S = Parameters<typeof describeOutput>[0];
const model = { domains: { a: 'cat', b: 'dog' } } as unknown as S['model'];
const base: S = { model, direction: 'a2b', mode: 'sample', reference: null, seed: 123, z: [0.5, -1], baseZ: [0.5, -1], grid: null };
const grid = { seed: 9, size: 2, zs: [[0, 0], [0.5, -1]], frames: [], busy: false };
const reference = { slot: { name: 'dog.png' }, direction: 'a2b', status: 'ready', mu: [1, 2] } as unknown as S['reference'];

describe('describeOutput (the live region of a new result)', () => {
  it('says the direction and the seed', () => {
    expect(describeOutput(base)).toBe('Translated: cat → dog, seed 123');
    expect(describeOutput({ ...base, direction: 'b2a' })).toBe('Translated: dog → cat, seed 123');
  });
  it('says when z was moved away from its sample or reference', () => {
    expect(describeOutput({ ...base, z: [0.6, -1] })).toBe('Translated: cat → dog, seed 123, attribute edited');
  });
  it('names the reference image it borrows the style of, only for its own direction', () => {
    expect(describeOutput({ ...base, mode: 'reference', reference })).toBe('Translated: cat → dog, style of dog.png');
    expect(describeOutput({ ...base, mode: 'reference', reference, direction: 'b2a' })).toBe('Translated: dog → cat, seed 123');
  });
  it('names the diversity-grid tile a z was picked from', () => {
    expect(describeOutput({ ...base, grid })).toBe('Translated: cat → dog, diversity-grid sample 2');
    expect(describeOutput({ ...base, grid, z: [0.5, 0] })).toBe('Translated: cat → dog, diversity-grid sample 2, attribute edited');
    expect(describeOutput({ ...base, grid, baseZ: [1, 1], z: [1, 1] })).toBe('Translated: cat → dog, seed 123');
  });
  it('without a model, neutral words', () => {
    expect(describeOutput({ ...base, model: null })).toBe('Translated: input → output, seed 123');
  });
});
