/**
 * Entry point of the inference worker (a module Web Worker): exposes `DritWorkerApi` through
 * comlink. All tfjs work of the app happens here; the main thread never runs the model.
 */
import * as Comlink from 'comlink';
import { Engine } from './engine';
import type { DritWorkerApi, FrameResult, GenerateResult, ContentResult, ReferenceResult, RgbaFrame } from './protocol';
import { codedError } from './protocol';

const engine = new Engine();

function buffers(frames: RgbaFrame[]): ArrayBuffer[] {
  return frames.map((f) => f.data.buffer);
}

/** Comlink serialises thrown errors as Error(name, message); keep our coded messages intact. */
async function guard<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Error && e.name === 'DritWorkerError') throw e;
    const err = e instanceof Error ? e : new Error(String(e));
    console.error(`[drit worker] ${what} failed`, err);
    throw codedError('INTERNAL', `${what} failed: ${err.message}`);
  }
}

const api: DritWorkerApi = {
  init: (opts, onEvent) => guard('Backend initialisation', () => engine.init(opts, onEvent)),
  loadModel: (spec, onProgress) => guard('Loading the model', () => engine.loadModel(spec, onProgress)),
  decodeImage: (bytes, name) => guard('Decoding the image', () => engine.decodeImage(bytes, name)),
  releaseImage: async (id) => engine.releaseImage(id),
  encodeContent: (req) =>
    guard('Encoding the content', async (): Promise<ContentResult> => {
      const r = await engine.encodeContent(req);
      return Comlink.transfer(r, [r.input.data.buffer]);
    }),
  encodeReference: (req) =>
    guard('Encoding the reference', async (): Promise<ReferenceResult> => {
      const r = await engine.encodeReference(req);
      return Comlink.transfer(r, [r.input.data.buffer]);
    }),
  generate: (req) =>
    guard('Generating', async (): Promise<GenerateResult> => {
      const r = await engine.generate(req);
      return Comlink.transfer(r, buffers(r.frames));
    }),
  translateFrame: (req) =>
    guard('Translating the camera frame', async (): Promise<FrameResult> => {
      const r = await engine.translateFrame(req);
      return Comlink.transfer(r, [r.input.data.buffer, r.output.data.buffer]);
    }),
  convertCheckpoint: (bytes, opts, onProgress) => guard('Converting the checkpoint', () => engine.convertCheckpoint(bytes, opts, onProgress)),
  listLocalModels: () => guard('Listing stored models', () => engine.listLocalModels()),
  deleteLocalModel: (id) => guard('Deleting the stored model', () => engine.deleteLocalModel(id)),
  memory: async () => engine.memory(),
  dispose: async () => engine.dispose(),
  crashForTesting: () => {
    setTimeout(() => {
      throw new Error('simulated worker crash (test hook)');
    }, 10);
  },
  loseDeviceForTesting: async () => engine.loseDeviceForTesting(),
};

Comlink.expose(api);
