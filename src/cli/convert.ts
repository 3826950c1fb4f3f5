/**
 * npm run convert -- <checkpoint.pth> <outDir> [--name N] [--domains cat,dog] [--dtype float32|float16]
 *                    [--resize N] [--crop N] [--shard-size BYTES]
 *                    [--attr-stats <datasetRoot>] [--attr-stats-a DIR] [--attr-stats-b DIR] [--attr-stats-limit N]
 *
 * Converts an official (or compatible) DRIT PyTorch checkpoint into a model pack folder.
 * Exit codes: 0 success, 2 bad input (arguments, unreadable or invalid checkpoint), 1 other failures.
 * The pack is written to a temporary folder next to <outDir> and renamed into place, so a failed
 * run never leaves a half-written pack.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint, type ConvertOptions } from '../convert/index';
import { MAX_CHECKPOINT_BYTES } from '../convert/pth';
import type { Preprocess, StoredDtype } from '../pack/manifest';
import { readRegularFile } from '../node/read-file';
import type { StatsFolders } from '../attrstats/run';
import { UsageError, runCli } from './run';

const USAGE = `Usage: npm run convert -- <checkpoint.pth> <outDir> [options]

Converts a DRIT PyTorch checkpoint (.pth/.pkl, legacy or zip format) into a model pack folder
(manifest.json + weights-<i>.bin shards).

Options:
  --name NAME          model name stored in the manifest (default: checkpoint file name)
  --domains A,B        display names of domain A and domain B (default: A,B)
  --dtype TYPE         float32 (default) or float16 (half the size, rounded to nearest even)
  --resize N           pre-processing resize size (default 256)
  --crop N             pre-processing centre-crop size (default 216, or the --resize size if smaller)
  --shard-size BYTES   maximum shard size (default 4194304 = 4 MiB)
  --attr-stats ROOT    store the principal directions of each domain's E_a codes (PCA) for the
                       app's principal-direction sliders: ROOT/trainA = domain A photos,
                       ROOT/trainB = domain B photos (a DRIT dataset root)
  --attr-stats-a DIR, --attr-stats-b DIR
                       a folder of photos of that domain (instead of, or on top of, ROOT's)
  --attr-stats-limit N encode at most N photos per domain (first in name order; default all)
  -h, --help           show this help

Exit codes: 0 success, 2 bad input (arguments or checkpoint), 1 other errors.`;

interface CliArgs {
  checkpoint: string;
  outDir: string;
  options: ConvertOptions;
  /** --attr-stats*: the photo folders per domain (resolved by main) and the per-domain limit. */
  attrStats?: { root?: string; folders: StatsFolders; limit?: number };
}

