/** The animated-export slice of the store (plain data); the actions are in export.ts. */
import type { VideoContainer } from '../export/video';
import type { RgbaFrame } from '../worker/protocol';

export type ExportSource = 'interp' | 'sweep';
export type ExportKind = 'gif' | 'webp' | 'video';

/** A sweep of one attribute dimension from -3 to 3, the other dimensions kept at the current z. */
export interface SweepState {
  dim: number;
  frames: number;
  /** The rendered frames (empty until rendered; cleared when the image, crop, direction or model change). */
  strip: RgbaFrame[];
  /** The z each frame of `strip` was rendered from. */
  zs: number[][];
  busy: boolean;
}

export interface ExportJob {
  source: ExportSource;
  kind: ExportKind;
  /** 0..1 */
  progress: number;
  /** What is happening now, for the progress label. */
  stage: string;
}

export interface ExportState {
  sweep: SweepState;
  container: VideoContainer;
  job: ExportJob | null;
  /** What the last finished export saved (file name, frames, size), for the status line. */
  saved: string | null;
}

export const EXPORT_INITIAL: ExportState = {
  sweep: { dim: 0, frames: 7, strip: [], zs: [], busy: false },
  container: 'webm',
  job: null,
  saved: null,
};
