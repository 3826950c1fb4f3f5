/**
 * The typed boundary between the UI (main thread) and the inference worker. Everything that
 * crosses it is structured-cloneable plain data; pixel buffers are transferred, never copied.
 * The worker exposes a `DritWorkerApi` through comlink; `src/app/bridge.ts` wraps it with
 * cancellation (AbortSignal) and crash recovery.
 */
import type { Direction } from '../drit/model';
import { DritError } from '../errors';
import type { AttributeStats, Domain, Preprocess } from '../pack/manifest';

export type { Direction };

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/**
 * The automatic order. WebGPU and WebGL count only on a hardware GPU: on a software rasteriser
 * (SwiftShader, llvmpipe) they are skipped for WebAssembly, and tried again only when neither
 * WebAssembly nor CPU works (src/worker/backend.ts, src/worker/backend-choice.ts).
 */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function isBackendName(v: unknown): v is BackendName {
  return typeof v === 'string' && (BACKEND_ORDER as readonly string[]).includes(v);
}

export interface BackendStatus {
  /** The backend tfjs runs on now. */
  name: BackendName;
  /** GPU adapter description (webgpu), renderer (webgl), or a short CPU/wasm note. */
  adapter: string;
  /** The backend the user asked for (URL `?backend=`), if any. */
  requested?: BackendName;
  /**
   * Why this backend runs, in one line for the perf readout: forced by `?backend=`, a hardware GPU,
   * or which GPU backends were skipped as software renderers (slower than WebAssembly) or failed.
   */
  reason?: string;
  /** Set when a backend failed to start (or its device was lost): what went wrong, for the notice. */
  fallbackReason?: string;
}

/** Where a model pack comes from. */
export type PackLocation =
  /** Served by our origin: `base` is a same-origin URL path ending in '/' (holding manifest.json). */
  | { kind: 'remote'; base: string }
  /** Converted in this browser from a dropped checkpoint and kept in Cache Storage. */
  | { kind: 'local'; id: string };

export interface ModelSpec {
  id: string;
  name: string;
  location: PackLocation;
}

export interface ModelInfo {
  id: string;
  name: string;
  domains: Record<Domain, string>;
  channels: Record<Domain, number>;
  nz: number;
  concat: 0 | 1;
  preprocess: Preprocess;
  /** Total weight bytes of the pack. */
  bytes: number;
  /** True when every shard came from the local cache (no download). */
  fromCache: boolean;
  /** Milliseconds spent fetching the manifest and shards (network or cache) and verifying sha256. */
  packMs: number;
  /** Milliseconds spent creating the weight tensors (on webgpu the GPU upload itself is lazy: it lands in the warm-up). */
  buildMs: number;
  /** Milliseconds spent in the warm-up pass (weight upload + shader compilation + one run). */
  warmupMs: number;
  /** Set when browser storage failed on this load (weights not kept, a damaged stored copy replaced, a converted model only in memory): words for a notice. */
  storageNotice?: string;
  /** The pack's PCA of each domain's photo attribute codes, when it has one (principal-direction sliders). */
  attributeStats?: Partial<Record<Domain, AttributeStats>>;
}

export type LoadStage = 'manifest' | 'download' | 'verify' | 'build' | 'warmup' | 'ready';

export interface LoadProgress {
  stage: LoadStage;
  /** 0-based shard index (download/verify). */
  shard?: number;
  shards?: number;
  /** Bytes of the current shard received so far and its size. */
  shardBytes?: number;
  shardTotal?: number;
  /** Bytes of the whole pack received so far and its size. */
  bytes?: number;
  totalBytes?: number;
  fromCache?: boolean;
}

export interface ConvertProgress {
  stage: string;
  /** 0 … 1 */
  fraction: number;
}

export interface ConvertOptions {
  /** Display name of the converted model (defaults to the file name). */
  name: string;
}

/** Stored description of a model converted in this browser. */
export interface LocalModelEntry {
  id: string;
  name: string;
  /** ISO date. */
  createdAt: string;
  sourceFile: string;
  bytes: number;
  /** Set when the browser refused to store it (why, in words): it lives in the worker's memory until the tab closes. */
  notStored?: string;
}

