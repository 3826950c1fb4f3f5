/**
 * Attribute history: every z the output showed by a deliberate step (re-roll, slider release,
 * grid pick, reference, reset, share link, model load) is an entry; undo / redo move through them;
 * a starred z is kept per model across visits (localStorage). Pure functions over `HistoryState`,
 * tested in history.test.ts; history-actions.ts and the action modules record and apply them.
 */
import type { RgbaFrame } from '../worker/protocol';

export interface HistoryEntry {
  z: number[];
  source: string;
  starred: boolean;
  /** A small copy of the output this z produced (filled in when it renders). */
  thumb: RgbaFrame | null;
}

export interface HistoryState {
  entries: HistoryEntry[];
  /** The entry the current z came from (-1: none yet). */
  index: number;
}

export const EMPTY_HISTORY: HistoryState = { entries: [], index: -1 };
/** Unstarred entries beyond this are dropped, oldest first. */
export const HISTORY_LIMIT = 40;

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Records `z` after the current entry (entries after it, an undone future, are dropped). */
export function record(h: HistoryState, z: number[], source: string): HistoryState {
  const cur = h.entries[h.index];
  if (cur && same(cur.z, z)) return h;
  // keep starred entries from the dropped future: a star is a promise to keep
  const kept = h.entries.slice(0, h.index + 1).concat(h.entries.slice(h.index + 1).filter((e) => e.starred));
  const entries = [...kept, { z: z.slice(), source, starred: false, thumb: null }];
  let excess = entries.length - HISTORY_LIMIT;
  const trimmed = entries.filter((e, i) => {
    if (excess > 0 && !e.starred && i < entries.length - 1) {
      excess--;
      return false;
    }
    return true;
  });
  return { entries: trimmed, index: trimmed.length - 1 };
}

/** The entry `step` places away (-1 undo, +1 redo), or null at either end. */
export function move(h: HistoryState, step: number): HistoryState | null {
  const index = h.index + step;
  if (index < 0 || index >= h.entries.length) return null;
  return { ...h, index };
}

export function jump(h: HistoryState, index: number): HistoryState | null {
  return index >= 0 && index < h.entries.length ? { ...h, index } : null;
}

export function toggleStar(h: HistoryState, index: number): HistoryState {
  return { ...h, entries: h.entries.map((e, i) => (i === index ? { ...e, starred: !e.starred } : e)) };
}

/** Whether an entry with this z still lacks its thumbnail (so a render need not make one). */
export function needsThumb(h: HistoryState, z: readonly number[]): boolean {
  return h.entries.some((e) => !e.thumb && same(e.z, z));
}

/** Attaches the output thumbnail to every entry with this z that has none. */
export function withThumb(h: HistoryState, z: readonly number[], thumb: RgbaFrame): HistoryState {
  if (!needsThumb(h, z)) return h;
  return { ...h, entries: h.entries.map((e) => (!e.thumb && same(e.z, z) ? { ...e, thumb } : e)) };
}

/** Starred entries restored for a model (from storage), placed before the fresh history. */
export function withStarred(h: HistoryState, starred: number[][], nz: number): HistoryState {
  const fresh = starred.filter((z) => z.length === nz && z.every(Number.isFinite) && !h.entries.some((e) => same(e.z, z)));
  if (!fresh.length) return h;
  const entries = [...fresh.map((z) => ({ z: z.slice(), source: 'starred', starred: true, thumb: null })), ...h.entries];
  return { entries, index: h.index + fresh.length };
}

export function starredZs(h: HistoryState): number[][] {
  return h.entries.filter((e) => e.starred).map((e) => e.z.slice());
}

/** Nearest-neighbour thumbnail of an RGBA frame (for the history strip). */
export function thumbnail(f: RgbaFrame, size = 48): RgbaFrame {
  const w = Math.min(size, f.width);
  const h = Math.min(size, f.height);
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.floor(((y + 0.5) * f.height) / h);
    for (let x = 0; x < w; x++) {
      const sx = Math.floor(((x + 0.5) * f.width) / w);
      const s = (sy * f.width + sx) * 4;
      data.set(f.data.subarray(s, s + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}
