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
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointError, convertCheckpoint, type ConvertOptions } from '../convert/index';
import { MAX_CHECKPOINT_BYTES } from '../convert/pth';
import { PackError } from '../pack/errors';
import type { Preprocess, StoredDtype } from '../pack/manifest';
import type { StatsFolders } from '../attrstats/run';

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

class UsageError extends Error {}

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

function parseArgs(argv: string[]): CliArgs | 'help' {
  const positional: string[] = [];
  const options: ConvertOptions = {};
  const pre: Partial<Preprocess> = {};
  let attrStats: CliArgs['attrStats'];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const known = ['--name', '--domains', '--dtype', '--resize', '--crop', '--shard-size', '--attr-stats', '--attr-stats-a', '--attr-stats-b', '--attr-stats-limit'];
    if (!known.includes(arg)) throw new UsageError(`unknown option '${arg}'`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
    }
    switch (arg) {
      case '--name':
        if (!value.trim()) throw new UsageError('--name must not be empty');
        options.name = value;
        break;
      case '--domains': {
        const parts = value.split(',').map((s) => s.trim());
        if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`--domains expects two comma-separated names like cat,dog, got '${value}'`);
        options.domains = [parts[0], parts[1]];
        break;
      }
      case '--dtype':
        if (value !== 'float32' && value !== 'float16') throw new UsageError(`--dtype must be float32 or float16, got '${value}'`);
        options.dtype = value as StoredDtype;
        break;
      case '--resize':
        pre.resize = parseIntArg(arg, value);
        break;
      case '--crop':
        pre.crop = parseIntArg(arg, value);
        break;
      case '--shard-size':
        options.maxShardBytes = parseIntArg(arg, value);
        break;
      case '--attr-stats':
        attrStats = { ...attrStats, folders: attrStats?.folders ?? {}, root: value };
        break;
      case '--attr-stats-a':
      case '--attr-stats-b':
        attrStats = { ...attrStats, folders: { ...attrStats?.folders, [arg === '--attr-stats-a' ? 'a' : 'b']: value } };
        break;
      case '--attr-stats-limit':
        attrStats = { ...attrStats, folders: attrStats?.folders ?? {}, limit: parseIntArg(arg, value) };
        break;
    }
  }
  if (positional.length !== 2) {
    throw new UsageError(positional.length < 2 ? 'expected <checkpoint.pth> and <outDir>' : `unexpected extra argument '${positional[2]}'`);
  }
  const resize = pre.resize ?? 256;
  const crop = pre.crop ?? (pre.resize !== undefined && pre.resize < 216 ? pre.resize : 216);
  if (crop > resize) throw new UsageError(`--crop (${crop}) must not exceed --resize (${resize})`);
  if (pre.resize !== undefined || pre.crop !== undefined) options.preprocess = { resize, crop };
  if (attrStats && attrStats.root === undefined && !attrStats.folders.a && !attrStats.folders.b) {
    throw new UsageError('--attr-stats-limit needs --attr-stats, --attr-stats-a or --attr-stats-b');
  }
  return { checkpoint: positional[0] as string, outDir: positional[1] as string, options, ...(attrStats ? { attrStats } : {}) };
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
  const parsed = parseArgs(argv);
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

  let bytes: Uint8Array;
  try {
    // a device (/dev/zero), FIFO or socket has no end, and no checkpoint is larger than the limit
    const st = statSync(checkpoint);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (!st.isFile()) throw new UsageError(`cannot read checkpoint '${checkpoint}': not a regular file`);
    if (st.size > MAX_CHECKPOINT_BYTES) {
      throw new UsageError(`cannot read checkpoint '${checkpoint}': ${st.size} bytes, more than the ${MAX_CHECKPOINT_BYTES} any DRIT checkpoint needs`);
    }
    const buf = readFileSync(checkpoint);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read checkpoint '${checkpoint}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : e instanceof Error ? e.message : String(e)}`);
  }
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
    `  variant   concat=${v.concat}, ${v.layerNorm} LayerNorm, ${v.padding} padding`,
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

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    cleanup();
    let code = 1;
    let msg: string;
    if (e instanceof UsageError) {
      code = 2;
      msg = `${e.message} (see --help)`;
    } else if (e instanceof CheckpointError) {
      code = 2;
      msg = `${e.message} [${e.code}]`;
    } else if (e instanceof PackError) {
      code = e.code === 'BAD_INPUT' ? 2 : 1;
      msg = `${e.message} [${e.code}]`;
    } else if (e instanceof Error) {
      msg = (e as NodeJS.ErrnoException).code ? `${e.message}` : `unexpected error: ${e.message}`;
    } else {
      msg = `unexpected error: ${String(e)}`;
    }
    process.stderr.write(`convert: error: ${oneLine(msg)}\n`);
    process.exitCode = code;
  },
);
