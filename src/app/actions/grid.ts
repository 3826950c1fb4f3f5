/**
 * Diversity-grid actions. Reset rule (slice-rules.ts `gridOnModel`): a model change redraws an
 * open grid's rows with its seed; a grid the user closed stays closed, also for the next model,
 * until asked for again.
 */
import { freshSeed } from '../../drit/random';
import * as attr from '../attributes';
import { remember } from '../history-actions';
import { GRID_DEFAULT, newGrid, photoSpread } from '../slice-rules';
import { getState, setState } from '../store';

/** A new diversity grid (new seed unless given); it follows the image, crop and direction. */
export function showGrid(size = getState().grid?.size ?? GRID_DEFAULT, seed = freshSeed()): void {
  const s = getState();
  if (!s.model) return;
  setState({ grid: newGrid(size, seed, s.model.nz, photoSpread(s)), session: { ...s.session, gridClosed: false } });
}

/** Closes the grid (the renderer drops a grid render in progress: the grid's key is gone). */
export function hideGrid(): void {
  setState({ grid: null, session: { ...getState().session, gridClosed: true } });
}

export function pickGridTile(i: number): void {
  const g = getState().grid;
  const z = g?.zs[i];
  if (!g || !z) return;
  setState(attr.pickTile(z));
  remember('grid');
}
