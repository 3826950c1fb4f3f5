/**
 * convertFile against a fake worker transport (src/testing/fake-worker.ts): the conversion's
 * progress comes over its own comlink proxy port, so a last progress message can land after the
 * answer; it must not bring the "Converting …" bar back (the soak run, bench/soak.ts, once found
 * "Converting checkpoint_zip.pth: storing" left on screen after the "Converted" notice).
 */
import { afterEach, expect, it } from 'vitest';
import type { ConvertProgress, LoadProgress, ModelInfo } from '../../worker/protocol';
import { fakeBridge, until } from '../../testing/fake-worker';
import { getState, setState } from '../store';
import { setWorker } from '../worker-handle';
import { convertFile, selectModel } from './model';

let terminate: (() => void) | null = null;
afterEach(() => terminate?.());

it('a progress message that arrives after the answer leaves no progress bar', async () => {
  let lateSent = false;
  const api = {
    async convertCheckpoint(_bytes: ArrayBuffer, _opts: unknown, onProgress: (p: ConvertProgress) => void) {
      void onProgress({ stage: 'converting', fraction: 0.5 });
      // The worker's last progress call is not awaited; here it is delivered only after the answer.
      setTimeout(() => {
        void onProgress({ stage: 'storing', fraction: 1 });
        lateSent = true;
      }, 50);
      return { id: 'local-x', name: 'x', location: { kind: 'local', id: 'local-x' } };
    },
  };
  const { bridge } = fakeBridge(api);
  setWorker(bridge);
  terminate = () => bridge.terminate();
  setState({ converting: null, notice: null });
  await convertFile(new Blob([new Uint8Array(16)]), 'checkpoint.pth');
  await until(() => lateSent, 'the late progress message');
  await new Promise((r) => setTimeout(r, 50)); // its delivery through the proxy's port
  expect(getState().notice).toContain('Converted “checkpoint.pth”');
  expect(getState().converting).toBeNull();
});

it('a load progress message that arrives after the model is loaded does not bring the loading state back', async () => {
  let lateSent = false;
  const info = { id: 'local-y', name: 'y', nz: 8, concat: 0, bytes: 1, fromCache: true, packMs: 1, buildMs: 1, warmupMs: 1 } as ModelInfo;
  const api = {
    async loadModel(_spec: unknown, onProgress: (p: LoadProgress) => void) {
      void onProgress({ stage: 'warmup' });
      setTimeout(() => {
        void onProgress({ stage: 'ready' });
        lateSent = true;
      }, 50);
      return info;
    },
  };
  const { bridge } = fakeBridge(api);
  setWorker(bridge);
  terminate = () => bridge.terminate();
  setState({ models: [{ id: 'local-y', name: 'y (converted here)', origin: 'local', location: { kind: 'local', id: 'local-y' } }], loading: null, error: null });
  await selectModel('local-y');
  expect(getState().model?.id).toBe('local-y');
  await until(() => lateSent, 'the late progress message');
  await new Promise((r) => setTimeout(r, 50));
  expect(getState().loading).toBeNull();
});
