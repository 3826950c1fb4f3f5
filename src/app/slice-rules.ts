/**
 * Pure reset rules of the store's slices: what a model change does to z, the history, the grid
 * and the interpolation strip, and how the grid draws its rows. The action modules
 * (src/app/actions) write these changes; the rules themselves touch neither the store nor the
 * worker, so they are unit-tested on their own (slice-rules.test.ts).
 */
import { sampleFromPhotos, sampleNormal, type PhotoSpread } from '../drit/random';
import type { ModelInfo } from '../worker/protocol';
import * as attr from './attributes';
import { targetSide } from './domains';
import * as hist from './history';
import type { AppState } from './store';

/** Tiles of a diversity grid opened without a size (and of the first grid of a page). */
export const GRID_DEFAULT = 6;

/** `n` rows of z drawn from `seed`: N(0, I), or the target photos' spread when given. */
export function zRows(seed: number, n: number, nz: number, spread?: PhotoSpread): number[][] {
  const flat = spread ? sampleFromPhotos(seed, n, nz, spread) : sampleNormal(seed, n, nz);
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * nz, (i + 1) * nz)));
}

/** The target photos' spread when z is drawn from it (and the pack has it), else undefined: N(0, I). */
export function photoSpread(s: Pick<AppState, 'zSource' | 'model' | 'direction'>): PhotoSpread | undefined {
  if (s.zSource !== 'photos') return undefined;
  return s.model?.attributeStats?.[targetSide(s.direction)];
}

export type Grid = NonNullable<AppState['grid']>;

/** A fresh grid: `size` tiles drawn from `seed`, none rendered yet. */
export function newGrid(size: number, seed: number, nz: number, spread?: PhotoSpread): Grid {
  return { seed, size, zs: zRows(seed, size, nz, spread), frames: [], busy: false };
}

/**
 * The grid's reset rule on a model change: an open grid keeps its seed and size and redraws its
 * rows for the new nz (its frames belong to the old model); a grid the user closed stays closed;
 * otherwise a default grid opens with `seed`.
 */
export function gridOnModel(grid: AppState['grid'], gridClosed: boolean, nz: number, seed: number, spread?: PhotoSpread): AppState['grid'] {
  if (grid) return { ...grid, zs: zRows(grid.seed, grid.size, nz, spread), frames: [], busy: false };
  return gridClosed ? null : newGrid(GRID_DEFAULT, seed, nz, spread);
}

/** The interpolation's reset rule on a model change: both ends and the strip go (their z had the old nz); the frame count stays. */
export function interpOnModel(interp: AppState['interp']): AppState['interp'] {
  return { ...interp, from: null, to: null, strip: [] };
}

/**
 * Everything a loaded model changes: z (attributes.onModel: a shared z waiting for it, else kept
 * or re-sampled for the new nz), a history that starts at that z with the model's starred
 * entries, the grid and interpolation by their rules, the load timings, and the spent share z.
 */
export function onModelLoaded(
  s: AppState,
  info: ModelInfo,
  starred: number[][],
  gridSeed: number,
): Partial<AppState> {
  const nz = info.nz;
  const attrs = attr.onModel(s, nz, s.session.pendingShareZ);
  return {
    model: info,
    loading: null,
    ...attrs,
    history: hist.withStarred(hist.record(hist.EMPTY_HISTORY, attrs.z ?? s.z, 'model'), starred, nz),
    grid: gridOnModel(s.grid, s.session.gridClosed, nz, gridSeed, photoSpread({ ...s, model: info })),
    interp: interpOnModel(s.interp),
    perf: { ...s.perf, packMs: info.packMs, buildMs: info.buildMs, warmupMs: info.warmupMs },
    session: { ...s.session, pendingShareZ: null },
    // Browser storage failed on this load (weights not kept, a damaged copy replaced, a converted model only in memory).
    ...(info.storageNotice ? { notice: info.storageNotice } : {}),
  };
}
