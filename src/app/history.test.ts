/** Attribute history transitions (src/app/history.ts). */
import { describe, expect, it } from 'vitest';
import { EMPTY_HISTORY, HISTORY_LIMIT, jump, move, record, starredZs, thumbnail, toggleStar, withStarred, withThumb } from './history';

describe('attribute history', () => {
  it('records distinct z, undo/redo move through them, a new step drops the undone future', () => {
    let h = record(EMPTY_HISTORY, [0, 0], 'model');
    h = record(h, [1, 1], 'reroll');
    expect(record(h, [1, 1], 'slider')).toBe(h); // the same z again is not a new step
    h = record(h, [2, 2], 'slider');
    expect(h.entries.map((e) => e.z)).toEqual([[0, 0], [1, 1], [2, 2]]);
    const undone = move(move(h, -1)!, -1)!;
    expect(undone.index).toBe(0);
    expect(move(undone, -1)).toBeNull();
    expect(move(h, 1)).toBeNull();
    expect(move(undone, 1)!.index).toBe(1);
    const branched = record(undone, [5, 5], 'grid');
    expect(branched.entries.map((e) => e.z)).toEqual([[0, 0], [5, 5]]);
    expect(branched.index).toBe(1);
    expect(jump(h, 1)!.index).toBe(1);
    expect(jump(h, 3)).toBeNull();
  });

  it('stars survive the dropped future and the length limit; starred z restore for a model', () => {
    let h = record(EMPTY_HISTORY, [0], 'model');
    h = record(h, [1], 'reroll');
    h = toggleStar(h, 1);
    h = move(h, -1)!;
    h = record(h, [2], 'reroll');
    expect(h.entries.map((e) => [e.z[0], e.starred])).toEqual([[0, false], [1, true], [2, false]]);
    for (let i = 3; i < HISTORY_LIMIT + 10; i++) h = record(h, [i], 'reroll');
    expect(h.entries).toHaveLength(HISTORY_LIMIT);
    expect(h.entries.some((e) => e.z[0] === 1 && e.starred)).toBe(true);
    expect(h.entries[h.index]!.z).toEqual([HISTORY_LIMIT + 9]);
    expect(starredZs(h)).toEqual([[1]]);
    const restored = withStarred(record(EMPTY_HISTORY, [7, 7], 'model'), [[1, 2], [3], [Number.NaN, 1]], 2);
    expect(restored.entries.map((e) => [e.z, e.starred])).toEqual([[[1, 2], true], [[7, 7], false]]);
    expect(restored.index).toBe(1);
  });

  it('thumbnails attach to the entries of the rendered z', () => {
    const frame = { width: 4, height: 2, data: new Uint8ClampedArray(Array.from({ length: 32 }, (_, i) => i)) };
    const t = thumbnail(frame, 2);
    expect([t.width, t.height]).toEqual([2, 2]);
    expect(Array.from(t.data.subarray(0, 4))).toEqual([4, 5, 6, 7]); // pixel (1, 0) of the source
    let h = record(record(EMPTY_HISTORY, [0], 'model'), [1], 'reroll');
    h = withThumb(h, [1], t);
    expect(h.entries.map((e) => e.thumb !== null)).toEqual([false, true]);
    expect(withThumb(h, [1], t)).toBe(h);
  });
});
