/**
 * Where `load({ model })` reads a pack from: a URL of its folder (fetch; http(s), or file: and
 * plain paths in Node), or any `PackSource` (an object with `readFile(path)`). Failures to reach
 * a file are `MODEL_NOT_FOUND`; everything the files themselves get wrong is reported by the
 * loader (src/lib/loader.ts) with the pack reader's codes.
 */
import { DritError } from '../errors';
import type { PackSource } from '../pack/read';
import { IS_NODE, folderPackSource } from './platform';

/** A pack folder's URL (absolute, or relative to the page), a Node path, or a custom source. */
export type ModelLocation = string | URL | PackSource;

/** `base` with a trailing slash, so that file names resolve inside it. */
function folderUrl(u: URL): URL {
  return u.pathname.endsWith('/') ? u : new URL(`${u.href}/`);
}

/** A pack folder served over HTTP (or anything fetch reaches). */
export function urlSource(base: URL): PackSource {
  const folder = folderUrl(base);
  return {
    async readFile(path: string): Promise<Uint8Array> {
      const url = new URL(path, folder);
      let res: Response;
      try {
        res = await fetch(url);
      } catch (e) {
        throw new DritError('MODEL_NOT_FOUND', `${url.href} could not be downloaded (${(e as Error).message})`, { cause: e });
      }
      // a server that answers every path with its page (a single-page app) has no such file either
      const html = (res.headers.get('content-type') ?? '').includes('text/html');
      if (!res.ok || html) throw new DritError('MODEL_NOT_FOUND', `${url.href}: ${res.ok ? 'the server answered with a web page' : `HTTP ${res.status}`} (no model pack there?)`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

function isSource(m: ModelLocation): m is PackSource {
  return typeof m === 'object' && !(m instanceof URL) && typeof (m as PackSource).readFile === 'function';
}

/** The PackSource for a model location. */
export async function packSource(model: ModelLocation): Promise<PackSource> {
  if (isSource(model)) return model;
  if (model instanceof URL) return model.protocol === 'file:' && IS_NODE ? folderPackSource(model) : urlSource(model);
  if (typeof model !== 'string' || model === '') throw new DritError('BAD_INPUT', 'model: give the URL of a pack folder, a folder path (Node) or a PackSource');
  if (IS_NODE) {
    if (/^https?:\/\//i.test(model)) return urlSource(new URL(model));
    return folderPackSource(/^file:/i.test(model) ? new URL(model) : model);
  }
  const base = typeof document !== 'undefined' ? document.baseURI : globalThis.location?.href;
  return urlSource(new URL(model, base));
}
