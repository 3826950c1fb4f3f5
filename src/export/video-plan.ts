/**
 * What a video translation does, as pure functions: which files count as videos, the caps on size,
 * length and frame size (with the message each gives), which source frames are translated (all of
 * them up to a frame-rate cap) and when each is shown, the z of every frame, and the time left.
 */

export const VIDEO_LIMITS = {
  /** Largest file read (the whole output is built in memory). */
  maxBytes: 200 * 1024 * 1024,
  /** Longest clip, seconds. */
  maxSeconds: 60,
  /** Largest frame: 4K UHD, either way round. */
  maxPixels: 3840 * 2160,
  maxSide: 3840,
  /** Frames per second translated at most; faster clips keep every n-th frame. */
  maxFps: 30,
} as const;

const VIDEO_NAME = /\.(mp4|m4v|mov|webm|mkv)$/i;

/** Whether a dropped or picked file is meant as a video (by MIME type or name). */
export function isVideoFile(name: string, type: string): boolean {
  return type.startsWith('video/') || VIDEO_NAME.test(name);
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** Why a file of this size is refused, or null. */
export function fileSizeProblem(name: string, bytes: number): string | null {
  if (bytes === 0) return `“${name}” is empty.`;
  if (bytes > VIDEO_LIMITS.maxBytes) {
    return `“${name}” is ${mb(bytes)}; videos up to ${mb(VIDEO_LIMITS.maxBytes)} can be translated. Trim or compress it first.`;
  }
  return null;
}

/** Why a video track of this length and frame size is refused, or null. */
export function trackProblem(name: string, t: { seconds: number; width: number; height: number }): string | null {
  if (!Number.isFinite(t.seconds) || t.seconds <= 0) return `“${name}” has no playable length.`;
  if (t.seconds > VIDEO_LIMITS.maxSeconds + 0.05) {
    return `“${name}” is ${t.seconds.toFixed(1)} s long; videos up to ${VIDEO_LIMITS.maxSeconds} s can be translated. Trim it first.`;
  }
  if (t.width <= 0 || t.height <= 0) return `“${name}” has no picture size.`;
  if (Math.max(t.width, t.height) > VIDEO_LIMITS.maxSide || t.width * t.height > VIDEO_LIMITS.maxPixels) {
    return `“${name}” is ${t.width}×${t.height} pixels; frames up to 3840×2160 (4K) can be translated.`;
  }
  return null;
}

/** One frame of the output: the source frame it translates and when the output shows it. */
export interface PlannedFrame {
  /** Presentation time of the source frame in the file, seconds. */
  source: number;
  /** Output time (the first frame at 0) and how long it is shown, seconds. */
  timestamp: number;
  duration: number;
}

/**
 * The frames to translate, in presentation order: every source frame, except that a clip faster
 * than `maxFps` keeps a frame only when at least 1/maxFps has passed since the last kept one.
 * Each kept frame lasts until the next kept one (the last until `end`, or its own frame interval
 * when `end` is not after it), so the output keeps the clip's timing, variable frame rates included.
 */
export function planFrames(timestamps: readonly number[], end: number, maxFps: number = VIDEO_LIMITS.maxFps): PlannedFrame[] {
  const sorted = [...new Set(timestamps)].filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return [];
  const step = 1 / maxFps;
  // A little slack: 29.97 fps timestamps rounded to milliseconds must not lose frames to a 30 fps cap.
  const slack = step * 0.02;
  const kept: number[] = [];
  for (const t of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined || t - last >= step - slack) kept.push(t);
  }
  const t0 = kept[0]!;
  const spacing = kept.length > 1 ? (kept[kept.length - 1]! - t0) / (kept.length - 1) : step;
  return kept.map((t, i) => {
    const next = kept[i + 1] ?? (end > t ? end : t + spacing);
    return { source: t, timestamp: t - t0, duration: next - t };
  });
}

/** Where the z of each frame comes from: one z for all, or a straight line between two (interpolation, sweep). */
export type ZPath = { kind: 'fixed'; z: readonly number[] } | { kind: 'line'; from: readonly number[]; to: readonly number[] };

/** The z of frame k of n: the line's ends at the first and last frame, evenly spaced between (as the strip). */
export function zAt(path: ZPath, k: number, n: number): number[] {
  if (path.kind === 'fixed') return path.z.slice();
  if (path.from.length !== path.to.length) throw new RangeError(`the z path's ends differ in length (${path.from.length} and ${path.to.length})`);
  const t = n <= 1 ? 0 : k / (n - 1);
  return path.from.map((a, i) => a + (path.to[i]! - a) * t);
}

/** Seconds left when `done` of `total` frames took `elapsedMs`, or null before the first frame. */
export function etaSeconds(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || total <= 0) return null;
  return Math.max(0, ((total - done) * elapsedMs) / done / 1000);
}

/** "about 1 min 5 s left", "about 40 s left", "under a second left" (null: "estimating…"). */
export function describeEta(seconds: number | null): string {
  if (seconds === null) return 'estimating the time left…';
  if (seconds < 1) return 'under a second left';
  const s = Math.round(seconds);
  if (s < 60) return `about ${s} s left`;
  const m = Math.floor(s / 60);
  return `about ${m} min ${s % 60} s left`;
}
