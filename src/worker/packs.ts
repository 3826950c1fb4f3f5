/**
 * Model-pack storage for the worker: downloads a pack from our own origin with per-shard
 * progress, lets `readPack` verify every shard's sha256, and keeps verified files in Cache
 * Storage so the next visit needs no download (and works offline). Packs converted in the browser
 * from a dropped `.pth` live in the same cache under `/__local-packs/<id>/`.
 */
import type { NamedWeight, PackManifest } from '../pack/manifest';
import { readPack, validateManifest } from '../pack/read';
import { WorkerError, codedError, type LoadProgress, type LocalModelEntry, type ModelSpec } from './protocol';

const CACHE_NAME = 'drit-model-packs-v1';
const LOCAL_PREFIX = '/__local-packs/';

export interface LoadedPack {
  manifest: PackManifest;
  weights: NamedWeight[];
  bytes: number;
  fromCache: boolean;
  /** Set when storage let the visitor down on this load (not kept, or a damaged copy replaced): words for a notice. */
  storageNotice?: string;
}

/** Converted packs the browser refused to store (quota, storage disabled): usable until the worker ends. */
const memoryPacks = new Map<string, { entry: LocalModelEntry; files: Map<string, Uint8Array> }>();

/** Words for a storage failure: quota apart from everything else. */
function storageReason(e: unknown): string {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' ? 'browser storage is full' : 'browser storage is unavailable';
}

async function openCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(CACHE_NAME);
  } catch {
    return undefined; // e.g. an insecure context or storage disabled: work without a cache
  }
}

function localUrl(path: string): string {
  return new URL(LOCAL_PREFIX + path, self.location.origin).href;
}

function sameOrigin(url: string): boolean {
  return new URL(url, self.location.href).origin === self.location.origin;
}

async function readBody(res: Response, expected: number | undefined, onBytes: (n: number) => void): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    const now = performance.now();
    if (now - last > 50) {
      last = now;
      onBytes(received);
    }
  }
  onBytes(received);
  if (chunks.length === 1 && chunks[0]!.byteLength === received) return chunks[0]!;
  const out = new Uint8Array(expected !== undefined && expected === received ? expected : received);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

function parseManifest(bytes: Uint8Array, where: string): PackManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw codedError('MODEL_NOT_FOUND', `${where} is not a model manifest (not JSON).`);
  }
  try {
    return validateManifest(json);
  } catch (e) {
    throw codedError('PACK_INVALID', `${where}: ${(e as Error).message}`, e);
  }
}

function totalBytes(m: PackManifest): number {
  return m.shards.reduce((s, sh) => s + sh.byteLength, 0);
}

