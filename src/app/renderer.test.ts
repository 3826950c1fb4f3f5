/**
 * The renderer's stage logic (renderer.ts + stage.ts + bridge.ts together) against a fake worker
 * transport: vitest cannot run the inference worker, and what is checked here is which requests
 * reach the worker and which results reach the store, not the model math (the e2e suite runs the
 * real worker and model). The fake "generator" writes each z into its frame, so a test can tell
 * which request an image on screen came from.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateRequest, ModelInfo, RgbaFrame } from '../worker/protocol';
import { Gate, fakeBridge, until } from '../testing/fake-worker';
import { hideGrid } from './actions/grid';
import { startRenderer } from './renderer';
import { CAMERA_OFF, getState, setState, type ImageSlot } from './store';
import { setWorker } from './worker-handle';

/** A frame that carries its z (one byte per dimension, z*10 + 128), as the fake generator makes it. */
function frameOf(z: readonly number[]): RgbaFrame {
  return { width: z.length, height: 1, data: Uint8ClampedArray.from(z, (v) => Math.round(v * 10) + 128) };
}
function zOf(f: RgbaFrame | null | undefined): number[] | null {
  return f ? Array.from(f.data, (b) => (b - 128) / 10) : null;
}

function fakeWorker() {
  /** The z batches of the generate calls that reached the worker, in order. */
  const generated: number[][][] = [];
  const gate = new Gate();
  const api = {
    async encodeContent() {
      return { input: frameOf([0]), encodeMs: 1, cached: false };
    },
    async generate(req: GenerateRequest) {
      generated.push(req.z);
      await gate.wait();
      return { frames: req.z.map(frameOf), encodeMs: 0, generateMs: 1 };
    },
    async memory() {
      return { numTensors: 0, numBytes: 0 };
    },
  };
  const { bridge } = fakeBridge(api);
  setWorker(bridge);
  return { generated, gate, bridge };
}

let active: ReturnType<typeof fakeWorker> | null = null;

/** A fresh model (a new load: new render keys) and a photo, with z = `z`: the renderer starts the output. */
function showPhoto(z: number[]): void {
  const model = { id: 'fake', nz: z.length } as ModelInfo;
  const content = { id: `img-${Math.random()}`, width: 8, height: 8 } as ImageSlot;
  setState({ backend: { name: 'wasm', adapter: 'test' }, model, loading: null, camera: CAMERA_OFF, content, crop: null, grid: null, reference: null, output: null, error: null, z });
}

beforeAll(() => {
  startRenderer();
});

afterEach(() => {
  active?.bridge.terminate();
  active = null;
});

describe('renderer stages', () => {
  it('a burst of slider moves: superseded renders never reach the worker or the screen; the output is the final z', async () => {
    const w = (active = fakeWorker());
    const renders0 = getState().perf.renders;
    showPhoto([0, 0]);
    await until(() => w.generated.length === 1, 'the first render');
    expect(getState().rendering).toBe(true);
    for (const v of [0.5, 1, 1.5, 2, 2.5]) setState({ z: [v, -v] });
    w.gate.release(); // [0, 0] ends while it is superseded: dropped
    await until(() => w.generated.length === 2, 'the newest render');
    expect(w.generated).toEqual([[[0, 0]], [[2.5, -2.5]]]);
    expect(getState().output).toBeNull();
    expect(getState().perf.renders).toBe(renders0);
    expect(getState().rendering).toBe(true);
    w.gate.release();
    await until(() => !getState().rendering, 'the render to end');
    expect(zOf(getState().output)).toEqual([2.5, -2.5]);
    expect(getState().perf.renders).toBe(renders0 + 1);
  });

  it('a view that can no longer be shown (camera on) drops its render in flight; it renders again when the camera stops', async () => {
    const w = (active = fakeWorker());
    showPhoto([1, 2]);
    await until(() => w.generated.length === 1, 'the render');
    const renders0 = getState().perf.renders;
    setState({ camera: { ...CAMERA_OFF, status: 'live' } });
    w.gate.release();
    await until(() => !getState().rendering, 'the dropped render to end');
    expect(getState().output).toBeNull();
    expect(getState().perf.renders).toBe(renders0);
    setState({ camera: CAMERA_OFF });
    await until(() => w.generated.length === 2, 'the render after the camera');
    w.gate.release();
    await until(() => getState().perf.renders === renders0 + 1, 'the output');
    expect(zOf(getState().output)).toEqual([1, 2]);
  });

  it('the grid waits for the output, then renders its samples in one batch; closing it drops a grid render in flight', async () => {
    const w = (active = fakeWorker());
    showPhoto([0, 1]);
    const grid = { seed: 1, size: 2, zs: [[1, 1], [-1, -1]], frames: [], busy: false };
    setState({ grid });
    await until(() => w.generated.length === 1, 'the output render');
    expect(w.generated[0]).toEqual([[0, 1]]); // the output first, alone
    expect(getState().grid!.busy).toBe(true);
    w.gate.release();
    await until(() => w.generated.length === 2, 'the grid render');
    expect(w.generated[1]).toEqual(grid.zs);
    w.gate.release();
    await until(() => !getState().grid!.busy, 'the grid');
    expect(getState().grid!.frames.map(zOf)).toEqual(grid.zs);

    // a new grid, closed while it renders, then opened again: the old result never reaches the new grid
    setState({ grid: { ...grid, zs: [[2, 2]] } });
    await until(() => w.generated.length === 3, 'the second grid render');
    hideGrid();
    expect(getState().grid).toBeNull();
    setState({ grid: { ...grid, zs: [[3, 3]] } });
    w.gate.release(); // [[2, 2]] ends: dropped
    await until(() => w.generated.length === 4, 'the third grid render');
    expect(w.generated[3]).toEqual([[3, 3]]);
    expect(getState().grid!.frames).toEqual([]);
    expect(getState().grid!.busy).toBe(true);
    w.gate.release();
    await until(() => !getState().grid!.busy, 'the third grid');
    expect(getState().grid!.frames.map(zOf)).toEqual([[3, 3]]);
    expect(getState().error).toBeNull();
  });

  it('a model load in progress supersedes the output: the old model\'s render is dropped', async () => {
    const w = (active = fakeWorker());
    showPhoto([3, 3]);
    await until(() => w.generated.length === 1, 'the render');
    const renders0 = getState().perf.renders;
    setState({ loading: { stage: 'manifest' } });
    w.gate.release();
    await until(() => !getState().rendering, 'the dropped render to end');
    expect(getState().perf.renders).toBe(renders0);
    expect(getState().output).toBeNull();
  });
});
