import { describe, expect, it } from 'vitest';
import { VIDEO_LIMITS, describeEta, etaSeconds, fileSizeProblem, isVideoFile, planFrames, trackProblem, zAt } from './video-plan';

describe('isVideoFile', () => {
  it('knows videos by MIME type or name, and nothing else', () => {
    expect(isVideoFile('clip.bin', 'video/webm')).toBe(true);
    expect(isVideoFile('Clip.MP4', '')).toBe(true);
    expect(isVideoFile('clip.webm', 'application/octet-stream')).toBe(true);
    expect(isVideoFile('cat.png', 'image/png')).toBe(false);
    expect(isVideoFile('model.pth', '')).toBe(false);
  });
});

describe('caps', () => {
  it('refuses empty and oversized files with their size and the limit', () => {
    expect(fileSizeProblem('a.mp4', 0)).toMatch(/empty/);
    expect(fileSizeProblem('a.mp4', VIDEO_LIMITS.maxBytes)).toBeNull();
    expect(fileSizeProblem('a.mp4', VIDEO_LIMITS.maxBytes + 1)).toBe('“a.mp4” is 200 MB; videos up to 200 MB can be translated. Trim or compress it first.');
    expect(fileSizeProblem('b.webm', 300 * 1024 * 1024)).toMatch(/is 300 MB; videos up to 200 MB/);
  });

  it('refuses clips that are too long or too large, and accepts the limits themselves', () => {
    expect(trackProblem('a.webm', { seconds: 60, width: 3840, height: 2160 })).toBeNull();
    expect(trackProblem('a.webm', { seconds: 2, width: 2160, height: 3840 })).toBeNull();
    expect(trackProblem('a.webm', { seconds: 61, width: 64, height: 64 })).toBe('“a.webm” is 61.0 s long; videos up to 60 s can be translated. Trim it first.');
    expect(trackProblem('a.webm', { seconds: 5, width: 4096, height: 2160 })).toMatch(/4096×2160 pixels; frames up to 3840×2160/);
    expect(trackProblem('a.webm', { seconds: 5, width: 3000, height: 3000 })).toMatch(/3000×3000/);
    expect(trackProblem('a.webm', { seconds: 0, width: 64, height: 64 })).toMatch(/no playable length/);
    expect(trackProblem('a.webm', { seconds: Number.NaN, width: 64, height: 64 })).toMatch(/no playable length/);
  });
});

describe('planFrames', () => {
  it('keeps every frame of a clip at or under the cap, with its own timing, from 0', () => {
    const ts = [0.5, 0.6, 0.7, 0.8];
    const plan = planFrames(ts, 0.9, 30);
    expect(plan.map((p) => p.source)).toEqual(ts);
    expect(plan.map((p) => p.timestamp)).toEqual([0, 0.1, 0.2, 0.3].map((t) => expect.closeTo(t, 9)));
    for (const p of plan) expect(p.duration).toBeCloseTo(0.1, 9);
  });

  it('sorts decode-order timestamps (B-frames) and drops duplicates', () => {
    const plan = planFrames([0, 0.2, 0.1, 0.1, 0.3], 0.4, 30);
    expect(plan.map((p) => p.source)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('thins a 60 fps clip to 30 fps (every second frame), each kept frame lasting two', () => {
    const ts = Array.from({ length: 12 }, (_, i) => i / 60);
    const plan = planFrames(ts, 12 / 60, 30);
    expect(plan.map((p) => p.source)).toEqual(ts.filter((_, i) => i % 2 === 0));
    for (const p of plan) expect(p.duration).toBeCloseTo(2 / 60, 9);
  });

  it('keeps all frames of 29.97 fps timestamps rounded to milliseconds', () => {
    const ts = Array.from({ length: 300 }, (_, i) => Math.round((i * 1001) / 30) / 1000);
    expect(planFrames(ts, 10, 30)).toHaveLength(300);
  });

  it('variable frame rate: each frame lasts until the next; the last one until the end, or one mean interval', () => {
    const plan = planFrames([0, 0.1, 0.5], 1, 30);
    expect(plan.map((p) => p.duration)).toEqual([expect.closeTo(0.1, 9), expect.closeTo(0.4, 9), expect.closeTo(0.5, 9)]);
    expect(planFrames([0, 0.1, 0.5], 0, 30)[2]!.duration).toBeCloseTo(0.25, 9);
    expect(planFrames([], 1)).toEqual([]);
  });
});

describe('zAt', () => {
  it('a fixed z for every frame (a copy)', () => {
    const z = [1, 2];
    const got = zAt({ kind: 'fixed', z }, 3, 10);
    expect(got).toEqual([1, 2]);
    expect(got).not.toBe(z);
  });

  it('a line from its first to its last frame, evenly spaced', () => {
    const path = { kind: 'line', from: [0, -3], to: [1, 3] } as const;
    expect([0, 1, 2, 3, 4].map((k) => zAt(path, k, 5))).toEqual([
      [0, -3],
      [0.25, -1.5],
      [0.5, 0],
      [0.75, 1.5],
      [1, 3],
    ]);
    expect(zAt(path, 0, 1)).toEqual([0, -3]);
    expect(() => zAt({ kind: 'line', from: [0], to: [1, 2] }, 0, 2)).toThrow(/differ in length/);
  });
});

describe('time left', () => {
  it('extrapolates the mean time per frame', () => {
    expect(etaSeconds(0, 10, 0)).toBeNull();
    expect(etaSeconds(2, 10, 1000)).toBe(4);
    expect(etaSeconds(10, 10, 5000)).toBe(0);
  });

  it('says it in words', () => {
    expect(describeEta(null)).toMatch(/estimating/);
    expect(describeEta(0.4)).toBe('under a second left');
    expect(describeEta(40.4)).toBe('about 40 s left');
    expect(describeEta(65)).toBe('about 1 min 5 s left');
  });
});
