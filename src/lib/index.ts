/**
 * DRIT as a library: `load()` a model pack, then `translate` images between its two domains.
 *
 *   import { load } from 'drit-web';
 *   const drit = await load();                                  // the default cat ⇄ dog model
 *   const { images } = await drit.translate(catImage, { direction: 'a2b', seed: 7, samples: 4 });
 *   drit.dispose();
 *
 * Works in browsers (WebGPU, WebGL, WebAssembly, CPU) and Node (CPU, WebAssembly, WebGPU through
 * the `webgpu` package). Every failure is a `DritError` with a stable `code` (docs/library.md).
 */
import type { KernelChoice } from '../drit/weights';
import { DritError } from '../errors';
import { startBackend, type Backend } from './backend';
import { openModel } from './loader';
import { packSource, type ModelLocation } from './sources';
import { DritTranslator } from './translator';

export { DritError, isDritError } from '../errors';
export type { PackSource } from '../pack/read';
export type { PackManifest } from '../pack/manifest';
export type { Backend } from './backend';
export type { ImageInput } from './images';
export type { ModelLocation } from './sources';
export type { AttributeCode, ContentCode, Direction, Domain, ModelDescription, TranslateOptions, TranslateResult } from './translator';
export { DritTranslator };

/** Where the package keeps its default model (cat ⇄ dog), relative to the built module. */
const DEFAULT_MODEL_PATH = '../../public/models/cat2dog/';
/** Where the browser build keeps the tfjs-backend-wasm binaries, relative to the built module. */
const WASM_PATH = './wasm/';

/**
 * The default model's folder inside the installed package (a file: URL in Node, a URL under the
 * package's folder on a web server that serves node_modules). With a bundler, copy the folder
 * `node_modules/drit-web/public/models/cat2dog/` to your public files and pass its URL instead.
 */
export const DEFAULT_MODEL_URL: string = new URL(DEFAULT_MODEL_PATH, import.meta.url).href;

export interface LoadConfig {
  /** The pack: its folder's URL (default DEFAULT_MODEL_URL), a folder path in Node, or a PackSource. */
  model?: ModelLocation;
  /** The tfjs backend (default: cpu in Node; webgpu -> webgl -> wasm -> cpu in browsers). */
  backend?: Backend;
  /** Browsers: the folder URL of the tfjs-backend-wasm .wasm files (default: those in the package). */
  wasmPaths?: string;
  /** 'auto' (default): the project's faster CPU/wasm kernels; 'stock': tfjs's own. */
  kernels?: KernelChoice;
  /** Run every network once now so that the first translation is fast (default true). */
  warmUp?: boolean;
  /** Called as loading moves on. */
  onProgress?(stage: 'backend' | 'verify' | 'build' | 'warmup'): void;
}

/** Starts the backend, reads and verifies the pack (sha256 of every shard), builds and warms up the model. */
export async function load(config: LoadConfig = {}): Promise<DritTranslator> {
  if (typeof config !== 'object' || config === null) throw new DritError('BAD_INPUT', 'load(config): config must be an object');
  config.onProgress?.('backend');
  const backend = await startBackend(config.backend, config.wasmPaths ?? new URL(WASM_PATH, import.meta.url).href);
  const source = await packSource(config.model ?? DEFAULT_MODEL_URL);
  const { model } = await openModel(source, {
    ...(config.kernels ? { kernels: config.kernels } : {}),
    ...(config.warmUp === false ? { warmUp: false } : {}),
    ...(config.onProgress ? { onStage: config.onProgress } : {}),
  });
  return new DritTranslator(model, backend);
}
