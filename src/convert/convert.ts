/**
 * PyTorch DRIT checkpoint (.pth, legacy or zip) -> model pack (manifest.json + shards).
 * Runs in Node and in browser workers.
 */
import { DEFAULT_PREPROCESS, type DritVariant, type PackManifest, type Preprocess, type Provenance, type StoredDtype } from '../pack/manifest';
import { sha256Hex } from '../pack/sha256';
import { MANIFEST_LIMITS } from '../pack/read';
import { writePack } from '../pack/write';
import { CheckpointError } from './errors';
import { readArchEntry } from './arch';
import { DRIT_MODULES, mapDritLayout, type DritStateDicts } from './layout';
import { readPth, type CheckpointFormat, type StateDict } from './pth';

export const CONVERTER_ID = 'drit-web convert 1';

export interface ConvertOptions {
  name?: string;
  /** Display names of domains A and B (default ['A', 'B']). */
  domains?: [string, string];
  dtype?: StoredDtype;
  preprocess?: Partial<Preprocess>;
  /** Extra provenance; sourceFormat, sourceSha256, epoch and totalIterations are filled in from the file. */
  provenance?: Provenance;
  /** Maximum shard size in bytes (default 4 MiB). */
  maxShardBytes?: number;
  /** See LayoutOptions.strict (default true). */
  strict?: boolean;
  /** stage: 'hash' | 'read' | 'layout' | 'write' | 'done'; fraction in [0, 1] within the stage. */
  onProgress?(stage: string, fraction: number): void;
}

export interface ConvertReport {
  variant: DritVariant;
  widths: Record<string, number>;
  channels: { a: number; b: number };
  nz: number;
  /** Unexpected but harmless keys inside enc_c/enc_a/gen (ignored). */
  unexpectedKeys: string[];
  /** Top-level checkpoint entries that inference does not need (discriminators, optimisers, ...). */
  ignoredEntries: string[];
  sourceFormat: CheckpointFormat;
  sourceSha256: string;
  weightCount: number;
  parameterCount: number;
}

export interface ConvertResult {
  manifest: PackManifest;
  /** manifest.json and the shards, by file name. */
  files: Map<string, Uint8Array>;
  report: ConvertReport;
}

function checkPreprocess(p: Preprocess): Preprocess {
  const bad = (msg: string): never => {
    throw new CheckpointError('BAD_OPTION', `Invalid preprocessing option: ${msg}`);
  };
  const L = MANIFEST_LIMITS; // what readers accept: never write a pack that cannot be read
  if (!Number.isSafeInteger(p.resize) || p.resize < 1 || p.resize > L.side) bad(`resize must be an integer in [1, ${L.side}], got ${p.resize}`);
  if (!Number.isSafeInteger(p.crop) || p.crop < 1 || p.crop > L.side) bad(`crop must be an integer in [1, ${L.side}], got ${p.crop}`);
  if (p.crop > p.resize) bad(`crop (${p.crop}) is larger than resize (${p.resize})`);
  if (p.resizeMode !== 'square' && p.resizeMode !== 'shorter-side') bad(`unknown resizeMode '${String(p.resizeMode)}'`);
  if (p.resample !== 'bicubic') bad(`unknown resample '${String(p.resample)}'`);
  if (p.mean.length !== 3 || p.std.length !== 3 || !p.mean.every((m) => Math.abs(m) <= L.mean) || !p.std.every((s) => s >= L.stdMin && s <= L.stdMax)) {
    bad(`mean must be 3 numbers in [-${L.mean}, ${L.mean}], std 3 numbers in [${L.stdMin}, ${L.stdMax}]`);
  }
  return { ...p, mean: [...p.mean], std: [...p.std] };
}

/** A diverged run's NaN/Inf weights convert fine and then paint every image one flat colour: refuse them. */
function refuseNonFinite(weights: readonly { name: string; data: Float32Array }[]): void {
  const bad: string[] = [];
  let tensors = 0;
  for (const w of weights) {
    let n = 0;
    for (let i = 0; i < w.data.length; i++) if (!Number.isFinite(w.data[i] as number)) n++;
    if (n > 0) {
      tensors++;
      if (bad.length < 5) bad.push(`${w.name} (${n} of ${w.data.length} values)`);
    }
  }
  if (tensors > 0) {
    const more = tensors > bad.length ? `, and ${tensors - bad.length} more tensor(s)` : '';
    throw new CheckpointError('NON_FINITE', `The checkpoint holds NaN or infinite weights (a diverged run?): ${bad.join(', ')}${more}`);
  }
}

export async function convertCheckpoint(bytes: Uint8Array, opts: ConvertOptions = {}): Promise<ConvertResult> {
  const progress = (stage: string, f: number): void => opts.onProgress?.(stage, f);
  const [domainA, domainB] = opts.domains ?? ['A', 'B'];
  if (!domainA || !domainB) throw new CheckpointError('BAD_OPTION', 'Domain names must not be empty');
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') throw new CheckpointError('BAD_OPTION', `Unknown dtype '${String(dtype)}' (float32 or float16)`);
  const preprocess = checkPreprocess({ ...DEFAULT_PREPROCESS, ...opts.preprocess });

  progress('hash', 0);
  const sourceSha256 = await sha256Hex(bytes);
  progress('hash', 1);

  progress('read', 0);
  const ckpt = readPth(bytes, { entries: DRIT_MODULES, onProgress: (f) => progress('read', f) });
  const sd = (m: (typeof DRIT_MODULES)[number]): StateDict => ckpt.stateDicts.get(m) as StateDict;
  const dicts: DritStateDicts = { enc_c: sd('enc_c'), enc_a: sd('enc_a'), gen: sd('gen') };

  progress('layout', 0);
  const layout = mapDritLayout(dicts, { strict: opts.strict, encAActivation: readArchEntry(ckpt.root).encAActivation });
  ckpt.stateDicts.clear();
  refuseNonFinite(layout.weights);
  progress('layout', 1);

  const provenance: Provenance = {
    ...opts.provenance,
    sourceFormat: ckpt.format,
    sourceSha256,
    converter: opts.provenance?.converter ?? CONVERTER_ID,
  };
  if (ckpt.epoch !== undefined) provenance.epoch = ckpt.epoch;
  if (ckpt.totalIterations !== undefined) provenance.totalIterations = ckpt.totalIterations;

  progress('write', 0);
  const { manifest, files } = await writePack(
    layout.weights,
    {
      name: opts.name ?? 'drit',
      domains: { a: domainA, b: domainB },
      variant: layout.variant,
      nz: layout.nz,
      channels: layout.channels,
      widths: layout.widths,
      preprocess,
      postprocess: { mapping: 'truncate' },
      provenance,
    },
    { dtype, maxShardBytes: opts.maxShardBytes },
  );
  progress('write', 1);
  progress('done', 1);

  const used = new Set<string>([...DRIT_MODULES, 'arch']);
  return {
    manifest,
    files,
    report: {
      variant: layout.variant,
      widths: layout.widths,
      channels: layout.channels,
      nz: layout.nz,
      unexpectedKeys: layout.unexpectedKeys,
      ignoredEntries: ckpt.topLevelKeys.filter((k) => !used.has(k)),
      sourceFormat: ckpt.format,
      sourceSha256,
      weightCount: layout.weights.length,
      parameterCount: layout.weights.reduce((a, w) => a + w.data.length, 0),
    },
  };
}
