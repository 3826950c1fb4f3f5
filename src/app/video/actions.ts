/**
 * Video-translation actions: a dropped or picked MP4 / WebM goes frame by frame through the worker
 * (translateFrame: the photo's pre-processing with the model's own crop, E_c and G; the main thread
 * never runs the model) with the current z or a z path, and the translation is encoded into the
 * chosen video format and downloaded (src/export/video-translate.ts). One video at a time; Cancel
 * stops decoding, the worker call in flight and encoding, and keeps nothing.
 */
import { sweepZs } from '../../export/sequence';
import { CODEC_LABEL } from '../../export/video';
import { VIDEO_LIMITS, describeEta, etaSeconds, zAt, type ZPath } from '../../export/video-plan';
import { translateVideoFile, type VideoProgress } from '../../export/video-translate';
import { Comlink, isCancelled } from '../bridge';
import { downloadBlob } from '../frames';
import { getState, setState } from '../store';
import { clearError, worker } from '../worker-handle';
import type { VideoJob, VideoState, VideoZPath } from './state';

function patch(p: Partial<VideoState>): void {
  setState({ video: { ...getState().video, ...p } });
}

function patchJob(p: Partial<VideoJob>): void {
  const job = getState().video.job;
  if (job) patch({ job: { ...job, ...p } });
}

export function setVideoPath(path: VideoZPath): void {
  patch({ path });
}

let jobAbort: AbortController | null = null;

export function cancelVideo(): void {
  jobAbort?.abort();
}

/** The z path asked for, from the current state; a message when it cannot be made. */
export function zPathFor(path: VideoZPath): ZPath | string {
  const s = getState();
  if (path === 'interp') {
    const { from, to } = s.interp;
    if (!from || !to) return 'the interpolation has no start and end yet: set both (Interpolation panel), or translate with the current z';
    return { kind: 'line', from, to };
  }
  if (path === 'sweep') {
    const [from, to] = sweepZs(s.z, Math.min(s.exporting.sweep.dim, s.z.length - 1), 2);
    return { kind: 'line', from: from!, to: to! };
  }
  return { kind: 'fixed', z: s.z.slice() };
}

function baseName(name: string): string {
  return name.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-') || 'video';
}

function kB(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

/** Translates a video file and downloads the result; the page stays usable after any error. */
export async function translateVideo(file: File): Promise<void> {
  const s = getState();
  if (s.video.job) {
    setState({ notice: `A video is being translated (“${s.video.job.name}”); cancel it first to translate “${file.name}”.` });
    return;
  }
  clearError();
  const fail = (why: string): void => setState({ error: `Video not translated: ${why}` });
  if (!s.model || s.loading) return fail('no model is loaded yet; wait for it, then drop the video again.');
  if (s.z.length !== s.model.nz) return fail('the model has no attribute vector yet; wait for the first result, then drop the video again.');
  const path = zPathFor(s.video.path);
  if (typeof path === 'string') return fail(path);
  const { direction, model } = s;
  const container = s.exporting.container;
  const abort = new AbortController();
  jobAbort = abort;
  patch({ job: { name: file.name, stage: 'reading', done: 0, total: 0, eta: describeEta(null), frame: null, input: null, workerMs: null }, message: null });
  let started = 0;
  let workerMs = 0;
  const onProgress = (p: VideoProgress): void => {
    if (abort.signal.aborted) return;
    if (p.stage === 'translating' && p.done === 0) started = performance.now();
    const eta = p.stage === 'finishing' ? 'finishing the file…' : describeEta(etaSeconds(p.done, p.total, performance.now() - started));
    patchJob({ stage: p.stage, done: p.done, total: p.total, eta });
  };
  const translate = async (frame: ImageBitmap, k: number, n: number) => {
    if (getState().model !== model) {
      frame.close();
      throw new Error(`the model changed while “${file.name}” was being translated; drop it again.`);
    }
    const z = zAt(path, k, n);
    const r = await worker().call((api) => api.translateFrame(Comlink.transfer({ frame, crop: null, direction, z }, [frame])), abort.signal);
    workerMs += r.prepareMs + r.modelMs;
    if (!abort.signal.aborted) patchJob({ frame: r.output, input: r.input, workerMs: workerMs / (k + 1) });
    return r.output;
  };
  try {
    const v = await translateVideoFile(file, file.name, { container, translate, signal: abort.signal, onProgress, maxFps: VIDEO_LIMITS.maxFps });
    if (abort.signal.aborted) return;
    const name = `drit-${baseName(file.name)}.${container}`;
    downloadBlob(v.blob, name);
    const old = getState().video.result;
    if (old) URL.revokeObjectURL(old.url);
    const sound = v.audio ? `, ${v.audio}` : v.audioProblem ? ', no sound' : '';
    const summary = `Saved ${name} (${CODEC_LABEL[v.codec]} ${container.toUpperCase()}, ${v.frames} frames at ${v.width}×${v.height}, ${v.seconds.toFixed(1)} s${sound}; ${kB(v.blob.size)}).`;
    patch({ result: { name, url: URL.createObjectURL(v.blob), type: v.blob.type, summary }, message: v.audioProblem ? `The video was made without sound: ${v.audioProblem}.` : null });
  } catch (e) {
    if (isCancelled(e) || abort.signal.aborted) {
      patch({ message: 'Video translation cancelled; nothing was saved.' });
      return;
    }
    // The messages of video-plan.ts / video-translate.ts are written for users.
    fail(e instanceof Error ? e.message : String(e));
  } finally {
    if (jobAbort === abort) jobAbort = null;
    patch({ job: null });
  }
}
