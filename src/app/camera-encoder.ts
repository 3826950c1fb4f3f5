/**
 * The second worker of the camera pipeline: it runs E_c of the next frame while the page's worker
 * paints (G) the current one, so on two cores frames come at the pace of the slower stage rather
 * than of both. Same backend and pack as the page's worker (identical numbers); null = not
 * available, and the camera loop (camera.ts) runs both stages in the page's worker.
 */
import type { ModelInfo } from '../worker/protocol';
import { Comlink, WorkerBridge, createDritWorker, isCancelled } from './bridge';
import { WorkStage } from './stage';
import { getState } from './store';

interface Encoder {
  bridge: WorkerBridge;
  /** Frames to encode: one at a time, a newer one supersedes the older. */
  stage: WorkStage;
  /** The page's model this worker has loaded (null until its load is done). */
  model: ModelInfo | null;
}

let encoder: Encoder | null = null;

/** Test hook / console: false runs both stages in the page's worker (the fallback path). */
let pipelineAllowed = true;
export function setCameraPipeline(on: boolean): void {
  pipelineAllowed = on;
  if (!on) dropEncoder();
}

/** Shuts the helper worker down (its pending frame is dropped). */
export function dropEncoder(): void {
  encoder?.bridge.terminate();
  encoder = null;
}

/** The helper worker's frame stage, started and given the page's current model when needed; null = one worker does both stages. */
export async function pipelineEncoder(): Promise<WorkStage | null> {
  const s = getState();
  const entry = s.models.find((m) => m.id === s.modelId);
  if (!pipelineAllowed || !s.model || !entry || !s.backend) return null;
  if (encoder?.model === s.model) return encoder.stage;
  let enc = encoder;
  try {
    if (!enc) {
      // A crash of this helper only costs the pipeline: drop it, the loop goes on in one worker.
      const bridge = new WorkerBridge(createDritWorker, () => dropEncoder());
      enc = encoder = { bridge, stage: new WorkStage(() => bridge), model: null };
      const backend = s.backend.name;
      // (Dropped meanwhile, the bridge rejects its pending calls: this ends in the catch below.)
      await bridge.call((api) => api.init({ backend }, Comlink.proxy(() => {})));
    }
    const model = s.model;
    await enc.bridge.call((api) => api.loadModel({ id: entry.id, name: entry.name, location: entry.location }, Comlink.proxy(() => {})));
    enc.model = model;
    return enc.stage;
  } catch (e) {
    if (!isCancelled(e)) console.warn('[drit] camera pipeline unavailable, one worker does both stages:', e);
    if (encoder === enc) dropEncoder();
    return null;
  }
}
