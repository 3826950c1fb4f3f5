/** What every encoder here shares: options, frame checks, cancellation and yielding to the page. */
import type { RgbaFrame } from '../worker/protocol';

export interface EncodeOptions {
  /** Aborting rejects the encode with an AbortError as soon as the current frame is done. */
  signal?: AbortSignal;
  /** Fraction done, 0..1, after each frame. */
  onProgress?: (fraction: number) => void;
}

/** The frames' common size; throws when there are none or their sizes differ. */
export function checkFrames(frames: readonly RgbaFrame[]): { width: number; height: number } {
  const first = frames[0];
  if (!first) throw new Error('there are no frames to export');
  for (const f of frames) {
    if (f.width !== first.width || f.height !== first.height) {
      throw new Error(`all frames must have one size: ${f.width}×${f.height} differs from ${first.width}×${first.height}`);
    }
    if (f.data.length !== f.width * f.height * 4) throw new Error(`a ${f.width}×${f.height} frame has ${f.data.length} bytes, not RGBA`);
  }
  return { width: first.width, height: first.height };
}

export function abortError(): DOMException {
  return new DOMException('export cancelled', 'AbortError');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

/** Lets the page handle input and paint between frames (a macrotask, not a microtask). */
export function yieldToUi(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
