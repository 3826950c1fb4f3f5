/**
 * The one place renders are planned and started. Every store change goes through the keys of
 * render-plan.ts: each view (content code, output, grid, reference) is a `WorkStage`
 * (stage.ts) owned here; when a view's key changes, its stage's request for the old key is
 * aborted (its result is dropped, or it never runs) and, unless the new key is null, a request
 * for the new key starts. So nothing here re-checks staleness by hand. The output goes first;
 * the grid (N images) only after it, so that it never delays the result. Results derived from
 * the old picture (the interpolation strip, the export sweep) are dropped when the picture
 * changes (`pictureKey`).
 */
import * as hist from './history';
import { dropSweep } from './export';
import { STAGES, pictureKey, planRenders, renderKeys, type RenderKeys, type Stage } from './render-plan';
import { encodeReference } from './reference';
import { WorkStage } from './stage';
import { showError, worker } from './worker-handle';
import { getState, setState, useStore, type AppState } from './store';

/** One stage per view. */
const stages: Readonly<Record<Stage, WorkStage>> = {
  content: new WorkStage(worker),
  output: new WorkStage(worker),
  grid: new WorkStage(worker),
  reference: new WorkStage(worker),
};
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

async function renderContent(s: AppState): Promise<void> {
  try {
    const r = await stages.content.run((api) => api.encodeContent(imageRequest(s)));
    setState({ modelInput: r.input, perf: { ...getState().perf, ...(r.cached ? {} : { encodeMs: r.encodeMs }) } });
  } catch (e) {
    showError(e);
  }
}

async function renderOutput(s: AppState): Promise<void> {
  setState({ rendering: true });
  try {
    const r = await stages.output.run((api) => api.generate({ ...imageRequest(s), z: [s.z] }));
    const frame = r.frames[0];
    const cur = getState();
    setState({
      // a thumbnail only for a history entry that lacks one, not on every slider move
      ...(frame && hist.needsThumb(cur.history, s.z) ? { history: hist.withThumb(cur.history, s.z, hist.thumbnail(frame)) } : {}),
      output: frame ?? null,
      rendering: stages.output.busy,
      perf: { ...cur.perf, generateMs: r.generateMs, ...(r.encodeMs > 0 ? { encodeMs: r.encodeMs } : {}), renders: cur.perf.renders + 1 },
    });
    void refreshMemory();
  } catch (e) {
    setState({ rendering: stages.output.busy });
    showError(e);
  }
}

/** Runs after the output (`outputRun`), so that the grid never delays the result. */
async function renderGrid(s: AppState): Promise<void> {
  const zs = s.grid!.zs;
  const busy = (): void => {
    const g = getState().grid;
    if (g && g.busy !== stages.grid.busy) setState({ grid: { ...g, busy: stages.grid.busy } });
  };
  const run = stages.grid.run((api) => api.generate({ ...imageRequest(s), z: zs }), outputRun);
  busy();
  try {
    const res = await run;
    const g = getState().grid;
    if (g) setState({ grid: { ...g, frames: res.frames, busy: stages.grid.busy }, perf: { ...getState().perf, gridMs: res.generateMs } });
    void refreshMemory();
  } catch (e) {
    busy();
    showError(e);
  }
}

function start(stage: Stage, s: AppState): void {
  if (stage === 'content') void renderContent(s);
  else if (stage === 'output') outputRun = renderOutput(s);
  else if (stage === 'grid') void renderGrid(s);
  else void encodeReference(stages.reference);
}

/** Subscribes the planner to the store (once, at start-up): the app's only store subscriber. */
export function startRenderer(): void {
  let keys: RenderKeys = renderKeys(getState());
  let picture = pictureKey(getState());
  useStore.subscribe((s, prev) => {
    const next = renderKeys(s);
    const prevKeys = keys;
    keys = next;
    // A view that can no longer be shown drops its request; a new key supersedes the old one's.
    for (const st of STAGES) if (next[st] === null && prevKeys[st] !== null) stages[st].cancel();
    // In STAGES order: the output starts before the grid that waits for it.
    for (const st of planRenders(prevKeys, next)) start(st, s);
    // Results made from the old picture (model, image, crop, direction) no longer match it.
    const nextPicture = pictureKey(s);
    if (nextPicture !== picture) {
      picture = nextPicture;
      if (prev.interp.strip.length && s.interp.strip === prev.interp.strip) setState({ interp: { ...s.interp, strip: [] } });
      dropSweep();
    }
  });
}
