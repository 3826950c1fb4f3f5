/**
 * Animated export actions: render a one-slider sweep in the worker (one batched generator pass,
 * the main thread never runs the model) and encode the interpolation strip or the sweep as an
 * animated GIF or a WebM / MP4 video on the main thread, a frame at a time between which the page
 * stays responsive, with progress and cancel. A cancelled export downloads nothing.
 */
import { encodeGif } from '../export/gif';
import { FRAME_MS, clampFrames, pingPong, sweepZs } from '../export/sequence';
import { CODEC_LABEL, encodeVideo, type VideoContainer } from '../export/video';
import { encodeAnimatedWebp } from '../export/webp';
import type { RgbaFrame } from '../worker/protocol';
import { isCancelled } from './bridge';
import type { ExportKind, ExportSource, ExportState, SweepState } from './export-state';
import { downloadBlob } from './frames';
import { showError, worker } from './worker-handle';
import { getState, setState } from './store';

function patch(p: Partial<ExportState>): void {
  setState({ exporting: { ...getState().exporting, ...p } });
}

function patchSweep(p: Partial<SweepState>): void {
  patch({ sweep: { ...getState().exporting.sweep, ...p } });
}

// ------------------------------------------------------------------------------------- sweep

export function setSweepDim(dim: number): void {
  const nz = getState().model?.nz ?? 0;
  if (!Number.isInteger(dim) || dim < 0 || (nz > 0 && dim >= nz)) return;
  patchSweep({ dim, strip: [], zs: [] });
}

export function setSweepFrames(n: number): void {
  patchSweep({ frames: clampFrames(n), strip: [], zs: [] });
}

let sweepAbort: AbortController | null = null;

/** Renders the sweep of the chosen dimension around the current z in one batched pass. */
export async function renderSweep(): Promise<void> {
  const s = getState();
  const { dim, frames } = s.exporting.sweep;
  if (!s.model || !s.content || s.z.length !== s.model.nz) return;
  const zs = sweepZs(s.z, Math.min(dim, s.model.nz - 1), frames);
  sweepAbort?.abort();
  const abort = new AbortController();
  sweepAbort = abort;
  patchSweep({ busy: true });
  try {
    const res = await worker().call(
      (api) => api.generate({ imageId: s.content!.id, crop: s.crop, direction: s.direction, z: zs }),
      abort.signal,
    );
    if (abort.signal.aborted) return;
    patchSweep({ strip: res.frames, zs, busy: false });
  } catch (e) {
    if (sweepAbort === abort) patchSweep({ busy: false });
    showError(e);
  } finally {
    if (sweepAbort === abort) sweepAbort = null;
  }
}

/** Drops the sweep (and stops one being rendered): the renderer calls it when the picture changes. */
export function dropSweep(): void {
  sweepAbort?.abort();
  sweepAbort = null;
  const sw = getState().exporting.sweep;
  if (sw.strip.length || sw.busy) patchSweep({ strip: [], zs: [], busy: false });
}

// ------------------------------------------------------------------------------------- export

export function setVideoContainer(container: VideoContainer): void {
  patch({ container });
}

let jobAbort: AbortController | null = null;

export function cancelExport(): void {
  jobAbort?.abort();
}

function sourceFrames(source: ExportSource): RgbaFrame[] {
  const s = getState();
  return source === 'interp' ? s.interp.strip : s.exporting.sweep.strip;
}

function baseName(source: ExportSource): string {
  return source === 'interp' ? 'drit-interpolation' : `drit-sweep-z${getState().exporting.sweep.dim + 1}`;
}

function kB(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

/**
 * Encodes the strip (source 'interp') or the sweep as a ping-pong animation (GIF, WebP or video), FRAME_MS per frame,
 * and downloads it. One export at a time; cancel stops it between two frames.
 */
export async function exportAnimation(source: ExportSource, kind: ExportKind): Promise<void> {
  if (getState().exporting.job) return;
  const strip = sourceFrames(source);
  if (!strip.length) return;
  const frames = pingPong(strip.length).map((i) => strip[i]!);
  const abort = new AbortController();
  jobAbort = abort;
  const stage = kind === 'video' ? `Encoding ${getState().exporting.container.toUpperCase()} video` : `Encoding ${kind === 'gif' ? 'GIF' : 'WebP'}`;
  patch({ job: { source, kind, progress: 0, stage }, saved: null });
  const onProgress = (progress: number): void => {
    const job = getState().exporting.job;
    if (job && !abort.signal.aborted) patch({ job: { ...job, progress } });
  };
  try {
    let blob: Blob;
    let name: string;
    let detail: string;
    if (kind !== 'video') {
      const encode = kind === 'gif' ? encodeGif : encodeAnimatedWebp;
      const bytes = await encode(frames, { delayMs: FRAME_MS, signal: abort.signal, onProgress });
      blob = new Blob([bytes], { type: `image/${kind}` });
      name = `${baseName(source)}.${kind}`;
      detail = `${kind === 'gif' ? 'GIF' : 'lossless WebP'}, ${frames.length} frames, ${strip[0]!.width}×${strip[0]!.height}`;
    } else {
      const container = getState().exporting.container;
      const v = await encodeVideo(frames, { container, frameMs: FRAME_MS, signal: abort.signal, onProgress });
      blob = v.blob;
      name = `${baseName(source)}.${container}`;
      detail = `${CODEC_LABEL[v.codec]} ${container.toUpperCase()}, ${frames.length} frames, ${v.width}×${v.height}`;
    }
    if (abort.signal.aborted) return;
    downloadBlob(blob, name);
    patch({ saved: `Saved ${name} (${detail}, ${kB(blob.size)}).` });
  } catch (e) {
    if (isCancelled(e)) {
      patch({ saved: 'Export cancelled; nothing was saved.' });
      return;
    }
    // The encoders' own errors are written for users (e.g. "this browser cannot encode H.264 …").
    setState({ error: `Export failed: ${e instanceof Error ? e.message : String(e)}` });
  } finally {
    if (jobAbort === abort) jobAbort = null;
    patch({ job: null });
  }
}