/** Downloads (or reads from the cache) and verifies a pack served by our origin. */
async function loadRemote(spec: ModelSpec & { location: { kind: 'remote' } }, onProgress: (p: LoadProgress) => void): Promise<LoadedPack> {
  const base = new URL(spec.location.base, self.location.href).href;
  if (!sameOrigin(base)) throw codedError('PACK_INVALID', `Refusing to load a model from another origin (${base}).`);
  const manifestUrl = new URL('manifest.json', base).href;
  const cache = await openCache();
  let storageNotice: string | undefined = cache
    ? undefined
    : `The weights of “${spec.name}” could not be kept in this browser (browser storage is unavailable); the next visit downloads them again.`;
  onProgress({ stage: 'manifest' });

  let manifestBytes: Uint8Array | undefined;
  let manifestFromCache = false;
  try {
    const res = await fetch(manifestUrl, { cache: 'no-cache' });
    if (res.status === 404 || (res.headers.get('content-type') ?? '').includes('text/html')) {
      throw codedError(
        'MODEL_NOT_FOUND',
        `Model “${spec.name}” not found: ${new URL(manifestUrl).pathname} does not exist on this server (the pack has not been published yet?).`,
      );
    }
    if (!res.ok) throw codedError('MODEL_NOT_FOUND', `Model “${spec.name}”: ${new URL(manifestUrl).pathname} answered HTTP ${res.status}.`);
    manifestBytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof WorkerError) throw e;
    // Offline (fetch rejects): fall back to the cached manifest.
    const hit = await cache?.match(manifestUrl);
    if (!hit) throw codedError('MODEL_NOT_FOUND', `Model “${spec.name}” could not be downloaded (${(e as Error).message}) and is not cached.`, e);
    manifestBytes = new Uint8Array(await hit.arrayBuffer());
    manifestFromCache = true;
  }
  const manifest = parseManifest(manifestBytes, new URL(manifestUrl).pathname);
  const shardKey = (i: number): string => {
    const sh = manifest.shards[i]!;
    return `${new URL(sh.path, base).href}?sha256=${sh.sha256}`;
  };
  const total = totalBytes(manifest);

  const attempt = async (useCache: boolean): Promise<{ pack: LoadedPack; fresh: Map<number, Uint8Array> }> => {
    const fresh = new Map<number, Uint8Array>();
    let done = 0;
    let allCached = true;
    const source = {
      readFile: async (path: string): Promise<Uint8Array> => {
        if (path === 'manifest.json') return manifestBytes;
        const index = manifest.shards.findIndex((s) => s.path === path);
        const sh = manifest.shards[index];
        if (!sh) throw codedError('PACK_INVALID', `the manifest does not list ${path}`);
        const url = new URL(sh.path, base).href;
        if (!sameOrigin(url)) throw codedError('PACK_INVALID', `shard ${path} points to another origin`);
        const report = (n: number, fromCache: boolean): void =>
          onProgress({
            stage: 'download',
            shard: index,
            shards: manifest.shards.length,
            shardBytes: n,
            shardTotal: sh.byteLength,
            bytes: done + n,
            totalBytes: total,
            fromCache,
          });
        if (useCache && cache) {
          const hit = await cache.match(shardKey(index));
          if (hit) {
            const b = new Uint8Array(await hit.arrayBuffer());
            report(b.byteLength, true);
            done += b.byteLength;
            return b;
          }
        }
        allCached = false;
        report(0, false);
        let res: Response;
        try {
          res = await fetch(url, { cache: 'no-store' });
        } catch (e) {
          throw codedError('MODEL_NOT_FOUND', `Downloading ${sh.path} failed: ${(e as Error).message}`, e);
        }
        if (!res.ok) throw codedError('MODEL_NOT_FOUND', `Downloading ${sh.path} failed: HTTP ${res.status}.`);
        const b = await readBody(res, sh.byteLength, (n) => report(n, false));
        done += b.byteLength;
        fresh.set(index, b);
        return b;
      },
    };
    let result: { manifest: PackManifest; weights: NamedWeight[] };
    try {
      result = await readPack(source, {
        onProgress: (p) =>
          onProgress({ stage: 'verify', shard: p.shard, shards: p.shards, bytes: p.bytes, totalBytes: p.totalBytes }),
      });
    } catch (e) {
      if (e instanceof WorkerError) throw e;
      throw codedError('PACK_INVALID', `Model “${spec.name}” failed verification: ${(e as Error).message}`, e);
    }
    return { pack: { manifest: result.manifest, weights: result.weights, bytes: total, fromCache: allCached }, fresh };
  };

  let out: { pack: LoadedPack; fresh: Map<number, Uint8Array> };
  try {
    out = await attempt(true);
  } catch (e) {
    // A cached shard may be stale or damaged: purge this pack's cache entries and download again.
    if (!cache || manifestFromCache) throw e;
    try {
      const keys = await cache.keys();
      await Promise.all(keys.filter((k) => k.url.startsWith(base)).map((k) => cache.delete(k)));
    } catch {
      // The broken copy could not be purged: the fresh download below replaces it (or is not kept).
    }
    out = await attempt(false);
    storageNotice = `The stored copy of “${spec.name}” was damaged (it failed its SHA-256 check); it was downloaded again.`;
  }
  if (cache) {
    try {
      // Keep only verified files; drop shards of older versions of this pack.
      const keep = new Set(manifest.shards.map((_, i) => shardKey(i)));
      keep.add(manifestUrl);
      for (const k of await cache.keys()) {
        if (k.url.startsWith(base) && !keep.has(k.url)) await cache.delete(k);
      }
      for (const [i, b] of out.fresh) await cache.put(shardKey(i), new Response(b as Uint8Array<ArrayBuffer>));
      if (!manifestFromCache) {
        await cache.put(manifestUrl, new Response(manifestBytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/json' } }));
      }
    } catch (e) {
      // Quota exceeded or storage disabled: the model still works from memory, it just is not kept
      // (a manifest refreshed over shards that were all cached already is no loss worth a notice).
      if (out.fresh.size > 0) storageNotice = `The weights of “${spec.name}” could not be kept in this browser (${storageReason(e)}); it works now, and the next visit downloads them again.`;
    }
  }
  return storageNotice ? { ...out.pack, storageNotice } : out.pack;
}

async function loadLocal(id: string, onProgress: (p: LoadProgress) => void): Promise<LoadedPack> {
  const inMemory = memoryPacks.get(id);
  const cache = inMemory ? undefined : await openCache();
  if (!inMemory && !cache) throw codedError('MODEL_NOT_FOUND', 'This browser offers no storage for converted models.');
  const read = async (path: string): Promise<Uint8Array | undefined> => {
    if (inMemory) return inMemory.files.get(path);
    const res = await cache!.match(localUrl(`${id}/${path}`));
    return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
  };
  const manifestBytes = await read('manifest.json');
  if (!manifestBytes) throw codedError('MODEL_NOT_FOUND', `The converted model “${id}” is no longer stored in this browser.`);
  const manifest = parseManifest(manifestBytes, 'stored manifest');
  const total = totalBytes(manifest);
  let done = 0;
  const source = {
    readFile: async (path: string): Promise<Uint8Array> => {
      if (path === 'manifest.json') return manifestBytes;
      const b = await read(path);
      if (!b) throw codedError('PACK_INVALID', `The stored model “${id}” lacks ${path}; convert it again.`);
      done += b.byteLength;
      const index = manifest.shards.findIndex((s) => s.path === path);
      onProgress({ stage: 'download', shard: index, shards: manifest.shards.length, shardBytes: b.byteLength, shardTotal: b.byteLength, bytes: done, totalBytes: total, fromCache: true });
      return b;
    },
  };
  try {
    const { weights } = await readPack(source);
    const pack: LoadedPack = { manifest, weights, bytes: total, fromCache: true };
    if (inMemory) {
      pack.storageNotice = `“${inMemory.entry.name}” could not be stored in this browser (${inMemory.entry.notStored}); it works until this tab is closed: convert it again on your next visit.`;
    }
    return pack;
  } catch (e) {
    if (e instanceof WorkerError) throw e;
    throw codedError('PACK_INVALID', `The stored model “${id}” failed verification: ${(e as Error).message}`, e);
  }
}

export function loadPack(spec: ModelSpec, onProgress: (p: LoadProgress) => void): Promise<LoadedPack> {
  return spec.location.kind === 'remote'
    ? loadRemote(spec as ModelSpec & { location: { kind: 'remote' } }, onProgress)
    : loadLocal(spec.location.id, onProgress);
}

async function readLocalIndex(cache: Cache): Promise<LocalModelEntry[]> {
  const hit = await cache.match(localUrl('index.json'));
  if (!hit) return [];
  try {
    const list = (await hit.json()) as unknown;
    return Array.isArray(list) ? (list as LocalModelEntry[]) : [];
  } catch {
    return [];
  }
}

export async function listLocalPacks(): Promise<LocalModelEntry[]> {
  const cache = await openCache();
  let stored: LocalModelEntry[] = [];
  try {
    stored = cache ? await readLocalIndex(cache) : [];
  } catch {
    // Storage failing on read: list what this tab holds in memory.
  }
  return [...stored.filter((m) => !memoryPacks.has(m.id)), ...[...memoryPacks.values()].map((p) => p.entry)];
}

/** Stores a converted pack; returns its entry. Throws when the browser refuses to store it. */
export async function storeLocalPack(
  entry: Omit<LocalModelEntry, 'id' | 'createdAt'>,
  manifest: PackManifest,
  files: Map<string, Uint8Array>,
): Promise<LocalModelEntry> {
  const cache = await openCache();
  const id = `local-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const full: LocalModelEntry = { ...entry, id, createdAt: new Date().toISOString() };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  try {
    if (!cache) throw new DOMException('no Cache Storage', 'InvalidStateError');
    for (const [path, bytes] of files) {
      if (path === 'manifest.json') continue;
      await cache.put(localUrl(`${id}/${path}`), new Response(bytes as Uint8Array<ArrayBuffer>));
    }
    await cache.put(localUrl(`${id}/manifest.json`), new Response(manifestBytes, { headers: { 'content-type': 'application/json' } }));
    const list = (await readLocalIndex(cache)).filter((m) => m.id !== id);
    list.push(full);
    await cache.put(localUrl('index.json'), new Response(JSON.stringify(list), { headers: { 'content-type': 'application/json' } }));
    return full;
  } catch (e) {
    // Quota exceeded or storage disabled: drop what was half written (it would only use up space
    // and never be listed) and keep the converted pack in memory for this tab.
    if (cache) {
      try {
        const prefix = localUrl(`${id}/`);
        for (const k of await cache.keys()) if (k.url.startsWith(prefix)) await cache.delete(k);
      } catch {
        // nothing more to do
      }
    }
    const kept: LocalModelEntry = { ...full, notStored: storageReason(e) };
    const all = new Map(files);
    all.set('manifest.json', manifestBytes);
    memoryPacks.set(id, { entry: kept, files: all });
    return kept;
  }
}

export async function deleteLocalPack(id: string): Promise<void> {
  if (memoryPacks.delete(id)) return;
  const cache = await openCache();
  if (!cache) return;
  const prefix = localUrl(`${id}/`);
  for (const k of await cache.keys()) if (k.url.startsWith(prefix)) await cache.delete(k);
  const list = (await readLocalIndex(cache)).filter((m) => m.id !== id);
  await cache.put(localUrl('index.json'), new Response(JSON.stringify(list), { headers: { 'content-type': 'application/json' } }));
}
