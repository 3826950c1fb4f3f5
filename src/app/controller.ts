/**
 * App logic on the main thread: turns user actions into worker calls through the latest-wins
 * bridge and writes results into the store. Never runs the model itself.
 *
 * Render pipeline: whenever (model, content image, crop, direction, z) change, one 'render' call
 * is scheduled (latest wins); the worker re-uses the cached content code unless the image, crop
 * or direction changed, so moving a slider only re-runs the generator.
 */
import { freshSeed, sampleFromPhotos, sampleNormal, type PhotoSpread } from '../drit/random';
import {
  type BackendName,
  type CropBox,
  type CallCounters,
  type MemoryInfo,
  type WorkerTestHooks,
  type ModelSpec,
  type WorkerEvent,
} from '../worker/protocol';
import * as attr from './attributes';
import * as hist from './history';
import { Comlink, WorkerBridge, createDritWorker, isCancelled } from './bridge';
import { loadStarred, remember } from './history-actions';
import { decode, downscaleNotice, isCheckpointName, releaseSlot } from './images';
import { applyReference, setReferenceFile } from './reference';
import { refreshMemory, startRenderer } from './renderer';
import { describeError } from './error-text';
import { targetSide } from './domains';
import { clearError, showError, setWorker, worker } from './worker-handle';
import { copyFrameToClipboard, downloadBlob, frameToPngBlob, joinFrames } from './frames';
import { restoreFromResult, resultPng } from './result-png';
import { getState, setState, type AppState, type ImageSlot, type ModelEntry } from './store';
import { decodeShare, readQuery, setModelInQuery, shareUrl } from './url';

const GRID_DEFAULT = 6;

let started = false;

export function dismissNotice(): void {
  setState({ notice: null });
}


function rows(seed: number, n: number, nz: number, spread?: PhotoSpread): number[][] {
  const flat = spread ? sampleFromPhotos(seed, n, nz, spread) : sampleNormal(seed, n, nz);
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * nz, (i + 1) * nz)));
}

/** The target photos' spread when z is drawn from it (and the pack has it), else undefined: N(0, I). */
export function photoSpread(s: Pick<AppState, 'zSource' | 'model' | 'direction'>): PhotoSpread | undefined {
  if (s.zSource !== 'photos') return undefined;
  return s.model?.attributeStats?.[targetSide(s.direction)];
}

// ------------------------------------------------------------------------------------- start-up

export async function start(): Promise<void> {
  if (started) return;
  started = true;
  const query = readQuery();
  setSession({ requestedBackend: query.backend ?? null });
  if (query.badBackend) {
    setState({ notice: `Unknown backend “${query.badBackend}” in the URL (use webgpu, webgl, wasm or cpu); choosing automatically.` });
  }
  const share = decodeShare();
  if (share.direction) setState({ direction: share.direction });
  if (share.seed !== undefined) setState({ seed: share.seed });
  setWorker(new WorkerBridge(createDritWorker, (reason, restarted) => {
    if (restarted) void recoverFromCrash(reason);
    else setState({ error: `The inference worker crashed: ${reason}.`, rendering: false });
  }));
  startRenderer();
  try {
    await initBackend();
  } catch (e) {
    showError(e);
    return;
  }
  const models = await loadModelList();
  const wanted = query.model ?? share.model;
  let id = wanted && models.some((m) => m.id === wanted) ? wanted : getState().session.defaultModelId;
  if (wanted && !models.some((m) => m.id === wanted)) {
    setState({ error: `Unknown model “${wanted}”. Available: ${models.map((m) => m.id).join(', ') || 'none'}.` });
  }
  if (!id) id = models[0]?.id ?? null;
  if (share.z) setSession({ pendingShareZ: share.z });
  if (id) await selectModel(id, { keepError: true });
  else setState({ error: 'No model is listed in models/index.json.' });
  if (share.z) setState({ notice: 'Shared settings restored. Drop your own image: images are never part of a link (nothing is uploaded).' });
}

