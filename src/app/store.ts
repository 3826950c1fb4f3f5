/**
 * The UI state (zustand). Plain data only; the logic that talks to the worker lives in the action
 * modules (src/app/actions, one per slice) and `controller.ts` (start-up); React components read
 * slices of this store and call those actions.
 */
import { create } from 'zustand';
import { EMPTY_HISTORY, type HistoryState } from './history';
import type { SliderSet } from './directions';
import { EXPORT_INITIAL, type ExportState } from './export-state';
import { VIDEO_INITIAL, type VideoState } from './video/state';
import type { Direction } from '../drit/model';
import type {
  BackendName,
  BackendStatus,
  ConvertProgress,
  CropBox,
  DecodedImage,
  LoadProgress,
  ModelInfo,
  ModelSpec,
  RgbaFrame,
} from '../worker/protocol';

export type Mode = 'sample' | 'reference';
export type ZSource = 'normal' | 'photos';

export interface ModelEntry extends ModelSpec {
  /** 'server' = listed in models/index.json; 'local' = converted in this browser. */
  origin: 'server' | 'local';
  description?: string;
  /** What photos the model was trained on (models/index.json `knows`), shown beside the drop zone. */
  knows?: string;
}

/** An image the user dropped, kept on the main thread so the worker can be re-fed after a crash. */
export interface ImageSlot extends DecodedImage {
  file: Blob;
  name: string;
  /** Object URL for <img>. */
  url: string;
}

export interface ReferenceState {
  slot: ImageSlot;
  /** The direction it was given for: it is a picture of that direction's target domain, and only
   * that direction uses it (after a swap it waits, unused, until the direction comes back). */
  direction: Direction;
  /** It was the source of z when the direction was swapped away: swapping back makes it so again. */
  resume?: boolean;
  /** 'encoding' until E_a of this image has come back (mu empty, no input yet); 'ready' after. */
  status: 'encoding' | 'ready';
  mu: number[];
  sigma?: number[];
  /** The reference's exact model input, once encoded. */
  input: RgbaFrame | null;
  /** concat = 1: z = mu + sigma * eps(seed) instead of mu. */
  sampleAround: boolean;
  seed: number;
}

export interface GridState {
  seed: number;
  size: number;
  zs: number[][];
  frames: RgbaFrame[];
  busy: boolean;
}

export interface InterpState {
  from: number[] | null;
  to: number[] | null;
  frames: number;
  strip: RgbaFrame[];
  busy: boolean;
}

/** The live camera source (camera.ts): its frames replace the photo while it runs. */
export interface CameraState {
  status: 'off' | 'starting' | 'live';
  /** Size of the video frames (pixels); crop boxes use these coordinates. */
  width: number;
  height: number;
  /** Square crop in frame pixels; null = the model's own pre-processing. */
  crop: CropBox | null;
  /** The model input cut from the last translated frame, its translation and the z it was painted with. */
  input: RgbaFrame | null;
  output: RgbaFrame | null;
  frameZ: number[] | null;
  /** Frames per second (moving average of the time between translated frames) and the last frame's model time. */
  fps: number | null;
  frameMs: number | null;
  frames: number;
  /** 2 when the frames run through the two-worker pipeline (E_c and G in parallel), else 1. */
  workers: 1 | 2;
}

export const CAMERA_OFF: CameraState = {
  status: 'off',
  width: 0,
  height: 0,
  crop: null,
  input: null,
  output: null,
  frameZ: null,
  fps: null,
  frameMs: null,
  frames: 0,
  workers: 1,
};

export interface Perf {
  encodeMs?: number;
  generateMs?: number;
  gridMs?: number;
  referenceMs?: number;
  warmupMs?: number;
  packMs?: number;
  buildMs?: number;
  tensors?: number;
  renders: number;
}

export interface AppState {
  backend: BackendStatus | null;
  backendNotice: string | null;
  models: ModelEntry[];
  modelId: string | null;
  model: ModelInfo | null;
  loading: LoadProgress | null;
  converting: (ConvertProgress & { name: string }) | null;

  content: ImageSlot | null;
  /** null = the model's own pre-processing. */
  crop: CropBox | null;
  modelInput: RgbaFrame | null;
  direction: Direction;
  mode: Mode;

  /** Current attribute vector (whatever set it) and the vector 'reset' returns to. */
  z: number[];
  baseZ: number[];
  /** The last z that came from sampling (re-roll, grid tile, share link): 'Sample' returns to it. */
  sampleZ: number[];
  seed: number;
  locked: boolean[];
  /** Every z the output showed by a deliberate step; undo / redo move through it (history.ts). */
  history: HistoryState;

  reference: ReferenceState | null;
  grid: GridState | null;
  interp: InterpState;
  /** Which sliders edit z: one per raw dimension, or along the pack's principal directions (directions.ts). */
  sliderSet: SliderSet;
  /** Where re-rolls and the grid draw z: N(0, I) (default, docs/experiments.md) or the target photos' spread. */
  zSource: ZSource;
  /** Animated GIF / video export of the strip or a one-slider sweep (export.ts). */
  exporting: ExportState;
  /** A video file translated frame by frame (video/actions.ts). */
  video: VideoState;

  output: RgbaFrame | null;
  rendering: boolean;
  perf: Perf;
  camera: CameraState;

  error: string | null;
  notice: string | null;

  /** Start-up and session settings: the backend asked for in the URL, the index's default model,
   * a shared z waiting for its model to load, and whether the user closed the diversity grid. */
  session: SessionState;
}

export interface SessionState {
  requestedBackend: BackendName | null;
  defaultModelId: string | null;
  pendingShareZ: number[] | null;
  gridClosed: boolean;
}

export const initialState: AppState = {
  backend: null,
  backendNotice: null,
  models: [],
  modelId: null,
  model: null,
  loading: null,
  converting: null,
  content: null,
  crop: null,
  modelInput: null,
  direction: 'a2b',
  mode: 'sample',
  z: [],
  baseZ: [],
  sampleZ: [],
  seed: 1,
  locked: [],
  history: EMPTY_HISTORY,
  reference: null,
  grid: null,
  interp: { from: null, to: null, frames: 8, strip: [], busy: false },
  sliderSet: 'raw',
  zSource: 'normal',
  exporting: EXPORT_INITIAL,
  video: VIDEO_INITIAL,
  output: null,
  rendering: false,
  perf: { renders: 0 },
  camera: CAMERA_OFF,
  error: null,
  notice: null,
  session: { requestedBackend: null, defaultModelId: null, pendingShareZ: null, gridClosed: false },
};

export const useStore = create<AppState>()(() => ({ ...initialState }));

export const getState = useStore.getState;
export const setState = useStore.setState;

/** Merges a change into the session slice (start-up and model bookkeeping, never shown). */
export function setSession(change: Partial<AppState['session']>): void {
  setState({ session: { ...getState().session, ...change } });
}
