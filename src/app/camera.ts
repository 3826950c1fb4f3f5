/**
 * The live camera source: getUserMedia -> a <video> element -> one frame at a time to the worker
 * (E_c + G with the current z) -> the output panel. Latest frame wins: the next frame is grabbed
 * only when the previous translation is back, so frames never queue, however slow the backend.
 * The camera is released when it is switched off, frozen into a photo, or the page is hidden.
 */
import { errorCodeOf, type CropBox } from '../worker/protocol';
import { Comlink, WorkerCrashedError, isCancelled } from './bridge';
import { NO_CAMERA_API, cameraErrorMessage, smoothFps } from './camera-status';
import { setContentFile, setCrop } from './controller';
import { clearError, showError, worker } from './session';
import { CAMERA_OFF, getState, setState } from './store';

let stream: MediaStream | null = null;
let video: HTMLVideoElement | null = null;
/** Bumped on every start/stop: a loop whose token is stale ends at its next step. */
let run = 0;
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

function watchPresentedFrames(v: HTMLVideoElement, token: number): void {
  if (!('requestVideoFrameCallback' in v)) return;
  const cb: VideoFrameRequestCallback = (_now, meta) => {
    if (token !== run) return;
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
  const token = ++run;
  setState({ camera: { ...CAMERA_OFF, status: 'starting' } });
  try {
    const s = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    if (token !== run) {
      for (const t of s.getTracks()) t.stop();
      return;
    }
    stream = s;
    const v = cameraVideo();
    v.srcObject = s;
    await v.play();
    await waitForSize(v);
    if (token !== run) return;
    presented = 0;
    watchPresentedFrames(v, token);
    setState({ camera: { ...getState().camera, status: 'live', width: v.videoWidth, height: v.videoHeight } });
    void translateLoop(token);
  } catch (e) {
    if (token !== run) return;
    stopCamera();
    setState({ error: cameraErrorMessage(e) });
  }
}

/** Switches the camera off (tracks stopped: the camera light goes out) and returns to the photo, if any. */
export function stopCamera(notice?: string): void {
  run++;
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

async function translateLoop(token: number): Promise<void> {
  const v = cameraVideo();
  let last: number | null = null;
  let seen = -1;
  while (token === run) {
    const s = getState();
    if (!s.model || s.loading || s.z.length !== s.model.nz) {
      await sleep(100);
      continue;
    }
    await newerFrame(v, seen);
    if (token !== run) break;
    seen = presented;
    let full: ImageBitmap | null = null;
    try {
      full = await createImageBitmap(v);
      const copy = await createImageBitmap(full);
      const z = s.z.slice();
      const req = { frame: copy, crop: s.camera.crop, direction: s.direction, z };
      const r = await worker().latest('camera', (api) => api.translateFrame(Comlink.transfer(req, [copy])));
      if (token !== run) break;
      shown?.close();
      shown = full;
      full = null;
      const now = performance.now();
      const cam = getState().camera;
      setState({
        camera: {
          ...cam,
          input: r.input,
          output: r.output,
          frameZ: z,
          fps: last === null ? cam.fps : smoothFps(cam.fps, now - last),
          frameMs: r.prepareMs + r.modelMs,
          frames: cam.frames + 1,
        },
      });
      last = now;
    } catch (e) {
      if (token !== run) break;
      // A restarted worker, or a model being (re)loaded: wait and go on with the next frame.
      if (isCancelled(e) || e instanceof WorkerCrashedError || errorCodeOf(e) === 'NO_MODEL') {
        await sleep(200);
        continue;
      }
      stopCamera();
      showError(e);
      break;
    } finally {
      full?.close();
    }
  }
}
