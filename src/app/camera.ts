/**
 * The live camera source: getUserMedia -> a <video> element -> one frame at a time to the worker
 * (E_c + G with the current z) -> the output panel. Latest frame wins: the next frame is grabbed
 * only when the previous translation is back, so frames never queue, however slow the backend.
 * The camera is released when it is switched off, frozen into a photo, or the page is hidden.
 * With two workers the loop is a two-stage pipeline (E_c of frame N+1 while G paints frame N).
 */
import { errorCodeOf, type CropBox, type RgbaFrame } from '../worker/protocol';
import { Comlink, WorkerCrashedError, isCancelled } from './bridge';
import { dropEncoder, pipelineEncoder } from './camera-encoder';
import { NO_CAMERA_API, cameraErrorMessage, smoothFps } from './camera-status';
import { setContentFile, setCrop } from './actions/content';
import { clearError, showError, worker } from './worker-handle';
import { WorkStage } from './stage';
import { CAMERA_OFF, getState, setState } from './store';

export { setCameraPipeline } from './camera-encoder';

let stream: MediaStream | null = null;
let video: HTMLVideoElement | null = null;
/** The running camera session: aborted on stop, so its loop ends at its next step. */
let session: AbortController | null = null;
/** Frames in the page's worker (translate, or paint in the pipeline): one at a time, dropped on stop. */
const frames = new WorkStage(worker);
/** The whole frame whose translation is on screen (what "Freeze" keeps). */
let shown: ImageBitmap | null = null;
/** Frames the video has presented (requestVideoFrameCallback), to skip frames already translated. */
let presented = 0;
let onPresented: (() => void) | null = null;
let guardsInstalled = false;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function cameraVideo(): HTMLVideoElement {
  if (!video) {
    video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.setAttribute('aria-label', 'Live camera');
    video.dataset.testid = 'camera-video';
  }
  return video;
}

/** Puts the camera's <video> into `host` (the content panel's crop frame); null detaches it. */
export function attachCameraVideo(host: HTMLElement | null): void {
  const v = cameraVideo();
  if (host) host.prepend(v);
  else v.remove();
}

function installGuards(): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden' && getState().camera.status !== 'off') {
      stopCamera('The camera was switched off while the page was hidden; press Camera to start it again.');
    }
  });
}

function watchPresentedFrames(v: HTMLVideoElement, signal: AbortSignal): void {
  if (!('requestVideoFrameCallback' in v)) return;
  const cb: VideoFrameRequestCallback = (_now, meta) => {
    if (signal.aborted) return;
    presented = meta.presentedFrames;
    onPresented?.();
    onPresented = null;
    v.requestVideoFrameCallback(cb);
  };
  v.requestVideoFrameCallback(cb);
}

/** Resolves once the video shows a frame newer than `seen` (or after a short wait without rVFC). */
function newerFrame(v: HTMLVideoElement, seen: number): Promise<void> {
  if (!('requestVideoFrameCallback' in v)) return sleep(16);
  if (presented > seen) return Promise.resolve();
  return new Promise((resolve) => {
    onPresented = resolve;
    // A stalled stream must not hang the loop: look again after a second.
    setTimeout(resolve, 1000);
  });
}

async function waitForSize(v: HTMLVideoElement): Promise<void> {
  for (let i = 0; i < 100 && (v.videoWidth === 0 || v.videoHeight === 0); i++) await sleep(50);
  if (v.videoWidth === 0 || v.videoHeight === 0) throw new Error('the camera delivered no picture');
}

export async function startCamera(): Promise<void> {
  if (getState().camera.status !== 'off') return;
  clearError();
  installGuards();
  if (!navigator.mediaDevices?.getUserMedia) {
    setState({ error: NO_CAMERA_API });
    return;
  }
  session?.abort();
  const { signal } = (session = new AbortController());
  setState({ camera: { ...CAMERA_OFF, status: 'starting' } });
  try {
    const s = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    if (signal.aborted) {
      for (const t of s.getTracks()) t.stop();
      return;
    }
    stream = s;
    const v = cameraVideo();
    v.srcObject = s;
    await v.play();
    await waitForSize(v);
    if (signal.aborted) return;
    presented = 0;
    watchPresentedFrames(v, signal);
    setState({ camera: { ...getState().camera, status: 'live', width: v.videoWidth, height: v.videoHeight } });
    void translateLoop(signal);
  } catch (e) {
    if (signal.aborted) return;
    stopCamera();
    setState({ error: cameraErrorMessage(e) });
  }
}

