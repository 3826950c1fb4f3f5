/**
 * What the page must recompute, derived from the state alone. Each view has a key: a string of
 * everything its pixels depend on (model and backend, image, crop, direction, z, grid samples,
 * reference image); a view whose key changed is recomputed, a view whose key is null cannot be shown yet
 * (no model, no image, a model loading, the camera running). The renderer (renderer.ts) runs
 * the plan: a view whose key changes supersedes its request for the old key (stage.ts).
 * Pure: unit-tested in render-plan.test.ts.
 */
import type { CropBox } from '../worker/protocol';
import type { AppState } from './store';

export type Stage = 'content' | 'output' | 'grid' | 'reference';
export const STAGES: readonly Stage[] = ['content', 'output', 'grid', 'reference'];

export type RenderKeys = Record<Stage, string | null>;

/** A stable serial per object (a model load, a grid's sample list): a new object is a new value. */
const serials = new WeakMap<object, number>();
let nextSerial = 1;
function serial(o: object): number {
  let n = serials.get(o);
  if (n === undefined) {
    n = nextSerial++;
    serials.set(o, n);
  }
  return n;
}

function cropKey(c: CropBox | null): string {
  return c ? `${Math.round(c.x)},${Math.round(c.y)},${Math.round(c.size)}` : 'model-crop';
}

export type PlanInput = Pick<AppState, 'backend' | 'model' | 'loading' | 'camera' | 'content' | 'crop' | 'direction' | 'z' | 'grid' | 'reference'>;

export function renderKeys(s: PlanInput): RenderKeys {
  // The backend is part of it: after a device loss the worker rebuilds the model elsewhere.
  const model = s.model && s.loading === null ? `model#${serial(s.model)}@${s.backend?.name ?? '?'}` : null;
  // While the camera runs, its own loop paints the frames: the photo's views wait.
  const picture = pictureKey(s);
  const source = model && picture && s.camera.status === 'off' ? `${picture}@${s.backend?.name ?? '?'}` : null;
  return {
    content: source,
    output: source && s.z.length === s.model!.nz ? `${source}|z=${s.z.join(',')}` : null,
    grid: source && s.grid ? `${source}|grid#${serial(s.grid.zs)}` : null,
    // A reference is encoded only for the direction it was given for (a picture of its target domain).
    reference: model && s.reference && s.reference.direction === s.direction ? `${model}|${s.reference.slot.id}|${s.direction}` : null,
  };
}

/**
 * What a picture is made from (model, image, crop, direction), whatever else is going on (a model
 * loading, the camera): results derived from an earlier picture (the interpolation strip, the
 * export sweep) are stale once it changes. null without a model or an image.
 */
export function pictureKey(s: Pick<AppState, 'model' | 'content' | 'crop' | 'direction'>): string | null {
  return s.model && s.content ? `model#${serial(s.model)}|${s.content.id}|${s.direction}|${cropKey(s.crop)}` : null;
}

/** The stages to run after a change from `prev` to `next`: those whose key changed to a value. */
export function planRenders(prev: RenderKeys, next: RenderKeys): Stage[] {
  return STAGES.filter((st) => next[st] !== null && next[st] !== prev[st]);
}
