/**
 * Reads and verifies a model pack from any file source (Node fs, fetch, Cache API, ...):
 * validates manifest.json, checks each shard's byteLength and SHA-256, decodes float16 to float32.
 */
import { decodeFloat16LE } from './float16';
import { PackError } from './errors';
import {
  PACK_FORMAT,
  PACK_FORMAT_VERSION,
  ENC_A_ACTIVATIONS,
  type NamedWeight,
  type PackManifest,
  type Preprocess,
  type AttributeStats,
  type Domain,
  type Provenance,
  type ShardEntry,
  type StoredDtype,
  type WeightEntry,
} from './manifest';
import { sha256Hex } from './sha256';
import { MANIFEST_FILE } from './write';

export interface PackSource {
  /** Resolves with the bytes of `path` (relative to the pack folder); rejects if it is missing. */
  readFile(path: string): Promise<Uint8Array>;
}

export interface PackProgress {
  /** Shards verified so far (1-based after each shard). */
  shard: number;
  shards: number;
  bytes: number;
  totalBytes: number;
}

export interface ReadPackOptions {
  onProgress?(p: PackProgress): void;
}

export interface LoadedPack {
  manifest: PackManifest;
  /** float32 weights in manifest order. */
  weights: NamedWeight[];
}

// ---------------------------------------------------------------------------------------------
// Manifest validation
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

/**
 * Bounds on what a manifest may declare, checked before anything is allocated or fetched: a pack is
 * a download from elsewhere, and its numbers size buffers (pre-processing, z, shards).
 */
export const MANIFEST_LIMITS = {
  /** All shards together (the official float32 model at paper widths is 121 MB). */
  packBytes: 1024 * 1024 * 1024,
  /** Resize / crop side in pixels. */
  side: 4096,
  nz: 1024,
  width: 16384,
  /** mean / std of the input normalisation ([0, 1] pixel units; DRIT uses 0.5 / 0.5). */
  mean: 10,
  stdMin: 0.01,
  stdMax: 10,
  /** Principal directions stored per domain in `attributeStats` (DRIT has nz = 8). */
  attrComponents: 64,
  /** |mean| and std of attribute codes: far beyond anything a trained E_a gives (|z| of a few units). */
  attrValue: 1e6,
} as const;

/** How far stored principal directions may be from orthonormal (they are rounded to 8 digits). */
export const ORTHONORMAL_TOLERANCE = 1e-4;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const SAFE_PATH = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

