/**
 * Model actions: the model list (server index + packs converted here), switching models,
 * converting a dropped checkpoint and forgetting a converted one. What a loaded model resets in
 * the other slices is decided by slice-rules.ts (`onModelLoaded`).
 */
import { freshSeed } from '../../drit/random';
import type { ModelSpec } from '../../worker/protocol';
import { Comlink, isCancelled } from '../bridge';
import { describeError } from '../error-text';
import { loadStarred } from '../history-actions';
import { onModelLoaded } from '../slice-rules';
import { getState, setSession, setState, type ModelEntry } from '../store';
import { WorkStage } from '../stage';
import { setModelInQuery } from '../url';
import { clearError, showError, worker } from '../worker-handle';

/** Model loads: choosing another model supersedes a load in progress (its result and progress are dropped). */
const loads = new WorkStage(worker);

interface IndexJson {
  default?: string;
  models?: Array<{ id: string; name?: string; path: string; description?: string; knows?: string }>;
}

/** Reads models/index.json (same origin only) and the worker's local packs into the store. */
export async function loadModelList(): Promise<ModelEntry[]> {
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
  // As in convertFile: a last progress message ('ready') can land after the answer; it must not
  // set `loading` again (that would keep every view waiting for a load that is over).
  let answered = false;
  try {
    const info = await loads.run((api, signal) =>
      api.loadModel(
        spec,
        Comlink.proxy((p) => {
          if (!signal.aborted && !answered) setState({ loading: p });
        }),
      ),
    );
    answered = true;
    setState(onModelLoaded(getState(), info, loadStarred(id), freshSeed()));
  } catch (e) {
    answered = true;
    if (isCancelled(e)) return;
    setState({ loading: null, model: null, output: null, modelInput: null });
    const before = getState().error;
    showError(e);
    if (opts.keepError && before) setState({ error: `${before} ${describeError(e) ?? ''}`.trim() });
  }
}

export async function convertFile(file: Blob, name: string): Promise<void> {
  clearError();
  setState({ converting: { name, stage: 'reading', fraction: 0 } });
  // Progress comes over the proxy's own MessagePort, the answer over the worker's: a last
  // progress message ('storing') can arrive after the answer and must not bring the bar back.
  let finished = false;
  try {
    const bytes = await file.arrayBuffer();
    const spec = await worker().call((api) =>
      api.convertCheckpoint(
        Comlink.transfer(bytes, [bytes]),
        { name: name.replace(/\.[^.]+$/, '') || name },
        Comlink.proxy((p) => {
          if (!finished) setState({ converting: { name, ...p } });
        }),
      ),
    );
    finished = true;
    setState({ converting: null, notice: `Converted “${name}”; it is stored in this browser for your next visit.` });
    await loadModelList();
    await selectModel(spec.id);
  } catch (e) {
    finished = true;
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
