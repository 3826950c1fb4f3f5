/**
 * tfjs backends for the library in a browser (or a worker): the app's trimmed tfjs bundle
 * (src/worker/tfjs/bundle.ts: the four backends with only the kernels DRIT uses). The automatic
 * order is webgpu -> webgl -> wasm -> cpu, the first that starts; a named backend is that one or
 * a `BACKEND` error. Imported lazily by ./backend.ts, never in Node.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DritError } from '../errors';
import { setWasmPaths } from '../worker/tfjs/bundle';

export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** `wasmPaths`: the folder (URL ending in '/') holding the tfjs-backend-wasm*.wasm files. */
export async function startBrowserBackend(name: string | undefined, wasmPaths: string): Promise<string> {
  if (name !== undefined && !(BROWSER_BACKENDS as readonly string[]).includes(name)) {
    throw new DritError('BACKEND', `unknown backend '${name}' (use ${BROWSER_BACKENDS.join(', ')})`);
  }
  tf.env().set('PROD', true);
  setWasmPaths(wasmPaths);
  const failures: string[] = [];
  for (const b of name ? [name] : BROWSER_BACKENDS) {
    if (!tf.findBackendFactory(b)) {
      failures.push(`${b}: not available in this browser`);
      continue;
    }
    try {
      if (await tf.setBackend(b)) {
        await tf.ready();
        return b;
      }
      failures.push(`${b}: failed to start`);
    } catch (e) {
      failures.push(`${b}: ${(e as Error).message}`);
    }
  }
  throw new DritError('BACKEND', `no tfjs backend could start (${failures.join('; ')})`);
}
