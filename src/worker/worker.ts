/**
 * Entry point of the inference worker (a module Web Worker): wires the image store, the content
 * cache, the engine, the camera stages and the local models together and exposes them as
 * `DritWorkerApi` through comlink. All tfjs work of the app happens here; the main thread never
 * runs the model. The test hooks (test-hooks.ts) are added outside production builds only.
 */
import * as Comlink from 'comlink';
import { CameraStages } from './camera-stages';
import { ContentCache } from './content-cache';
import { Engine, disposeContent, type ContentEntry } from './engine';
import { ImageStore } from './image-store';
import { convertToLocalModel, deleteLocalModel, listLocalModels } from './local-models';
import { testHooks } from './test-hooks';
import type { DritWorkerApi, WorkerTestHooks, FrameEncodeResult, FrameResult, GenerateResult, PaintResult, ContentResult, ReferenceResult, RgbaFrame } from './protocol';
import { WorkerError, codedError } from './protocol';
import { installErrorTransfer } from './error-transfer';
import { errorMessage } from '../errors';

const images = new ImageStore();
const contents = new ContentCache<ContentEntry>(disposeContent);
const engine = new Engine(images, contents);
const camera = new CameraStages(engine);

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

const api: DritWorkerApi & Partial<WorkerTestHooks> = {
  init: (opts, onEvent) => guard('Backend initialisation', () => engine.init(opts, onEvent)),
  loadModel: (spec, onProgress) => guard('Loading the model', () => engine.loadModel(spec, onProgress)),
  decodeImage: (bytes, name) => guard('Decoding the image', () => images.decode(bytes, name)),
  releaseImage: async (id) => {
    images.release(id);
    contents.dropImage(id);
  },
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
      const r = await camera.translateFrame(req);
      return Comlink.transfer(r, [r.input.data.buffer, r.output.data.buffer]);
    }),
  encodeFrame: (req) =>
    guard('Encoding the camera frame', async (): Promise<FrameEncodeResult> => {
      const r = await camera.encodeFrame(req);
      return Comlink.transfer(r, [r.code.buffer, r.input.data.buffer]);
    }),
  paintCode: (req) =>
    guard('Painting the camera frame', async (): Promise<PaintResult> => {
      const r = await camera.paintCode(req);
      return Comlink.transfer(r, [r.output.data.buffer]);
    }),
  convertCheckpoint: (bytes, opts, onProgress) => guard('Converting the checkpoint', () => convertToLocalModel(bytes, opts, onProgress)),
  listLocalModels: () => guard('Listing stored models', () => listLocalModels()),
  deleteLocalModel: (id) => guard('Deleting the stored model', () => deleteLocalModel(id)),
  memory: async () => engine.memory(),
  ...(import.meta.env.MODE !== 'production' ? testHooks : {}),
};

Comlink.expose(api);
