/**
 * z actions: the store side of the pure rules in ../attributes.ts (direction swap, z source,
 * sliders, locks, re-roll, reset, zero). Each writes the change its rule returns and records a
 * history entry where the z jumps.
 */
import { freshSeed } from '../../drit/random';
import * as attr from '../attributes';
import { remember } from '../history-actions';
import { applyReference } from '../reference';
import { photoSpread } from '../slice-rules';
import { getState, setState, type AppState } from '../store';
import { showGrid } from './grid';

/**
 * Swaps the direction. A reference is a picture of one direction's target domain: swapped away
 * while it is the source of z, z returns to the last sample (and the reference waits, unused);
 * swapped back, it becomes the source again (the renderer re-encodes it and sets z).
 */
export function setDirection(direction: AppState['direction']): void {
  const s = getState();
  if (s.direction === direction) return;
  const r = s.reference;
  if (r && r.direction !== direction && s.mode === 'reference') {
    setState({ direction, ...attr.toSampleMode(s), mode: 'sample', reference: { ...r, resume: true } });
    remember('sample');
  } else if (r && r.direction === direction && r.resume) {
    setState({ direction, mode: 'reference', reference: { ...r, resume: false } });
  } else {
    setState({ direction });
  }
}

/** Switches where z comes from: the last sample, or the reference image (if one was dropped). */
export function setMode(mode: AppState['mode']): void {
  const r = getState().reference;
  if (r?.resume) setState({ reference: { ...r, resume: false } }); // an explicit choice wins over a swap's memory
  if (mode === 'reference') {
    setState({ mode });
    applyReference();
  } else {
    setState(attr.toSampleMode(getState()));
    remember('sample');
  }
}

/** Writes a transition's changes (the store's setter ignores an empty change for subscribers' sake). */
function applyAttr(change: attr.AttributeChange): void {
  if (Object.keys(change).length) setState(change);
}

export function setZ(i: number, value: number): void {
  applyAttr(attr.setDimension(getState(), i, value));
}

/** The whole z at once (principal-direction sliders, directions.ts); a release is committed by commitSlider like any slider. */
export function setZVector(z: readonly number[]): void {
  if (z.length === getState().z.length && z.every(Number.isFinite)) setState({ z: z.slice() });
}

export function setSliderSet(sliderSet: AppState['sliderSet']): void {
  setState({ sliderSet });
}

export function setLocked(i: number, locked: boolean): void {
  applyAttr(attr.setLock(getState(), i, locked));
}

/** New seed; locked dimensions keep their value. */
export function reroll(): void {
  const s = getState();
  if (!s.model) return;
  setState(attr.reroll(s, freshSeed(), s.model.nz, photoSpread(s)));
  remember('re-roll');
}

/** Where re-rolls and the grid draw z from; a change re-rolls (and renews an open grid) from it. */
export function setZSource(zSource: AppState['zSource']): void {
  if (getState().zSource === zSource) return;
  setState({ zSource });
  reroll();
  if (getState().grid) showGrid();
}

export function resetZ(): void {
  setState(attr.reset(getState()));
  remember('reset');
}

export function zeroZ(): void {
  setState(attr.zero(getState()));
  remember('zero');
}
