/** The slices' reset rules on a model change (src/app/slice-rules.ts), as selectModel applies them. */
import { describe, expect, it } from 'vitest';
import { sampleNormal } from '../drit/random';
import type { ModelInfo } from '../worker/protocol';
import { normalRow } from './attributes';
import { GRID_DEFAULT, gridOnModel, interpOnModel, newGrid, onModelLoaded, photoSpread, zRows } from './slice-rules';
import { initialState, type AppState } from './store';

const info = (nz: number, over: Partial<ModelInfo> = {}): ModelInfo =>
  ({ id: 'm', nz, domains: { a: 'cat', b: 'dog' }, packMs: 1, buildMs: 2, warmupMs: 3, ...over }) as unknown as ModelInfo;

const frame = { width: 1, height: 1, data: new Uint8ClampedArray(4) };

describe('grid reset rule', () => {
  it('zRows draws n rows of nz from the seed (the CLI sampling)', () => {
    const rows = zRows(9, 3, 4);
    expect(rows).toHaveLength(3);
    expect(rows.flat()).toEqual(Array.from(sampleNormal(9, 3, 4)));
  });

  it('an open grid keeps seed and size, redraws its rows for the new nz and drops its frames', () => {
    const open = { ...newGrid(4, 11, 2), frames: [frame], busy: true };
    const g = gridOnModel(open, false, 8, 99);
    expect(g).toEqual({ seed: 11, size: 4, zs: zRows(11, 4, 8), frames: [], busy: false });
  });

  it('a grid the user closed stays closed; otherwise a default grid opens with the given seed', () => {
    expect(gridOnModel(null, true, 8, 5)).toBeNull();
    expect(gridOnModel(null, false, 8, 5)).toEqual(newGrid(GRID_DEFAULT, 5, 8));
  });

  it('photoSpread is the target domain stats only when z comes from the photos', () => {
    const stats = { a: { tag: 'a' }, b: { tag: 'b' } } as unknown as ModelInfo['attributeStats'];
    const model = info(8, { attributeStats: stats });
    expect(photoSpread({ zSource: 'normal', model, direction: 'a2b' })).toBeUndefined();
    expect(photoSpread({ zSource: 'photos', model, direction: 'a2b' })).toBe(stats!.b);
    expect(photoSpread({ zSource: 'photos', model, direction: 'b2a' })).toBe(stats!.a);
  });
});

describe('what a loaded model resets', () => {
  const before: AppState = {
    ...initialState,
    z: [0.5, 0.5],
    baseZ: [0.5, 0.5],
    sampleZ: [0.5, 0.5],
    seed: 3,
    locked: [true, false],
    interp: { from: [1, 1], to: [2, 2], frames: 5, strip: [frame], busy: false },
    grid: null,
    perf: { renders: 4 },
    session: { ...initialState.session, pendingShareZ: null, gridClosed: true },
  };

  it('interpolation: both ends and the strip go, the frame count stays', () => {
    expect(interpOnModel(before.interp)).toEqual({ from: null, to: null, frames: 5, strip: [], busy: false });
  });

  it('same nz: z, locks and a closed grid are kept; history restarts at z with the stars', () => {
    const c = onModelLoaded(before, info(2), [[9, 9]], 1);
    expect(c).toMatchObject({ loading: null, z: [0.5, 0.5], locked: [true, false], grid: null });
    expect(c.history!.entries.map((e) => [e.z, e.source, e.starred])).toEqual([
      [[9, 9], 'starred', true],
      [[0.5, 0.5], 'model', false],
    ]);
    expect(c.history!.index).toBe(1);
    expect(c.perf).toEqual({ renders: 4, packMs: 1, buildMs: 2, warmupMs: 3 });
    expect(c.interp).toMatchObject({ from: null, to: null, strip: [] });
  });

  it('new nz: z is re-sampled from the seed, locks are cleared, a starred z of the old nz is dropped', () => {
    const c = onModelLoaded(before, info(4), [[9, 9]], 1);
    expect(c.z).toEqual(normalRow(3, 4));
    expect(c.locked).toEqual([false, false, false, false]);
    expect(c.history!.entries.every((e) => e.z.length === 4)).toBe(true);
  });

  it('a shared z waiting for the model wins once and is spent; a grid not closed opens', () => {
    const shared = [1, 2, 3, 4];
    const s = { ...before, session: { ...before.session, pendingShareZ: shared, gridClosed: false } };
    const c = onModelLoaded(s, info(4), [], 7);
    expect(c.z).toEqual(shared);
    expect(c.session!.pendingShareZ).toBeNull();
    expect(c.grid).toEqual(newGrid(GRID_DEFAULT, 7, 4));
  });
});
