/**
 * Writes a model pack: `manifest.json` plus weight shards `weights-<i>.bin` (docs/model-pack.md).
 * The output bytes depend only on the inputs (no timestamps, fixed key order), so converting the
 * same weights twice gives identical files.
 */
import { encodeFloat16LE } from './float16';
import { PackError } from './errors';
import {
  PACK_FORMAT,
  formatVersionFor,
  type NamedWeight,
  type PackManifest,
  type Postprocess,
  type Provenance,
  type ShardEntry,
  type StoredDtype,
  type WeightEntry,
} from './manifest';
import { sha256Hex } from './sha256';

export const MANIFEST_FILE = 'manifest.json';
export const DEFAULT_MAX_SHARD_BYTES = 4 * 1024 * 1024;
/** Every weight starts at a multiple of this many bytes inside its shard (padding bytes are zero). */
export const WEIGHT_ALIGNMENT = 4;

/** Everything a manifest holds except what the writer derives (format, dtype, weights, shards). */
export type PackMetadata = Omit<PackManifest, 'format' | 'formatVersion' | 'dtype' | 'weights' | 'shards' | 'postprocess'> & {
  postprocess?: Postprocess;
};

export interface WritePackOptions {
  /** Storage dtype (default float32). float16 rounds to nearest even. */
  dtype?: StoredDtype;
  /** Upper bound of a shard's size (default 4 MiB). A single larger weight gets a shard of its own. */
  maxShardBytes?: number;
}

export interface WrittenPack {
  manifest: PackManifest;
  /** File name (relative to the pack folder) -> bytes: manifest.json and every shard. */
  files: Map<string, Uint8Array>;
}

