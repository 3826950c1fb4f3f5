import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../worker/protocol';
import { pictureKey, planRenders, renderKeys, type PlanInput, type RenderKeys } from './render-plan';
import { CAMERA_OFF, initialState, type ImageSlot } from './store';

const model = { id: 'tiny', nz: 2 } as ModelInfo;
const image = { id: 'img1' } as ImageSlot;
const base: PlanInput = { ...initialState, model, content: image, z: [0.5, -1], grid: null, reference: null };
const keys = (change: Partial<PlanInput>): RenderKeys => renderKeys({ ...base, ...change });
const plan = (from: Partial<PlanInput>, to: Partial<PlanInput>) => planRenders(keys(from), keys(to));

describe('render plan', () => {
  it('a new image, crop or direction recomputes the content code and the output (and the grid when shown)', () => {
    expect(plan({}, { content: { id: 'img2' } as ImageSlot })).toEqual(['content', 'output']);
    expect(plan({}, { crop: { x: 1, y: 2, size: 30 } })).toEqual(['content', 'output']);
    expect(plan({}, { direction: 'b2a' })).toEqual(['content', 'output']);
    const grid = { seed: 1, size: 2, zs: [[0, 0], [1, 1]], frames: [], busy: false };
    expect(plan({ grid }, { grid, direction: 'b2a' })).toEqual(['content', 'output', 'grid']);
  });

  it('moving z re-runs only the output; equal values are no change', () => {
    expect(plan({}, { z: [0.5, -0.9] })).toEqual(['output']);
    expect(plan({ z: [0.5, -1] }, { z: [0.5, -1] })).toEqual([]);
    expect(plan({ crop: { x: 1, y: 2, size: 30 } }, { crop: { x: 1.2, y: 2, size: 30 } })).toEqual([]);
  });

  it('a new grid (new sample list) renders only the grid; writing its frames back changes nothing', () => {
    const zs = [[0, 0]];
    const grid = { seed: 1, size: 1, zs, frames: [], busy: true };
    expect(plan({}, { grid })).toEqual(['grid']);
    expect(plan({ grid }, { grid: { ...grid, frames: [], busy: false } })).toEqual([]);
  });

  it('nothing renders while a model loads, without a model or an image, or while the camera runs; all of it after', () => {
    expect(keys({ loading: { stage: 'download' } })).toEqual({ content: null, output: null, grid: null, reference: null });
    expect(keys({ content: null }).output).toBeNull();
    expect(keys({ camera: { ...CAMERA_OFF, status: 'live' } }).output).toBeNull();
    expect(plan({ camera: { ...CAMERA_OFF, status: 'live' } }, {})).toEqual(['content', 'output']);
    // a new model load (a new ModelInfo object, even with the same id) recomputes everything
    expect(plan({}, { model: { ...model } })).toEqual(['content', 'output']);
    // a backend switch (device lost -> wasm) re-renders everything
    expect(plan({}, { backend: { name: 'wasm', adapter: 'x' } })).toEqual(['content', 'output']);
    // z of the wrong length (a model with another nz, before onModel resized it): no output yet
    expect(keys({ z: [1, 2, 3] }).output).toBeNull();
  });

  it('a reference image is encoded when it or the model change, only for the direction it was given for', () => {
    const reference = { slot: { id: 'ref1' }, direction: 'a2b' } as PlanInput['reference'];
    expect(plan({}, { reference })).toEqual(['reference']);
    expect(plan({}, { reference, model: { ...model } })).toEqual(['content', 'output', 'reference']);
    // its result written back (same slot) is no change
    expect(plan({ reference }, { reference: { ...reference!, status: 'ready', mu: [1, 2] } })).toEqual([]);
    // a picture of the other domain: not encoded for the swapped direction, again when it comes back
    expect(keys({ reference, direction: 'b2a' }).reference).toBeNull();
    expect(plan({ reference }, { reference, direction: 'b2a' })).toEqual(['content', 'output']);
    expect(plan({ reference, direction: 'b2a' }, { reference })).toEqual(['content', 'output', 'reference']);
    const forB2a = { ...reference!, direction: 'b2a' as const };
    expect(plan({ reference: forB2a }, { reference: forB2a, direction: 'b2a' })).toEqual(['content', 'output', 'reference']);
  });

  it('the picture key changes with the model, image, crop or direction only', () => {
    const k = pictureKey(base);
    expect(k).not.toBeNull();
    for (const change of [{ model: { ...model } }, { content: { id: 'img2' } as ImageSlot }, { crop: { x: 1, y: 2, size: 30 } }, { direction: 'b2a' as const }]) {
      expect(pictureKey({ ...base, ...change })).not.toBe(k);
    }
    // z, a loading model, the camera or a grid do not make a new picture
    expect(pictureKey({ ...base, z: [2, 2], loading: { stage: 'download' }, camera: { ...CAMERA_OFF, status: 'live' } } as PlanInput)).toBe(k);
    expect(pictureKey({ ...base, content: null })).toBeNull();
    expect(pictureKey({ ...base, model: null })).toBeNull();
  });
});
