/**
 * What the library does differently in Node: read a pack folder, decode PNG/JPEG bytes (the CLIs'
 * PIL-exact decoder), start a tfjs backend (src/node/backend.ts). Every Node module is imported
 * lazily, so nothing here runs in a browser; the browser build (vite.lib.config.ts) replaces this
 * file with ./platform-browser.ts, which has no Node code at all.
 */
import { DritError } from '../errors';
import type { PackSource } from '../pack/read';
import type { RgbImage } from '../image/types';

/** True in Node (and not in a browser or a worker). */
export const IS_NODE = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined' && typeof self === 'undefined';

/** A pack folder on disk (a path or a file: URL) as a PackSource whose failures are DritErrors. */
export async function folderPackSource(location: string | URL): Promise<PackSource> {
  const { fileURLToPath } = await import('node:url');
  const { folderSource } = await import('../pack/folder-source');
  const dir = location instanceof URL ? fileURLToPath(location) : location;
  const inner = folderSource(dir);
  return {
    async readFile(path: string): Promise<Uint8Array> {
      try {
        return await inner.readFile(path);
      } catch (e) {
        if (e instanceof DritError) throw e;
        const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
        throw new DritError(missing ? 'MODEL_NOT_FOUND' : 'PACK_INVALID', `${dir}: cannot read ${path} (${(e as Error).message})`, { cause: e });
      }
    },
  };
}

/** PNG/JPEG file bytes -> RGB, exactly as the CLIs (and PIL) decode them. */
export async function decodeFileBytes(bytes: Uint8Array): Promise<RgbImage> {
  const { decodeImageFile } = await import('../image/node-io');
  return decodeImageFile(bytes);
}

/** Starts a tfjs backend in Node: cpu (default), wasm or webgpu (through the `webgpu` package). */
export async function startNodeBackend(name: string | undefined): Promise<string> {
  const { NODE_BACKENDS, initNodeBackend } = await import('../node/backend');
  const want = name ?? 'cpu';
  if (!(NODE_BACKENDS as readonly string[]).includes(want)) {
    throw new DritError('BACKEND', `backend '${want}' does not run in Node (use ${NODE_BACKENDS.join(', ')})`);
  }
  try {
    return (await initNodeBackend(want as (typeof NODE_BACKENDS)[number])).backend;
  } catch (e) {
    throw new DritError('BACKEND', `the ${want} backend could not start: ${(e as Error).message}`, { cause: e });
  }
}