function setSession(change: Partial<AppState['session']>): void {
  setState({ session: { ...getState().session, ...change } });
}

async function initBackend(): Promise<void> {
  const onEvent = (e: WorkerEvent): void => {
    if (e.type === 'backend') {
      // A new backend (after a device loss) holds no cached codes: the plan re-renders every view.
      setState({ backend: e.status, backendNotice: e.notice ?? null });
    }
  };
  const status = await worker().call((api) =>
    api.init(getState().session.requestedBackend ? { backend: getState().session.requestedBackend! } : {}, Comlink.proxy(onEvent)),
  );
  let notice: string | null = null;
  if (status.fallbackReason) {
    notice = `Running on ${status.name} because ${status.fallbackReason}.`;
  }
  setState({ backend: status, backendNotice: notice });
}

interface IndexJson {
  default?: string;
  models?: Array<{ id: string; name?: string; path: string; description?: string; knows?: string }>;
}

async function loadModelList(): Promise<ModelEntry[]> {
  const list: ModelEntry[] = [];
  try {
    const res = await fetch(new URL('models/index.json', document.baseURI), { cache: 'no-cache' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const json = (await res.json()) as IndexJson;
    for (const m of json.models ?? []) {
      if (typeof m.id !== 'string' || typeof m.path !== 'string') continue;
      const base = new URL(m.path.endsWith('/') ? m.path : `${m.path}/`, document.baseURI);
      if (base.origin !== location.origin) continue; // never load from elsewhere
      const entry: ModelEntry = { id: m.id, name: m.name ?? m.id, origin: 'server', location: { kind: 'remote', base: base.href } };
      if (m.description) entry.description = m.description;
      if (typeof m.knows === 'string' && m.knows) entry.knows = m.knows;
      list.push(entry);
    }
    setSession({ defaultModelId: json.default ?? list[0]?.id ?? null });
  } catch (e) {
    setState({ error: `Could not read the model list (models/index.json): ${(e as Error).message}` });
  }
  try {
    const local = await worker().call((api) => api.listLocalModels());
    for (const m of local) list.push({ id: m.id, name: `${m.name} (converted here)`, origin: 'local', location: { kind: 'local', id: m.id } });
  } catch {
    // no local storage: only server models
  }
  setState({ models: list });
  return list;
}

// ------------------------------------------------------------------------------------- models

export async function selectModel(id: string, opts: { keepError?: boolean } = {}): Promise<void> {
  const entry = getState().models.find((m) => m.id === id);
  if (!entry) {
    setState({ error: `Unknown model “${id}”.` });
    return;
  }
  if (!opts.keepError) clearError();
  setState({ modelId: id, loading: { stage: 'manifest' } });
  if (entry.origin === 'server') setModelInQuery(id);
  const spec: ModelSpec = { id: entry.id, name: entry.name, location: entry.location };
  try {
    const info = await worker().latest('model', (api) =>
      api.loadModel(
        spec,
        Comlink.proxy((p) => {
          if (getState().modelId === id) setState({ loading: p });
        }),
      ),
    );
    if (getState().modelId !== id) return;
    const s = getState();
    const nz = info.nz;
    const attrs = attr.onModel(s, nz, s.session.pendingShareZ);
    setState({
      model: info,
      loading: null,
      ...attrs,
      history: hist.withStarred(hist.record(hist.EMPTY_HISTORY, attrs.z ?? s.z, 'model'), loadStarred(id), nz),
      grid: s.grid
        ? { ...s.grid, zs: rows(s.grid.seed, s.grid.size, nz, photoSpread({ ...s, model: info })), frames: [], busy: false }
        : s.session.gridClosed
          ? null
          : newGrid(GRID_DEFAULT, freshSeed(), nz, photoSpread({ ...s, model: info })),
      interp: { ...s.interp, from: null, to: null, strip: [] },
      perf: { ...s.perf, packMs: info.packMs, buildMs: info.buildMs, warmupMs: info.warmupMs },
      session: { ...s.session, pendingShareZ: null },
      ...(info.storageNotice ? { notice: info.storageNotice } : {}),
    });
  } catch (e) {
    if (isCancelled(e)) return;
    if (getState().modelId === id) setState({ loading: null, model: null, output: null, modelInput: null });
    const before = getState().error;
    showError(e);
    if (opts.keepError && before && !isCancelled(e)) setState({ error: `${before} ${describeError(e) ?? ''}`.trim() });
  }
}

// ------------------------------------------------------------------------------------- images

export async function setContentFile(file: Blob, name = (file as File).name || 'pasted image'): Promise<void> {
  clearError();
  if (isCheckpointName(name)) return convertFile(file, name);
  try {
    const slot = await decode(file, name);
    releaseSlot(getState().content);
    const notice = downscaleNotice(slot);
    setState({ content: slot, crop: null, modelInput: null, output: null, ...(notice ? { notice } : {}) });
  } catch (e) {
    showError(e);
  }
}

/** The example photo shipped with the app (public/examples, CC0): a first visit needs no photo of its own. */
export const EXAMPLE = { path: 'examples/chelsea.png', name: 'chelsea.png', domain: 'cat' } as const;

/** "Try an example": loads Chelsea the cat as the content image, turning the direction so a cat is the source. */
export async function loadExample(): Promise<void> {
  clearError();
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}${EXAMPLE.path}`);
    if (!res.ok) throw new Error(`The example photo could not be loaded (${EXAMPLE.path}: HTTP ${res.status})`);
    const blob = await res.blob();
    const domains = getState().model?.domains;
    if (domains?.a === EXAMPLE.domain && getState().direction !== 'a2b') setDirection('a2b');
    else if (domains?.b === EXAMPLE.domain && getState().direction !== 'b2a') setDirection('b2a');
    await setContentFile(blob, EXAMPLE.name);
  } catch (e) {
    showError(e);
  }
}

export function setCrop(crop: CropBox | null): void {
  setState({ crop });
}

/** Drops or picks: images go to `target`, checkpoints get converted. */
export async function handleFiles(files: readonly File[], target: 'content' | 'reference'): Promise<void> {
  const file = files[0];
  if (!file) return;
  if (isCheckpointName(file.name)) return convertFile(file, file.name);
  if (target === 'reference') return setReferenceFile(file);
  if (await restoreFromResult(file, file.name)) return;
  return setContentFile(file);
}

// ------------------------------------------------------------------------------------- attributes

/**
 * Swaps the direction. A reference is a picture of one direction's target domain: swapped away
 * while it is the source of z, z returns to the last sample (and the reference waits, unused);
 * swapped back, it becomes the source again (the renderer re-encodes it and sets z).
 */
export function setDirection(direction: AppState['direction']): void {
  const s = getState();
  if (s.direction === direction) return;
  const r = s.reference;
  if (r && r.direction !== direction && s.mode === 'reference') {
    setState({ direction, ...attr.toSampleMode(s), mode: 'sample', reference: { ...r, resume: true } });
    remember('sample');
  } else if (r && r.direction === direction && r.resume) {
    setState({ direction, mode: 'reference', reference: { ...r, resume: false } });
  } else {
    setState({ direction });
  }
}

/** Switches where z comes from: the last sample, or the reference image (if one was dropped). */
export function setMode(mode: AppState['mode']): void {
  const r = getState().reference;
  if (r?.resume) setState({ reference: { ...r, resume: false } }); // an explicit choice wins over a swap's memory
  if (mode === 'reference') {
    setState({ mode });
    applyReference();
  } else {
    setState(attr.toSampleMode(getState()));
    remember('sample');
  }
}

/** Writes a transition's changes (the store's setter ignores an empty change for subscribers' sake). */
function applyAttr(change: attr.AttributeChange): void {
  if (Object.keys(change).length) setState(change);
}

export function setZ(i: number, value: number): void {
  applyAttr(attr.setDimension(getState(), i, value));
}

/** The whole z at once (principal-direction sliders, directions.ts); a release is committed by commitSlider like any slider. */
export function setZVector(z: readonly number[]): void {
  if (z.length === getState().z.length && z.every(Number.isFinite)) setState({ z: z.slice() });
}

export function setSliderSet(sliderSet: AppState['sliderSet']): void {
  setState({ sliderSet });
}

export function setLocked(i: number, locked: boolean): void {
  applyAttr(attr.setLock(getState(), i, locked));
}

/** New seed; locked dimensions keep their value. */
export function reroll(): void {
  const s = getState();
  if (!s.model) return;
  setState(attr.reroll(s, freshSeed(), s.model.nz, photoSpread(s)));
  remember('re-roll');
}

/** Where re-rolls and the grid draw z from; a change re-rolls (and renews an open grid) from it. */
export function setZSource(zSource: AppState['zSource']): void {
  if (getState().zSource === zSource) return;
  setState({ zSource });
  reroll();
  if (getState().grid) showGrid();
}

export function resetZ(): void {
  setState(attr.reset(getState()));
  remember('reset');
}

export function zeroZ(): void {
  setState(attr.zero(getState()));
  remember('zero');
}

// ------------------------------------------------------------------------------------- history

// ------------------------------------------------------------------------------------- grid


function newGrid(size: number, seed: number, nz: number, spread?: PhotoSpread): NonNullable<AppState['grid']> {
  return { seed, size, zs: rows(seed, size, nz, spread), frames: [], busy: false };
}

/** A new diversity grid (new seed unless given); it follows the image, crop and direction. */
export function showGrid(size = getState().grid?.size ?? GRID_DEFAULT, seed = freshSeed()): void {
  const s = getState();
  if (!s.model) return;
  setState({ grid: newGrid(size, seed, s.model.nz, photoSpread(s)), session: { ...s.session, gridClosed: false } });
}

export function hideGrid(): void {
  worker().cancel('grid');
  // closed by the user: it stays closed (also for the next model) until asked for again
  setState({ grid: null, session: { ...getState().session, gridClosed: true } });
}

export function pickGridTile(i: number): void {
  const g = getState().grid;
  const z = g?.zs[i];
  if (!g || !z) return;
  setState(attr.pickTile(z));
  remember('grid');
}

// ------------------------------------------------------------------------------------- interpolation

export function setInterpEnd(which: 'from' | 'to', z: number[]): void {
  setState({ interp: { ...getState().interp, [which]: z.slice(), strip: [] } });
}

export function setInterpFrames(n: number): void {
  setState({ interp: { ...getState().interp, frames: Math.max(2, Math.min(16, Math.round(n))) } });
}

export async function renderStrip(): Promise<void> {
  const s = getState();
  const { from, to, frames } = s.interp;
  if (!s.model || !s.content || !from || !to) return;
  const zs = Array.from({ length: frames }, (_, k) => {
    const t = frames === 1 ? 0 : k / (frames - 1);
    return from.map((a, i) => a + (to[i]! - a) * t);
  });
  setState({ interp: { ...s.interp, busy: true } });
  try {
    const res = await worker().latest('interp', (api) =>
      api.generate({ imageId: s.content!.id, crop: s.crop, direction: s.direction, z: zs }),
    );
    setState({ interp: { ...getState().interp, strip: res.frames, busy: false } });
    void refreshMemory();
  } catch (e) {
    setState({ interp: { ...getState().interp, busy: false } });
    showError(e);
  }
}

export async function downloadStrip(): Promise<void> {
  const strip = getState().interp.strip;
  if (!strip.length) return;
  downloadBlob(await frameToPngBlob(joinFrames(strip, 2)), 'drit-interpolation.png');
}

// ------------------------------------------------------------------------------------- output

/** The translation on screen: the live camera's frame while it runs, else the photo's. */
function shownOutput(): AppState['output'] {
  const s = getState();
  return s.camera.status !== 'off' ? s.camera.output : s.output;
}

export async function downloadOutput(): Promise<void> {
  const out = shownOutput();
  if (!out) return;
  downloadBlob(await resultPng(out), 'drit-output.png');
}

export async function copyOutput(): Promise<void> {
  const out = shownOutput();
  if (!out) return;
  try {
    await copyFrameToClipboard(out);
    setState({ notice: 'Image copied to the clipboard.' });
  } catch (e) {
    setState({ error: `Copying failed: ${(e as Error).message}` });
  }
}

export function currentShareUrl(): string | null {
  const s = getState();
  if (!s.modelId || s.z.length === 0) return null;
  return shareUrl({ model: s.modelId, direction: s.direction, z: s.z, seed: s.seed });
}

export async function copyShareLink(): Promise<void> {
  const url = currentShareUrl();
  if (!url) return;
  history.replaceState(history.state, '', url);
  try {
    await navigator.clipboard.writeText(url);
    setState({ notice: 'Share link copied (it holds the model, direction and z — not your image).' });
  } catch {
    setState({ notice: `Share link: ${url}` });
  }
}

// ------------------------------------------------------------------------------------- checkpoints

export async function convertFile(file: Blob, name: string): Promise<void> {
  clearError();
  setState({ converting: { name, stage: 'reading', fraction: 0 } });
  try {
    const bytes = await file.arrayBuffer();
    const spec = await worker().call((api) =>
      api.convertCheckpoint(
        Comlink.transfer(bytes, [bytes]),
        { name: name.replace(/\.[^.]+$/, '') || name },
        Comlink.proxy((p) => setState({ converting: { name, ...p } })),
      ),
    );
    setState({ converting: null, notice: `Converted “${name}”; it is stored in this browser for your next visit.` });
    await loadModelList();
    await selectModel(spec.id);
  } catch (e) {
    setState({ converting: null });
    showError(e);
  }
}

export async function deleteLocalModel(id: string): Promise<void> {
  try {
    await worker().call((api) => api.deleteLocalModel(id));
    await loadModelList();
    const fallback = getState().session.defaultModelId;
    if (getState().modelId === id && fallback) await selectModel(fallback);
  } catch (e) {
    showError(e);
  }
}

// ------------------------------------------------------------------------------------- rendering

// ------------------------------------------------------------------------------------- crash recovery

async function recoverFromCrash(reason: string): Promise<void> {
  // The new worker holds no model and no images: the state says so (no render can start) until
  // the images are decoded again and the model reloaded; then the plan renders everything.
  setState({
    notice: `The inference worker crashed (${reason}); it was restarted and your work restored.`,
    rendering: false,
    model: null,
  });
  try {
    await initBackend();
    const s = getState();
    // The new worker has no images: decode the kept files again.
    if (s.content) {
      const c = s.content;
      const slot = await decode(c.file, c.name);
      URL.revokeObjectURL(c.url);
      setState({ content: slot });
    }
    const r = getState().reference;
    if (r) {
      const slot = await decode(r.slot.file, r.slot.name);
      URL.revokeObjectURL(r.slot.url);
      setState({ reference: { ...r, slot } });
    }
    if (s.modelId) await selectModel(s.modelId, { keepError: true });
  } catch (e) {
    showError(e);
  }
}

/**
 * Test hooks used by the e2e suite through `window.__drit` (main.tsx), which exists outside
 * production builds only; nothing else calls them, so the production bundle drops them.
 */
export function crashWorkerForTesting(): void {
  // The crash rejects this call when it comes before the answer: that is the point.
  worker()
    .call((api) => testHooks(api).crashForTesting())
    .catch(() => {});
}

export async function loseDeviceForTesting(): Promise<boolean> {
  return worker().call((api) => testHooks(api).loseDeviceForTesting());
}

function testHooks(api: unknown): Comlink.Remote<WorkerTestHooks> {
  return api as Comlink.Remote<WorkerTestHooks>;
}

/** Tensor counts, and the worker's call counters (present outside production builds). */
export function workerMemory(): Promise<MemoryInfo & CallCounters> {
  return worker().call((api) => api.memory()) as Promise<MemoryInfo & CallCounters>;
}
