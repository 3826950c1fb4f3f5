/** The video-translation slice of the store (plain data); the actions are in actions.ts. */
import type { RgbaFrame } from '../../worker/protocol';

/** Where each frame's z comes from: the current z, the interpolation's two ends, or the sweep of one slider. */
export type VideoZPath = 'current' | 'interp' | 'sweep';

export interface VideoJob {
  name: string;
  stage: 'reading' | 'translating' | 'finishing';
  done: number;
  total: number;
  /** "about 40 s left" (video-plan.ts describeEta). */
  eta: string;
  /** The last translated frame and its exact model input, shown while the job runs. */
  frame: RgbaFrame | null;
  input: RgbaFrame | null;
  /** The worker's mean time per frame so far (reading the frame, pre-processing, E_c + G), ms. */
  workerMs: number | null;
}

export interface VideoResult {
  name: string;
  /** Object URL of the translated file (revoked when replaced), for the preview player. */
  url: string;
  type: string;
  summary: string;
}

export interface VideoState {
  path: VideoZPath;
  job: VideoJob | null;
  result: VideoResult | null;
  /** A cancel, or the reason the sound was left out. */
  message: string | null;
}

export const VIDEO_INITIAL: VideoState = { path: 'current', job: null, result: null, message: null };
