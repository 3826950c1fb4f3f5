import { describe, expect, it } from 'vitest';
import { decodeShare, encodeShare, readQuery } from './url';

describe('query options', () => {
  it('reads ?backend and ?model', () => {
    expect(readQuery('?backend=wasm&model=cat2dog')).toEqual({ backend: 'wasm', model: 'cat2dog' });
    expect(readQuery('?backend=quantum')).toEqual({ badBackend: 'quantum' });
    expect(readQuery('')).toEqual({});
  });
});

describe('share links', () => {
  it('round-trip model, direction, z and seed', () => {
    const z = [0.12345, -1.5, 3, 0, -0.00004, 2.71828, -2, 1];
    const hash = encodeShare({ model: 'cat2dog', direction: 'b2a', z, seed: 42 });
    const back = decodeShare(hash);
    expect(back.model).toBe('cat2dog');
    expect(back.direction).toBe('b2a');
    expect(back.seed).toBe(42);
    back.z!.forEach((v, i) => expect(v).toBeCloseTo(z[i]!, 4));
  });

  it('drops invalid parts instead of failing', () => {
    expect(decodeShare('#m=../../etc&d=sideways&z=1,NaN,2&s=-3')).toEqual({});
    expect(decodeShare('#z=1,2,3')).toEqual({ z: [1, 2, 3] });
    expect(decodeShare('')).toEqual({});
  });
});
