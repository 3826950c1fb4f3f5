/**
 * The reference image: an image of the target domain whose attribute E_a(reference) becomes z.
 * Dropping one stores it; the renderer (render-plan.ts) encodes it whenever the image, the
 * direction or the model change, so nothing here has to remember to.
 */
import { freshSeed } from '../drit/random';
import * as attr from './attributes';
import { remember } from './history-actions';
import { decode, downscaleNotice, releaseSlot } from './images';
import type { WorkStage } from './stage';
import { clearError, showError } from './worker-handle';
import { getState, setState, type AppState } from './store';

export async function setReferenceFile(file: Blob, name = (file as File).name || 'pasted image'): Promise<void> {
  clearError();
  try {
    const slot = await decode(file, name);
    const old = getState().reference;
    const notice = downscaleNotice(slot);
    setState({
      mode: 'reference',
      reference: { slot, direction: getState().direction, status: 'encoding', mu: [], input: null, sampleAround: old?.sampleAround ?? false, seed: old?.seed ?? 1 },
      ...(notice ? { notice } : {}),
    });
    if (old) releaseSlot(old.slot);
  } catch (e) {
    showError(e);
  }
}

/** Whether the reference belongs to the current direction (a picture of its target domain). */
export function referenceFits(s: Pick<AppState, 'reference' | 'direction'>): boolean {
  return !!s.reference && s.reference.direction === s.direction;
}

function referenceZ(r: NonNullable<AppState['reference']>): number[] {
  if (!r.sampleAround || !r.sigma) return r.mu.slice();
  const eps = attr.normalRow(r.seed, r.mu.length);
  return r.mu.map((m, i) => m + r.sigma![i]! * eps[i]!);
}

/** Renderer stage 'reference' (run when its key, model|image|direction, changes): E_a of the reference; a superseded result is dropped by `stage`. */
export async function encodeReference(stage: WorkStage): Promise<void> {
  const s = getState();
  const r = s.reference;
  if (!r || !s.model || !referenceFits(s)) return;
  try {
    const res = await stage.run((api) => api.encodeReference({ imageId: r.slot.id, direction: s.direction }));
    const cur = getState().reference;
    if (!cur) return; // removed meanwhile
    const next = { ...cur, status: 'ready' as const, mu: res.mu, input: res.input, ...(res.sigma ? { sigma: res.sigma } : {}) };
    if (!res.sigma) delete next.sigma;
    const perf = { ...getState().perf, referenceMs: res.encodeMs };
    // The reference sets z only while it is the source of z (a direction change re-encodes it
    // in sample mode too, without touching the sampled z).
    if (getState().mode === 'reference') {
      setState({ reference: next, ...attr.fromReference(referenceZ(next)), perf });
      remember('reference');
    } else {
      setState({ reference: next, perf });
    }
  } catch (e) {
    showError(e);
  }
}

export function setSampleAround(on: boolean): void {
  const r = getState().reference;
  if (!r || !referenceFits(getState())) return;
  const next = { ...r, sampleAround: on };
  setState({ reference: next, ...attr.fromReference(referenceZ(next)) });
  remember('reference');
}

export function resampleAroundReference(): void {
  const r = getState().reference;
  if (!r || !referenceFits(getState())) return;
  const next = { ...r, sampleAround: true, seed: freshSeed() };
  setState({ reference: next, ...attr.fromReference(referenceZ(next)) });
  remember('reference');
}

export function applyReference(): void {
  const r = getState().reference;
  if (!r || r.status !== 'ready' || !referenceFits(getState())) return;
  setState(attr.fromReference(referenceZ(r)));
  remember('reference');
}

export function clearReference(): void {
  const r = getState().reference;
  releaseSlot(r?.slot);
  setState({ reference: null, mode: 'sample' });
}