class Checker {
  constructor(private readonly root: Obj) {}
  private get(path: string): unknown {
    let v: unknown = this.root;
    for (const part of path.split('.')) {
      if (Array.isArray(v)) v = v[Number(part)];
      else if (isObj(v)) v = v[part];
      else return undefined;
    }
    return v;
  }
  present(path: string): unknown {
    const v = this.get(path);
    if (v === undefined) throw new PackError('MISSING_FIELD', `Invalid model pack manifest: missing field '${path}'`, MANIFEST_FILE);
    return v;
  }
  invalid(path: string, what: string): never {
    throw new PackError('INVALID_FIELD', `Invalid model pack manifest: field '${path}' ${what}`, MANIFEST_FILE);
  }
  str(path: string): string {
    const v = this.present(path);
    if (typeof v !== 'string') this.invalid(path, 'must be a string');
    return v as string;
  }
  int(path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.present(path);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      this.invalid(path, max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer in [${min}, ${max}]`);
    }
    return v as number;
  }
  oneOf<T extends string | number>(path: string, values: readonly T[]): T {
    const v = this.present(path);
    if (!values.includes(v as T)) this.invalid(path, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    return v as T;
  }
  obj(path: string): Obj {
    const v = this.present(path);
    if (!isObj(v)) this.invalid(path, 'must be an object');
    return v as Obj;
  }
  arr(path: string): unknown[] {
    const v = this.present(path);
    if (!Array.isArray(v)) this.invalid(path, 'must be an array');
    return v as unknown[];
  }
  /** Exactly `length` finite numbers in [min, max]. */
  vector(path: string, length: number, min: number, max: number): number[] {
    const v = this.arr(path);
    if (v.length !== length) this.invalid(path, `must hold ${length} numbers, got ${v.length}`);
    if (!v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max)) this.invalid(path, `must be finite numbers in [${min}, ${max}]`);
    return (v as number[]).slice();
  }
  triple(path: string, min: number, max: number): [number, number, number] {
    const v = this.arr(path);
    if (v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max)) {
      this.invalid(path, `must be 3 numbers in [${min}, ${max}]`);
    }
    return v as [number, number, number];
  }
}

/** Validates parsed manifest JSON and returns it as a typed PackManifest (unknown extra fields dropped). */
export function validateManifest(json: unknown): PackManifest {
  if (!isObj(json)) throw new PackError('INVALID_FIELD', 'Invalid model pack manifest: not a JSON object', MANIFEST_FILE);
  const c = new Checker(json);
  if (json.format === undefined) c.present('format');
  if (json.format !== PACK_FORMAT) {
    throw new PackError('UNKNOWN_FORMAT', `Not a DRIT model pack: manifest format is ${JSON.stringify(json.format)}, expected "${PACK_FORMAT}"`, MANIFEST_FILE);
  }
  const version = c.int('formatVersion', 1);
  if (version !== 1 && version !== 2) {
    throw new PackError(
      'UNSUPPORTED_VERSION',
      version > PACK_FORMAT_VERSION
        ? `Model pack format version ${version} is newer than this loader supports (${PACK_FORMAT_VERSION}); update the app or re-convert the checkpoint`
        : `Unsupported model pack format version ${version}`,
      MANIFEST_FILE,
    );
  }
  const dtype = c.oneOf<StoredDtype>('dtype', ['float32', 'float16']);
  const itemSize = dtype === 'float32' ? 4 : 2;

  const shardsRaw = c.arr('shards');
  if (shardsRaw.length === 0) c.invalid('shards', 'must list at least one shard');
  const paths = new Set<string>();
  const shards: ShardEntry[] = shardsRaw.map((_, i) => {
    const p = `shards.${i}`;
    c.obj(p);
    const path = c.str(`${p}.path`);
    if (!SAFE_PATH.test(path) || path.split('/').includes('..')) c.invalid(`${p}.path`, `is not a safe relative file name: ${JSON.stringify(path)}`);
    if (path === MANIFEST_FILE || paths.has(path)) c.invalid(`${p}.path`, `repeats the file name ${JSON.stringify(path)}`);
    paths.add(path);
    const byteLength = c.int(`${p}.byteLength`, 0, MANIFEST_LIMITS.packBytes);
    const sha256 = c.str(`${p}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha256)) c.invalid(`${p}.sha256`, 'must be 64 lower-case hex digits');
    return { path, byteLength, sha256 };
  });

  const packBytes = shards.reduce((a, s) => a + s.byteLength, 0);
  if (packBytes > MANIFEST_LIMITS.packBytes) c.invalid('shards', `declare ${packBytes} bytes in all, more than the ${MANIFEST_LIMITS.packBytes} a model pack may hold`);

  const names = new Set<string>();
  const weights: WeightEntry[] = c.arr('weights').map((_, i) => {
    const p = `weights.${i}`;
    c.obj(p);
    const name = c.str(`${p}.name`);
    if (name.length === 0) c.invalid(`${p}.name`, 'must not be empty');
    if (names.has(name)) c.invalid(`${p}.name`, `repeats the weight name '${name}'`);
    names.add(name);
    const shapeRaw = c.arr(`${p}.shape`);
    if (!shapeRaw.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) c.invalid(`${p}.shape`, 'must be non-negative integers');
    const shape = shapeRaw as number[];
    const shard = c.int(`${p}.shard`, 0);
    if (shard >= shards.length) c.invalid(`${p}.shard`, `refers to shard ${shard} but there are ${shards.length}`);
    const byteOffset = c.int(`${p}.byteOffset`, 0);
    if (byteOffset % itemSize !== 0) c.invalid(`${p}.byteOffset`, `is not a multiple of ${itemSize}`);
    const end = byteOffset + shape.reduce((a, b) => a * b, 1) * itemSize;
    const limit = (shards[shard] as ShardEntry).byteLength;
    if (end > limit) c.invalid(`${p}`, `('${name}') ends at byte ${end} of shard ${shard}, which has ${limit} bytes`);
    return { name, shape: shape.slice(), shard, byteOffset };
  });

  for (const group of ['preprocess', 'domains', 'variant', 'channels', 'postprocess']) c.obj(group);
  const L = MANIFEST_LIMITS;
  const preprocess: Preprocess = {
    resize: c.int('preprocess.resize', 1, L.side),
    resizeMode: c.oneOf('preprocess.resizeMode', ['square', 'shorter-side'] as const),
    crop: c.int('preprocess.crop', 1, L.side),
    resample: c.oneOf('preprocess.resample', ['bicubic'] as const),
    mean: c.triple('preprocess.mean', -L.mean, L.mean),
    std: c.triple('preprocess.std', L.stdMin, L.stdMax),
  };
  if (preprocess.crop > preprocess.resize) c.invalid('preprocess.crop', `(${preprocess.crop}) must not exceed preprocess.resize (${preprocess.resize})`);
  const widthsRaw = c.obj('widths');
  const widths: Record<string, number> = {};
  for (const [k, v] of Object.entries(widthsRaw)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > L.width) c.invalid(`widths.${k}`, `must be an integer in [0, ${L.width}]`);
    widths[k] = v as number;
  }
  const manifest: PackManifest = {
    format: PACK_FORMAT,
    formatVersion: version,
    name: c.str('name'),
    domains: { a: c.str('domains.a'), b: c.str('domains.b') },
    variant: {
      concat: c.oneOf('variant.concat', [0, 1] as const),
      layerNorm: c.oneOf('variant.layerNorm', ['new', 'old'] as const),
      padding: c.oneOf('variant.padding', ['reflect', 'zero'] as const),
    },
    nz: c.int('nz', 1, L.nz),
    channels: { a: c.oneOf('channels.a', [1, 3] as const), b: c.oneOf('channels.b', [1, 3] as const) },
    widths,
    preprocess,
    postprocess: { mapping: c.oneOf('postprocess.mapping', ['truncate'] as const) },
    dtype,
    weights,
    shards,
  };
  if (isObj(json.variant) && json.variant.encAActivation !== undefined) {
    if (c.oneOf('variant.encAActivation', ENC_A_ACTIVATIONS) === 'leakyrelu') {
      // a version-1 loader ignores this field and would build ReLUs: such a pack must say version 2
      if (version < 2) c.invalid('variant.encAActivation', '"leakyrelu" needs formatVersion 2 (version-1 loaders would build ReLUs)');
      if (manifest.variant.concat !== 0) c.invalid('variant.encAActivation', 'applies to E_attr (concat = 0) only');
      manifest.variant.encAActivation = 'leakyrelu';
    }
  }
  if (json.provenance !== undefined) {
    const prov = c.obj('provenance');
    const out: Provenance = {};
    for (const k of ['source', 'sourceSha256', 'converter', 'convertedAt'] as const) {
      if (prov[k] !== undefined) out[k] = c.str(`provenance.${k}`);
    }
    if (prov.sourceFormat !== undefined) out.sourceFormat = c.oneOf('provenance.sourceFormat', ['legacy', 'zip'] as const);
    for (const k of ['epoch', 'totalIterations'] as const) {
      if (prov[k] !== undefined) out[k] = c.int(`provenance.${k}`, Number.MIN_SAFE_INTEGER);
    }
    if (prov.training !== undefined) out.training = c.obj('provenance.training');
    manifest.provenance = out;
  }
  if (json.attributeStats !== undefined) manifest.attributeStats = validateAttributeStats(c, manifest.nz);
  return manifest;
}

