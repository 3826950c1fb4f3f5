/**
 * Start-up and wiring of the app on the main thread: reads the URL, starts the worker (behind the
 * bridge) and the renderer, picks the backend and the first model, and restores the page after a
 * worker crash. The user actions live in src/app/actions (one module per state slice); the model
 * itself runs only in the worker.
 *
 * Render pipeline: whenever (model, content image, crop, direction, z) change, the renderer's
 * output stage supersedes its previous render with one for the new state (renderer.ts); the
 * worker re-uses the cached content code unless the image, crop or direction changed, so moving
 * a slider only re-runs the generator.
 */
import type { CallCounters, MemoryInfo, WorkerEvent, WorkerTestHooks } from '../worker/protocol';
import { Comlink, WorkerBridge, createDritWorker } from './bridge';
import { decode } from './images';
import { startRenderer } from './renderer';
import { getState, setSession, setState } from './store';
import { decodeShare, readQuery } from './url';
import { showError, setWorker, worker } from './worker-handle';
import { loadModelList, selectModel } from './actions/model';

let started = false;

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
