/**
 * The one place renders are planned and started. Every store change goes through
 * `planRenders` (render-plan.ts): the stages whose key changed run, each as a keyed, latest-wins
 * request on its own bridge channel, so a result that is no longer wanted is dropped by the
 * bridge and nothing here re-checks staleness by hand. The output goes first; the grid (N images)
 * only after it, so that it never delays the result. Results derived from the old picture (the
 * interpolation strip, the export sweep) are dropped when the picture changes (`pictureKey`).
 */
import { isCancelled } from './bridge';
import * as hist from './history';
import { dropSweep } from './export';
import { pictureKey, planRenders, renderKeys, type RenderKeys, type Stage } from './render-plan';
import { encodeReference } from './reference';
import { showError, worker } from './worker-handle';
import { getState, setState, useStore, type AppState } from './store';

let keys: RenderKeys | null = null;
let outputRun: Promise<void> = Promise.resolve();

export async function refreshMemory(): Promise<void> {
  try {
    const m = await worker().call((api) => api.memory());
    setState({ perf: { ...getState().perf, tensors: m.numTensors } });
  } catch {
    // informational only
  }
}

function imageRequest(s: AppState) {
  return { imageId: s.content!.id, crop: s.crop, direction: s.direction };
}

async function renderContent(key: string, s: AppState): Promise<void> {
  try {
    const r = await worker().keyed('content', key, (api) => api.encodeContent(imageRequest(s)));
    setState({ modelInput: r.input, perf: { ...getState().perf, ...(r.cached ? {} : { encodeMs: r.encodeMs }) } });
  } catch (e) {
    showError(e);
  }
}

async function renderOutput(key: string, s: AppState): Promise<void> {
  setState({ rendering: true });
  try {
    const r = await worker().keyed('render', key, (api) => api.generate({ ...imageRequest(s), z: [s.z] }));
    const frame = r.frames[0];
    const cur = getState();
    setState({
      // a thumbnail only for a history entry that lacks one, not on every slider move
      ...(frame && hist.needsThumb(cur.history, s.z) ? { history: hist.withThumb(cur.history, s.z, hist.thumbnail(frame)) } : {}),
      output: frame ?? null,
      rendering: worker().busy('render'),
      perf: { ...cur.perf, generateMs: r.generateMs, ...(r.encodeMs > 0 ? { encodeMs: r.encodeMs } : {}), renders: cur.perf.renders + 1 },
    });
    void refreshMemory();
  } catch (e) {
    setState({ rendering: worker().busy('render') });
    showError(e);
  }
}

async function renderGrid(key: string): Promise<void> {
  // Started after the output: by now the grid may have been closed or replaced.
  if (keys?.grid !== key) return;
  const s = getState();
  const g = s.grid!;
  setState({ grid: { ...g, busy: true } });
  try {
    const res = await worker().keyed('grid', key, (api) => api.generate({ ...imageRequest(s), z: g.zs }));
    const cur = getState().grid;
    if (cur) setState({ grid: { ...cur, frames: res.frames, busy: false }, perf: { ...getState().perf, gridMs: res.generateMs } });
    void refreshMemory();
  } catch (e) {
    const cur = getState().grid;
    if (cur && !isCancelled(e)) setState({ grid: { ...cur, busy: false } });
    showError(e);
  }
}

function run(stages: readonly Stage[], k: RenderKeys, s: AppState): void {
  if (stages.includes('content')) void renderContent(k.content!, s);
  if (stages.includes('output')) outputRun = renderOutput(k.output!, s);
  if (stages.includes('grid')) {
    const key = k.grid!;
    void outputRun.finally(() => renderGrid(key));
  }
  if (stages.includes('reference')) void encodeReference(k.reference!);
}

/** Subscribes the planner to the store (once, at start-up): the app's only store subscriber. */
export function startRenderer(): void {
  keys = renderKeys(getState());
  let picture = pictureKey(getState());
  useStore.subscribe((s, prev) => {
    const next = renderKeys(s);
    const stages = planRenders(keys!, next);
    keys = next;
    if (stages.length) run(stages, next, s);
    // Results made from the old picture (model, image, crop, direction) no longer match it.
    const nextPicture = pictureKey(s);
    if (nextPicture !== picture) {
      picture = nextPicture;
      if (prev.interp.strip.length && s.interp.strip === prev.interp.strip) setState({ interp: { ...s.interp, strip: [] } });
      dropSweep();
    }
  });
}