/** `attributeStats` (optional): per domain, a PCA of E_a codes whose sizes fit `nz` (docs/model-pack.md). */
function validateAttributeStats(c: Checker, nz: number): Partial<Record<Domain, AttributeStats>> {
  const root = c.obj('attributeStats');
  const out: Partial<Record<Domain, AttributeStats>> = {};
  const L = MANIFEST_LIMITS;
  for (const d of ['a', 'b'] as const) {
    if (root[d] === undefined) continue;
    const p = `attributeStats.${d}`;
    c.obj(p);
    const count = c.int(`${p}.count`, 2);
    const mean = c.vector(`${p}.mean`, nz, -L.attrValue, L.attrValue);
    const componentsRaw = c.arr(`${p}.components`);
    const k = componentsRaw.length;
    const maxK = Math.min(nz, L.attrComponents);
    if (k < 1 || k > maxK) c.invalid(`${p}.components`, `must hold 1 to ${maxK} directions, got ${k}`);
    const components = componentsRaw.map((_, i) => c.vector(`${p}.components.${i}`, nz, -1.001, 1.001));
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        let dot = 0;
        for (let t = 0; t < nz; t++) dot += components[i]![t]! * components[j]![t]!;
        if (Math.abs(dot - (i === j ? 1 : 0)) > ORTHONORMAL_TOLERANCE) {
          c.invalid(`${p}.components`, i === j ? `direction ${i} is not a unit vector (length² ${dot.toPrecision(6)})` : `directions ${i} and ${j} are not orthogonal (dot product ${dot.toPrecision(6)})`);
        }
      }
    }
    const std = c.vector(`${p}.std`, k, 0, L.attrValue);
    if (std.some((s) => !(s > 0))) c.invalid(`${p}.std`, 'must be positive');
    if (std.some((s, i) => i > 0 && s > std[i - 1]! * (1 + 1e-6))) c.invalid(`${p}.std`, 'must be ordered largest first');
    const varianceShare = c.vector(`${p}.varianceShare`, k, 0, 1);
    const sum = varianceShare.reduce((a, b) => a + b, 0);
    if (sum > 1 + 1e-6) c.invalid(`${p}.varianceShare`, `must sum to at most 1, got ${sum.toPrecision(6)}`);
    out[d] = { count, mean, components, std, varianceShare };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decode(bytes: Uint8Array, e: WeightEntry, dtype: StoredDtype): Float32Array {
  const n = e.shape.reduce((a, b) => a * b, 1);
  if (dtype === 'float16') return decodeFloat16LE(bytes, e.byteOffset, n);
  const start = bytes.byteOffset + e.byteOffset;
  if (littleEndianHost && start % 4 === 0) return new Float32Array(bytes.buffer.slice(start, start + n * 4));
  const dv = new DataView(bytes.buffer, start, n * 4);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

export async function readPack(source: PackSource, opts: ReadPackOptions = {}): Promise<LoadedPack> {
  let raw: Uint8Array;
  try {
    raw = await source.readFile(MANIFEST_FILE);
  } catch (e) {
    throw new PackError('MISSING_MANIFEST', `Cannot read the model pack manifest ${MANIFEST_FILE}: ${e instanceof Error ? e.message : String(e)}`, MANIFEST_FILE);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw new PackError('BAD_JSON', `The model pack manifest is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, MANIFEST_FILE);
  }
  const manifest = validateManifest(json);
  const totalBytes = manifest.shards.reduce((a, s) => a + s.byteLength, 0);
  const byShard = new Map<number, Array<[number, WeightEntry]>>();
  manifest.weights.forEach((w, i) => {
    const l = byShard.get(w.shard) ?? [];
    l.push([i, w]);
    byShard.set(w.shard, l);
  });
  const out = new Array<NamedWeight>(manifest.weights.length);
  let bytesDone = 0;
  for (let s = 0; s < manifest.shards.length; s++) {
    const shard = manifest.shards[s] as ShardEntry;
    const label = `shard ${s + 1}/${manifest.shards.length} '${shard.path}'`;
    let bytes: Uint8Array;
    try {
      bytes = await source.readFile(shard.path);
    } catch (e) {
      throw new PackError('MISSING_SHARD', `Model pack ${label} is missing or unreadable: ${e instanceof Error ? e.message : String(e)}`, shard.path);
    }
    if (bytes.length !== shard.byteLength) {
      throw new PackError('SHARD_SIZE_MISMATCH', `Model pack ${label} has ${bytes.length} bytes, the manifest says ${shard.byteLength} (incomplete download or wrong file?)`, shard.path);
    }
    const digest = await sha256Hex(bytes);
    if (digest !== shard.sha256) {
      throw new PackError('SHARD_HASH_MISMATCH', `Model pack ${label} is corrupt: SHA-256 ${digest} does not match the manifest (${shard.sha256})`, shard.path);
    }
    for (const [i, w] of byShard.get(s) ?? []) out[i] = { name: w.name, shape: w.shape.slice(), data: decode(bytes, w, manifest.dtype) };
    bytesDone += bytes.length;
    opts.onProgress?.({ shard: s + 1, shards: manifest.shards.length, bytes: bytesDone, totalBytes });
  }
  return { manifest, weights: out };
}