/** Switches the camera off (tracks stopped: the camera light goes out) and returns to the photo, if any. */
export function stopCamera(notice?: string): void {
  session?.abort();
  session = null;
  frames.cancel();
  dropEncoder();
  for (const t of stream?.getTracks() ?? []) t.stop();
  stream = null;
  if (video) video.srcObject = null;
  shown?.close();
  shown = null;
  onPresented?.();
  onPresented = null;
  if (getState().camera.status !== 'off' || notice) setState({ camera: CAMERA_OFF, ...(notice ? { notice } : {}) });
}

export function toggleCamera(): void {
  if (getState().camera.status === 'off') void startCamera();
  else stopCamera();
}

export function setCameraCrop(crop: CropBox | null): void {
  setState({ camera: { ...getState().camera, crop } });
}

/** Keeps the frame on screen as the content photo (same crop) and switches the camera off. */
export async function freezeCamera(): Promise<void> {
  const frame = shown;
  if (!frame) return;
  shown = null;
  const crop = getState().camera.crop;
  // Stop first: no newer frame may replace the one being kept.
  stopCamera();
  try {
    const canvas = document.createElement('canvas');
    canvas.width = frame.width;
    canvas.height = frame.height;
    canvas.getContext('2d')!.drawImage(frame, 0, 0);
    const blob = await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the frame could not be encoded'))), 'image/png'),
    );
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    await setContentFile(blob, `camera-${stamp}.png`);
    if (crop) setCrop(crop);
  } catch (e) {
    showError(e);
  } finally {
    frame.close();
  }
}

/** Test hook: whether any camera track is still running (the camera is really released when false). */
export function cameraTracksLive(): boolean {
  return !!stream?.getTracks().some((t) => t.readyState === 'live');
}

/** A transient failure (superseded call, restarted worker, model being loaded): skip the frame. */
function transient(e: unknown): boolean {
  return isCancelled(e) || e instanceof WorkerCrashedError || errorCodeOf(e) === 'NO_MODEL';
}

async function translateLoop(signal: AbortSignal): Promise<void> {
  const v = cameraVideo();
  let last: number | null = null;
  let seen = -1;
  let painting: Promise<void> = Promise.resolve();
  /** Puts a translated frame on screen (and keeps the whole frame for Freeze). */
  const show = (full: ImageBitmap, input: RgbaFrame, output: RgbaFrame, z: number[], frameMs: number, workers: 1 | 2): void => {
    if (signal.aborted) {
      full.close();
      return;
    }
    shown?.close();
    shown = full;
    const now = performance.now();
    const cam = getState().camera;
    setState({
      camera: {
        ...cam,
        input,
        output,
        frameZ: z,
        fps: last === null ? cam.fps : smoothFps(cam.fps, now - last),
        frameMs,
        frames: cam.frames + 1,
        workers,
      },
    });
    last = now;
  };
  const fail = (e: unknown): void => {
    if (signal.aborted || transient(e)) return;
    stopCamera();
    showError(e);
  };
  while (!signal.aborted) {
    const s = getState();
    if (!s.model || s.loading || s.z.length !== s.model.nz) {
      await sleep(100);
      continue;
    }
    const enc = await pipelineEncoder();
    await newerFrame(v, seen);
    if (signal.aborted) break;
    seen = presented;
    let full: ImageBitmap | null = null;
    try {
      full = await createImageBitmap(v);
      const copy = await createImageBitmap(full);
      const { crop } = getState().camera;
      const direction = getState().direction;
      if (enc) {
        // Stage 1 (second worker) overlaps with stage 2 of the previous frame (page's worker).
        const code = await enc.run((api) => api.encodeFrame(Comlink.transfer({ frame: copy, crop, direction }, [copy])));
        await painting;
        if (signal.aborted) break;
        const z = getState().z.slice();
        const frame = full;
        full = null;
        painting = frames
          .run((api) => api.paintCode(Comlink.transfer({ code: code.code, shape: code.shape, direction, z }, [code.code.buffer])))
          .then(
            (r) => show(frame, code.input, r.output, z, code.prepareMs + code.encodeMs + r.generateMs, 2),
            (e: unknown) => {
              frame.close();
              fail(e);
            },
          );
      } else {
        const z = getState().z.slice();
        const req = { frame: copy, crop, direction, z };
        const r = await frames.run((api) => api.translateFrame(Comlink.transfer(req, [copy])));
        const frame = full;
        full = null;
        show(frame, r.input, r.output, z, r.prepareMs + r.modelMs, 1);
      }
    } catch (e) {
      if (signal.aborted) break;
      if (transient(e)) {
        await sleep(200);
        continue;
      }
      fail(e);
      break;
    } finally {
      full?.close();
    }
  }
  await painting;
}
