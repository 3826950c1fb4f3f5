/**
 * Chooses a tfjs backend in Node: 'cpu', 'wasm' (SIMD, wasm files from the installed package) or
 * 'webgpu' through the `webgpu` package (Dawn). On machines without a GPU, Dawn needs Chromium's
 * SwiftShader Vulkan driver (docs/drit-reference.md §13); we point
 * VK_ICD_FILENAMES at it when the variable is unset and the file exists.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export type NodeBackend = 'cpu' | 'wasm' | 'webgpu';
export const NODE_BACKENDS: readonly NodeBackend[] = ['cpu', 'wasm', 'webgpu'];

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface BackendInfo {
  backend: NodeBackend;
  /** WebGPU adapter description, when known. */
  adapter?: string;
}

let webgpuAdapter: string | undefined;

async function registerWebgpu(): Promise<void> {
  if (tf.findBackendFactory('webgpu')) return;
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error('WebGPU: no adapter (set VK_ICD_FILENAMES to a Vulkan driver, e.g. Chromium\'s SwiftShader)');
  }
  const info = adapter.info;
  webgpuAdapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  // The backend reads navigator.gpu when its module is evaluated: import it only now.
  await import('@tensorflow/tfjs-backend-webgpu');
}

async function registerWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(join(dist, '/'));
}

export async function initNodeBackend(name: NodeBackend): Promise<BackendInfo> {
  if (!NODE_BACKENDS.includes(name)) throw new Error(`unknown backend '${name}' (use ${NODE_BACKENDS.join(', ')})`);
  // PROD silences tfjs's console advice to install tfjs-node (which cannot be installed here).
  tf.env().set('PROD', true);
  if (name === 'webgpu') await registerWebgpu();
  if (name === 'wasm') await registerWasm();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
  return name === 'webgpu' ? { backend: name, adapter: webgpuAdapter } : { backend: name };
}
