/**
 * Starts the tfjs backend the library runs on. tfjs has one active backend per page (or Node
 * process): `load()` switches it for everything that uses tfjs there.
 */
import { IS_NODE, startNodeBackend } from './platform';

/** Backends by name: browsers have all four, Node has cpu, wasm and webgpu (through the `webgpu` package). */
export type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Starts `name` (or the automatic choice: cpu in Node, webgpu -> webgl -> wasm -> cpu in browsers); returns the one running. */
export async function startBackend(name: Backend | undefined, wasmPaths: string): Promise<Backend> {
  if (IS_NODE) return (await startNodeBackend(name)) as Backend;
  const { startBrowserBackend } = await import('./browser-backend');
  return (await startBrowserBackend(name, wasmPaths)) as Backend;
}