function parseIntArg(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag} expects a positive integer, got '${v}'`);
  return Number(v);
}

function parseCommandLine(argv: string[]): CliArgs | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      name: { type: 'string' },
      domains: { type: 'string' },
      dtype: { type: 'string' },
      resize: { type: 'string' },
      crop: { type: 'string' },
      'shard-size': { type: 'string' },
      'attr-stats': { type: 'string' },
      'attr-stats-a': { type: 'string' },
      'attr-stats-b': { type: 'string' },
      'attr-stats-limit': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  const options: ConvertOptions = {};
  if (values.name !== undefined) {
    if (!values.name.trim()) throw new UsageError('--name must not be empty');
    options.name = values.name;
  }
  if (values.domains !== undefined) {
    const parts = values.domains.split(',').map((s) => s.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`--domains expects two comma-separated names like cat,dog, got '${values.domains}'`);
    options.domains = [parts[0], parts[1]];
  }
  if (values.dtype !== undefined) {
    if (values.dtype !== 'float32' && values.dtype !== 'float16') throw new UsageError(`--dtype must be float32 or float16, got '${values.dtype}'`);
    options.dtype = values.dtype as StoredDtype;
  }
  if (values['shard-size'] !== undefined) options.maxShardBytes = parseIntArg('--shard-size', values['shard-size']);
  if (positionals.length !== 2) {
    throw new UsageError(positionals.length < 2 ? 'expected <checkpoint.pth> and <outDir>' : `unexpected extra argument '${positionals[2]}'`);
  }
  const pre: Partial<Preprocess> = {};
  if (values.resize !== undefined) pre.resize = parseIntArg('--resize', values.resize);
  if (values.crop !== undefined) pre.crop = parseIntArg('--crop', values.crop);
  const resize = pre.resize ?? 256;
  const crop = pre.crop ?? (pre.resize !== undefined && pre.resize < 216 ? pre.resize : 216);
  if (crop > resize) throw new UsageError(`--crop (${crop}) must not exceed --resize (${resize})`);
  if (pre.resize !== undefined || pre.crop !== undefined) options.preprocess = { resize, crop };
  const root = values['attr-stats'];
  const folders: StatsFolders = {};
  if (values['attr-stats-a'] !== undefined) folders.a = values['attr-stats-a'];
  if (values['attr-stats-b'] !== undefined) folders.b = values['attr-stats-b'];
  const limitArg = values['attr-stats-limit'];
  let attrStats: CliArgs['attrStats'];
  if (root !== undefined || folders.a !== undefined || folders.b !== undefined) {
    attrStats = { folders, ...(root !== undefined ? { root } : {}), ...(limitArg !== undefined ? { limit: parseIntArg('--attr-stats-limit', limitArg) } : {}) };
  } else if (limitArg !== undefined) {
    throw new UsageError('--attr-stats-limit needs --attr-stats, --attr-stats-a or --attr-stats-b');
  }
  return { checkpoint: positionals[0] as string, outDir: positionals[1] as string, options, ...(attrStats ? { attrStats } : {}) };
}

const PACK_FILE = /^(manifest\.json|weights-\d+\.bin)$/;

/** Throws UsageError if outDir exists and is something we must not replace. */
function checkReplaceable(outDir: string): boolean {
  if (!existsSync(outDir)) return false;
  const st = statSync(outDir);
  if (!st.isDirectory()) throw new UsageError(`output path '${outDir}' exists and is not a folder`);
  const entries = readdirSync(outDir);
  if (entries.length === 0) return true;
  if (entries.includes('manifest.json') && entries.every((e) => PACK_FILE.test(e))) return true;
  throw new UsageError(`output folder '${outDir}' exists and is not a model pack; refusing to overwrite it`);
}

function fmtBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

let tempDir: string | null = null;

function cleanup(): void {
  if (tempDir) {
    try {
      rmSync(tempDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
    tempDir = null;
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { checkpoint, options } = parsed;
  const outDir = resolve(parsed.outDir);
  const replace = checkReplaceable(outDir);
  // Loaded only when asked for: the statistics need tfjs, a plain conversion does not.
  const stats = parsed.attrStats ? await import('../attrstats/run') : null;
  let statsFolders: StatsFolders = {};
  if (stats && parsed.attrStats) {
    try {
      statsFolders = stats.statsFolders(parsed.attrStats.root, parsed.attrStats.folders);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }

  // a device (/dev/zero), FIFO or socket has no end, and no checkpoint is larger than the limit
  const bytes = readRegularFile(checkpoint, { what: 'checkpoint', maxBytes: MAX_CHECKPOINT_BYTES, why: 'any DRIT checkpoint needs' });
  options.name ??= basename(checkpoint).replace(/\.(pth|pkl|pt|tar)$/i, '') || 'drit';
  options.provenance = { source: basename(checkpoint) };
  const result = await convertCheckpoint(bytes, options);
  const statsLines =
    stats && parsed.attrStats
      ? await stats.addStatsToConversion(result, statsFolders, parsed.attrStats.limit !== undefined ? { limit: parsed.attrStats.limit } : {})
      : [];

  // Write to a temporary sibling folder, then move it into place.
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  tempDir = join(parent, `.${basename(outDir)}.tmp-${tag}`);
  mkdirSync(tempDir);
  for (const [name, data] of result.files) writeFileSync(join(tempDir, name), data);
  if (replace) {
    const old = join(parent, `.${basename(outDir)}.old-${tag}`);
    renameSync(outDir, old);
    try {
      renameSync(tempDir, outDir);
    } catch (e) {
      renameSync(old, outDir);
      throw e;
    }
    tempDir = null;
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tempDir, outDir);
    tempDir = null;
  }

  const { report, manifest } = result;
  const v = report.variant;
  const lines = [
    `Converted ${checkpoint} (${report.sourceFormat} format, sha256 ${report.sourceSha256.slice(0, 16)}…) -> ${parsed.outDir}`,
    `  variant   concat=${v.concat}, ${v.layerNorm} LayerNorm, ${v.padding} padding${v.encAActivation === 'leakyrelu' ? ', LeakyReLU E_attr' : ''}`,
    `  widths    ${Object.entries(report.widths).map(([k, n]) => `${k}=${n}`).join(' ')}`,
    `  nz        ${report.nz}; image channels A=${report.channels.a} (${manifest.domains.a}), B=${report.channels.b} (${manifest.domains.b})`,
    `  weights   ${report.weightCount} tensors, ${report.parameterCount.toLocaleString('en-US')} parameters, dtype ${manifest.dtype}`,
    `  shards    ${manifest.shards.length}: ${manifest.shards.map((s) => `${s.path} ${fmtBytes(s.byteLength)}`).join(', ')}`,
  ];
  if (manifest.provenance?.epoch !== undefined) lines.push(`  training  epoch ${manifest.provenance.epoch}, ${manifest.provenance.totalIterations ?? '?'} iterations`);
  if (report.ignoredEntries.length) lines.push(`  ignored   ${report.ignoredEntries.join(', ')}`);
  if (report.unexpectedKeys.length) lines.push(`  unused    ${report.unexpectedKeys.join(', ')}`);
  lines.push(...statsLines);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

await runCli('convert', () => main(process.argv.slice(2)), cleanup);
