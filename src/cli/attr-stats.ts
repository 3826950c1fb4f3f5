/**
 * npm run attr-stats -- <packDir> [<datasetRoot>] [--a <folder>] [--b <folder>] [--limit N] [--backend cpu|wasm]
 *
 * Adds (or replaces) the optional `attributeStats` of an existing model pack: each domain's photos
 * are encoded with the pack's own E_a and summarised by a PCA (principal-direction sliders in the
 * app). Only manifest.json is rewritten (atomically, through a temporary file); the weight shards
 * and their SHA-256 are untouched. The same step runs inside `npm run convert -- ... --attr-stats`.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openModel } from '../lib/loader';
import { computeAttributeStats, statsFolders } from '../attrstats/run';
import { folderSource } from '../pack/folder-source';
import type { PackManifest } from '../pack/manifest';
import { readPack, validateManifest } from '../pack/read';
import { MANIFEST_FILE, serializeManifest } from '../pack/write';
import { initNodeBackend, type NodeBackend } from '../node/backend';
import { UsageError, runCli } from './run';

const USAGE = `usage: npm run attr-stats -- <packDir> [<datasetRoot>] [--a <folder>] [--b <folder>] [--limit N] [--backend cpu|wasm]
  <datasetRoot>  a DRIT dataset root: trainA/ holds domain a photos, trainB/ domain b photos
  --a, --b       a folder of photos of that domain (instead of, or on top of, the root's)
  --limit N      encode at most N photos per domain (the first in name order; default all)
  --backend      tfjs backend for E_a (default wasm)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      limit: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [packDir, root, extra] = positionals;
  if (!packDir || extra !== undefined) throw new UsageError(packDir ? `unexpected extra argument '${extra}'` : 'expected <packDir>');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 2)) throw new UsageError(`--limit must be an integer >= 2, got '${values.limit}'`);
  const backend = values.backend;
  if (backend !== 'cpu' && backend !== 'wasm') throw new UsageError(`--backend must be cpu or wasm, got '${backend}'`);
  let folders;
  try {
    folders = statsFolders(root, { ...(values.a !== undefined ? { a: values.a } : {}), ...(values.b !== undefined ? { b: values.b } : {}) });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!folders.a && !folders.b) throw new UsageError('give a dataset root or --a / --b folders of photos');

  await initNodeBackend(backend as NodeBackend);
  const pack = await readPack(folderSource(packDir));
  const { manifest } = pack;
  const { model } = await openModel(pack, { warmUp: false }); // the one loader (src/lib/loader.ts)
  let run;
  try {
    run = await computeAttributeStats(model, folders, { ...(limit !== undefined ? { limit } : {}), tool: 'attr-stats' });
  } finally {
    model.dispose();
  }
  // The manifest as written (its key order and any fields this reader does not know are kept);
  // domains not computed now keep the statistics the pack had.
  const target = join(packDir, MANIFEST_FILE);
  const raw = JSON.parse(new TextDecoder().decode(await folderSource(packDir).readFile(MANIFEST_FILE))) as PackManifest;
  const updated: PackManifest = { ...raw, attributeStats: { ...manifest.attributeStats, ...run.stats } };
  const bytes = serializeManifest(updated);
  validateManifest(JSON.parse(new TextDecoder().decode(bytes)));
  const temp = join(packDir, `.${MANIFEST_FILE}.tmp-${process.pid}`);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, target);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  console.log([`Added attribute statistics to ${target} (weights unchanged)`, ...run.lines].join('\n'));
  return 0;
}

await runCli('attr-stats', () => main(process.argv.slice(2)));