export const shardFileName = (i: number): string => `weights-${i}.bin`;

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkWeights(weights: readonly NamedWeight[]): void {
  const seen = new Set<string>();
  for (const w of weights) {
    if (typeof w.name !== 'string' || w.name.length === 0) throw new PackError('BAD_INPUT', 'A weight has an empty name');
    if (seen.has(w.name)) throw new PackError('BAD_INPUT', `Duplicate weight name '${w.name}'`);
    seen.add(w.name);
    if (!w.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new PackError('BAD_INPUT', `Weight '${w.name}' has an invalid shape [${w.shape.join(',')}]`);
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (n !== w.data.length) throw new PackError('BAD_INPUT', `Weight '${w.name}' has shape [${w.shape.join(',')}] (${n} values) but ${w.data.length} values`);
  }
}

/**
 * Serialises the manifest exactly as the writer does: 2-space indented JSON with one line per
 * weight and per shard entry, numeric arrays on one line, trailing newline.
 */
export function serializeManifest(manifest: PackManifest): Uint8Array {
  const compactArrays = (s: string): string => s.replace(/\[\n\s*([-\d.e+,\s]*?)\n\s*\]/g, (_, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);
  const entries = Object.entries(manifest).filter(([, v]) => v !== undefined);
  const body = entries.map(([k, v], i) => {
    let s: string;
    if ((k === 'weights' || k === 'shards') && Array.isArray(v) && v.length > 0) {
      s = `[\n${v.map((e: unknown) => `    ${JSON.stringify(e)}`).join(',\n')}\n  ]`;
    } else {
      s = compactArrays(JSON.stringify(v, null, 2)).replace(/\n/g, '\n  ');
    }
    return `  ${JSON.stringify(k)}: ${s}${i < entries.length - 1 ? ',' : ''}`;
  });
  return new TextEncoder().encode(`{\n${body.join('\n')}\n}\n`);
}

export async function writePack(weights: readonly NamedWeight[], meta: PackMetadata, opts: WritePackOptions = {}): Promise<WrittenPack> {
  const dtype: StoredDtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') throw new PackError('BAD_INPUT', `Unknown pack dtype '${String(dtype)}'`);
  const maxShard = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (!Number.isSafeInteger(maxShard) || maxShard < WEIGHT_ALIGNMENT) throw new PackError('BAD_INPUT', `Invalid maximum shard size ${maxShard}`);
  checkWeights(weights);
  if (meta.variant.encAActivation === 'leakyrelu' && meta.variant.concat !== 0) {
    throw new PackError('BAD_INPUT', 'variant.encAActivation applies to E_attr (concat = 0) only');
  }
  const itemSize = dtype === 'float32' ? 4 : 2;

  // Plan: assign shards and offsets.
  const entries: WeightEntry[] = [];
  const shardSizes: number[] = [];
  let cur = 0;
  let used = 0;
  for (const w of weights) {
    const bytes = w.data.length * itemSize;
    if (used > 0 && used + bytes > maxShard) {
      shardSizes.push(used);
      cur++;
      used = 0;
    }
    entries.push({ name: w.name, shape: w.shape.slice(), shard: cur, byteOffset: used });
    used += Math.ceil(bytes / WEIGHT_ALIGNMENT) * WEIGHT_ALIGNMENT;
  }
  if (used > 0 || shardSizes.length === 0) shardSizes.push(used);

  // Fill the shards.
  const shardBytes = shardSizes.map((n) => new Uint8Array(n));
  weights.forEach((w, i) => {
    const e = entries[i] as WeightEntry;
    const out = shardBytes[e.shard] as Uint8Array;
    if (dtype === 'float16') {
      encodeFloat16LE(w.data, out, e.byteOffset);
    } else if (littleEndianHost) {
      out.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), e.byteOffset);
    } else {
      const dv = new DataView(out.buffer, e.byteOffset, w.data.length * 4);
      for (let j = 0; j < w.data.length; j++) dv.setFloat32(j * 4, w.data[j] as number, true);
    }
  });

  const shards: ShardEntry[] = [];
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < shardBytes.length; i++) {
    const b = shardBytes[i] as Uint8Array;
    const path = shardFileName(i);
    shards.push({ path, byteLength: b.length, sha256: await sha256Hex(b) });
    files.set(path, b);
  }

  const manifest: PackManifest = {
    format: PACK_FORMAT,
    formatVersion: formatVersionFor(meta.variant),
    name: meta.name,
    domains: { a: meta.domains.a, b: meta.domains.b },
    variant: {
      concat: meta.variant.concat,
      layerNorm: meta.variant.layerNorm,
      padding: meta.variant.padding,
      ...(meta.variant.encAActivation === 'leakyrelu' ? { encAActivation: 'leakyrelu' as const } : {}),
    },
    nz: meta.nz,
    channels: { a: meta.channels.a, b: meta.channels.b },
    widths: { ...meta.widths },
    preprocess: {
      resize: meta.preprocess.resize,
      resizeMode: meta.preprocess.resizeMode,
      crop: meta.preprocess.crop,
      resample: meta.preprocess.resample,
      mean: [...meta.preprocess.mean],
      std: [...meta.preprocess.std],
    },
    postprocess: { mapping: meta.postprocess?.mapping ?? 'truncate' },
    dtype,
    weights: entries,
    shards,
  };
  if (meta.provenance) manifest.provenance = orderedProvenance(meta.provenance);
  if (meta.attributeStats) manifest.attributeStats = structuredClone(meta.attributeStats);
  files.set(MANIFEST_FILE, serializeManifest(manifest));
  return { manifest, files };
}

function orderedProvenance(p: Provenance): Provenance {
  const out: Provenance = {};
  if (p.source !== undefined) out.source = p.source;
  if (p.sourceFormat !== undefined) out.sourceFormat = p.sourceFormat;
  if (p.sourceSha256 !== undefined) out.sourceSha256 = p.sourceSha256;
  if (p.epoch !== undefined) out.epoch = p.epoch;
  if (p.totalIterations !== undefined) out.totalIterations = p.totalIterations;
  if (p.converter !== undefined) out.converter = p.converter;
  if (p.convertedAt !== undefined) out.convertedAt = p.convertedAt;
  if (p.training !== undefined) out.training = p.training;
  return out;
}
