/**
 * History actions: every z the output showed by a deliberate step becomes an entry (history.ts
 * holds the pure rules); undo / redo / jump; stars kept per model in localStorage.
 */
import * as hist from './history';
import { getState, setState } from './store';

const STAR_KEY = (modelId: string): string => `drit-starred:${modelId}`;

export function loadStarred(modelId: string): number[][] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(STAR_KEY(modelId)) ?? '[]');
    return Array.isArray(v) ? v.filter((z): z is number[] => Array.isArray(z) && z.every((x) => typeof x === 'number')) : [];
  } catch {
    return [];
  }
}

/** The current z becomes a history entry (a deliberate step: not every slider move). */
export function remember(source: string): void {
  const s = getState();
  if (s.model && s.z.length === s.model.nz) setState({ history: hist.record(s.history, s.z, source) });
}

/** A slider was released (pointer up, key up): its final value is one step. */
export function commitSlider(): void {
  remember('slider');
}

function showEntry(h: hist.HistoryState | null): void {
  const e = h?.entries[h.index];
  if (!h || !e) return;
  setState({ history: h, z: e.z.slice(), baseZ: e.z.slice() });
}

export function undo(): void {
  showEntry(hist.move(getState().history, -1));
}

export function redo(): void {
  showEntry(hist.move(getState().history, 1));
}

export function showHistoryEntry(i: number): void {
  showEntry(hist.jump(getState().history, i));
}

/** Stars (or un-stars) an entry; starred z are kept for this model across visits. */
export function toggleHistoryStar(i: number): void {
  const s = getState();
  const history = hist.toggleStar(s.history, i);
  setState({ history });
  if (!s.modelId) return;
  try {
    localStorage.setItem(STAR_KEY(s.modelId), JSON.stringify(hist.starredZs(history)));
  } catch {
    setState({ notice: 'The star could not be saved for the next visit (browser storage is unavailable).' });
  }
}