/** RGBA pixels, ready for `new ImageData(data, width, height)`. */
export interface RgbaFrame {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

export interface DecodedImage {
  id: string;
  /** Size of the pixels kept in the worker (crop boxes use these coordinates). */
  width: number;
  height: number;
  /** Size of the file's image; larger than width/height when it was downscaled. */
  originalWidth: number;
  originalHeight: number;
  downscaled: boolean;
}

/**
 * A square crop in the original image's pixel coordinates; `null` = the model's own
 * pre-processing (resize + centre crop, docs/drit-reference.md §1.3).
 */
export interface CropBox {
  x: number;
  y: number;
  size: number;
}

export interface ContentRequest {
  imageId: string;
  crop: CropBox | null;
  direction: Direction;
}

export interface ContentResult {
  /** The exact model input (after crop, resize and — for 1-channel domains — grayscale). */
  input: RgbaFrame;
  /** Time spent in E_c; 0 when the content code came from the cache. */
  encodeMs: number;
  cached: boolean;
}

export interface GenerateRequest extends ContentRequest {
  /** N attribute vectors of length nz: generated in one batched pass. */
  z: number[][];
}

export interface GenerateResult {
  frames: RgbaFrame[];
  encodeMs: number;
  generateMs: number;
}

export interface ReferenceRequest {
  imageId: string;
  /** The reference is an image of the *target* domain of this direction. */
  direction: Direction;
}

export interface ReferenceResult {
  /** E_a output (concat 0) or the mean of its Gaussian (concat 1). */
  mu: number[];
  /** concat 1 only: exp(0.5 * logvar). */
  sigma?: number[];
  input: RgbaFrame;
  encodeMs: number;
}

export interface FrameRequest {
  /** One whole camera frame (transferred; the worker closes it). */
  frame: ImageBitmap;
  /** Square crop in the frame's pixels; null = the model's own pre-processing, as for a photo. */
  crop: CropBox | null;
  direction: Direction;
  /** The attribute vector (length nz) to paint this frame with. */
  z: number[];
}

export interface FrameResult {
  /** The exact model input cut from the frame, and the translation. */
  input: RgbaFrame;
  output: RgbaFrame;
  /** Reading the frame + pre-processing, and E_c + G together (one pass, no cache: every frame is new). */
  prepareMs: number;
  modelMs: number;
}

/** Camera pipeline, first stage (run by a second worker): E_c of one frame. */
export interface FrameEncodeRequest {
  frame: ImageBitmap;
  crop: CropBox | null;
  direction: Direction;
}

export interface FrameEncodeResult {
  /** The content code (NHWC float32, transferred) and its shape. */
  code: Float32Array<ArrayBuffer>;
  shape: number[];
  input: RgbaFrame;
  prepareMs: number;
  encodeMs: number;
}

/** Camera pipeline, second stage: G(content code, z). */
export interface PaintRequest {
  code: Float32Array<ArrayBuffer>;
  shape: number[];
  direction: Direction;
  z: number[];
}

export interface PaintResult {
  output: RgbaFrame;
  generateMs: number;
}

/** Generator passes run so far, and the batch size of the last one (tests check batching). */
export interface CallCounters {
  generateCalls: number;
  lastBatch: number;
}

/** The counters come along outside production builds only (src/worker/test-hooks.ts). */
export interface MemoryInfo extends Partial<CallCounters> {
  numTensors: number;
  numBytes: number;
}

/** Messages the worker pushes without being asked (status changes, fallbacks). */
export type WorkerEvent = { type: 'backend'; status: BackendStatus; notice?: string };

/**
 * The codes the page branches on and words (src/app/error-text.ts). Thrown as `WorkerError`
 * in the worker, they cross comlink as data (src/worker/error-transfer.ts) and come out as a
 * `WorkerError` again; `CANCELLED` and `WORKER_CRASHED` are made on the page by the bridge.
 */
export type WorkerErrorCode =
  | 'NOT_AN_IMAGE'
  | 'IMAGE_CORRUPT'
  | 'IMAGE_TOO_LARGE'
  | 'MODEL_NOT_FOUND'
  | 'PACK_INVALID'
  | 'CHECKPOINT_INVALID'
  | 'NO_MODEL'
  | 'UNKNOWN_IMAGE'
  | 'BACKEND'
  | 'CANCELLED'
  | 'WORKER_CRASHED'
  | 'INTERNAL';

export interface DritWorkerApi {
  /** Picks a backend (forced one first, else webgpu -> webgl -> wasm -> cpu) and subscribes to events. */
  init(opts: { backend?: BackendName }, onEvent: (e: WorkerEvent) => void): Promise<BackendStatus>;
  /** Loads (download -> verify sha256 -> cache -> build -> warm-up) and makes it the current model. */
  loadModel(spec: ModelSpec, onProgress: (p: LoadProgress) => void): Promise<ModelInfo>;
  /** Decodes an image file (checking its size from the header first) and keeps its pixels. */
  decodeImage(bytes: ArrayBuffer, name: string): Promise<DecodedImage>;
  releaseImage(id: string): Promise<void>;
  /** Encodes (or finds cached) the content code; returns the model input. */
  encodeContent(req: ContentRequest): Promise<ContentResult>;
  encodeReference(req: ReferenceRequest): Promise<ReferenceResult>;
  /** Generates N images for N attribute vectors in one batched pass. */
  generate(req: GenerateRequest): Promise<GenerateResult>;
  /** Translates one live camera frame (E_c + G, nothing cached). */
  translateFrame(req: FrameRequest): Promise<FrameResult>;
  /** Camera pipeline stages: E_c of a frame (in a second worker), then G of that code (here). */
  encodeFrame(req: FrameEncodeRequest): Promise<FrameEncodeResult>;
  paintCode(req: PaintRequest): Promise<PaintResult>;
  /** Converts a PyTorch checkpoint, stores it as a local pack and returns its spec. */
  convertCheckpoint(bytes: ArrayBuffer, opts: ConvertOptions, onProgress: (p: ConvertProgress) => void): Promise<ModelSpec>;
  listLocalModels(): Promise<LocalModelEntry[]>;
  deleteLocalModel(id: string): Promise<void>;
  memory(): Promise<MemoryInfo>;
}

/** What the worker adds to `DritWorkerApi` outside production builds (src/worker/test-hooks.ts). */
export interface WorkerTestHooks {
  /** Throws an uncaught error inside the worker a moment later (crash recovery test). */
  crashForTesting(): void;
  /** Destroys the WebGPU device (device-loss fallback test). */
  loseDeviceForTesting(): Promise<boolean>;
}

export class WorkerError extends DritError<WorkerErrorCode> {
  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WorkerError';
  }
}

/** A WorkerError; `cause` (e.g. the CheckpointError behind CHECKPOINT_INVALID) is kept for debugging. */
export function codedError(code: WorkerErrorCode, message: string, cause?: unknown): WorkerError {
  return new WorkerError(code, message, cause === undefined ? undefined : { cause });
}

/** The code of an error from the worker or the bridge (undefined for anything else). */
export function errorCodeOf(e: unknown): WorkerErrorCode | undefined {
  return e instanceof WorkerError ? e.code : undefined;
}
