/**
 * What an animation shows, as pure functions: the attribute vectors of a one-slider sweep and the
 * frame order of the exported animation (ping-pong, like the on-page preview).
 */

/** Milliseconds each frame is shown, in the preview and in the exported files (GIF: 16 cs exactly). */
export const FRAME_MS = 160;

/** The range of a sweep: the attribute sliders' own range. */
export const SWEEP_RANGE = 3;

/** Frames a sweep or strip may have (one batched generator pass each). */
export const MIN_FRAMES = 2;
export const MAX_FRAMES = 16;

export function clampFrames(n: number): number {
  if (!Number.isFinite(n)) return MIN_FRAMES;
  return Math.max(MIN_FRAMES, Math.min(MAX_FRAMES, Math.round(n)));
}

/**
 * The z list of a sweep of dimension `dim` from -range to +range in `steps` evenly spaced values
 * (both ends included); every other dimension keeps its value in `z`.
 */
export function sweepZs(z: readonly number[], dim: number, steps: number, range = SWEEP_RANGE): number[][] {
  if (!Number.isInteger(dim) || dim < 0 || dim >= z.length) {
    throw new RangeError(`sweep dimension ${dim} is outside 0..${z.length - 1}`);
  }
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`a sweep needs at least 2 steps, got ${steps}`);
  return Array.from({ length: steps }, (_, k) => {
    const row = z.slice();
    row[dim] = -range + (2 * range * k) / (steps - 1);
    return row;
  });
}

/**
 * The order in which n frames are played: forth and back without repeating the turning frames
 * (0, 1, …, n-1, n-2, …, 1), so a looping player never stutters at either end; 2n - 2 frames for
 * n >= 2, [0] for a single frame.
 */
export function pingPong(n: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [0];
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 2; i >= 1; i--) order.push(i);
  return order;
}
