/**
 * Entry point of the inference worker (a module Web Worker): exposes `DritWorkerApi` through
 * comlink. All tfjs work of the app happens here; the main thread never runs the model.
 */
import * as Comlink from 'comlink';
import { Engine } from './engine';
import type { DritWorkerApi, FrameEncodeResult, FrameResult, GenerateResult, PaintResult, ContentResult, ReferenceResult, RgbaFrame } from './protocol';
import { WorkerError, codedError } from './protocol';
import { installErrorTransfer } from './error-transfer';
import { errorMessage } from '../errors';

const engine = new Engine();

function buffers(frames: RgbaFrame[]): ArrayBuffer[] {
  return frames.map((f) => f.data.buffer);
}

// Thrown WorkerErrors reach the page with their code and cause (error-transfer.ts).
installErrorTransfer(Comlink);

/** Every failure leaves the worker as a WorkerError: ours as they are, anything else as INTERNAL with its cause. */
async function guard<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WorkerError) throw e;
    console.error(`[drit worker] ${what} failed`, e);
    throw codedError('INTERNAL', `${what} failed: ${errorMessage(e)}`, e);
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
  encodeFrame: (req) =>
    guard('Encoding the camera frame', async (): Promise<FrameEncodeResult> => {
      const r = await engine.encodeFrame(req);
      return Comlink.transfer(r, [r.code.buffer, r.input.data.buffer]);
    }),
  paintCode: (req) =>
    guard('Painting the camera frame', async (): Promise<PaintResult> => {
      const r = await engine.paintCode(req);
      return Comlink.transfer(r, [r.output.data.buffer]);
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
