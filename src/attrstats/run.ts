/**
 * Node only: the attribute statistics step shared by `npm run convert -- ... --attr-stats <root>`
 * and `npm run attr-stats -- <packDir> <root>`: which folders hold which domain, progress on
 * stderr, one report line per domain.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDritModel, type DritModel } from '../drit/model';
import { initNodeBackend } from '../node/backend';
import type { AttributeStats, Domain, PackManifest } from '../pack/manifest';
import { readPack } from '../pack/read';
import { MANIFEST_FILE, serializeManifest } from '../pack/write';
import { collectCodes, statsOf } from './collect';

export type StatsFolders = Partial<Record<Domain, string>>;

/**
 * The folders of each domain: a DRIT dataset root contributes `<root>/trainA` (domain a) and
 * `<root>/trainB` (domain b) where they exist; explicit per-domain folders win.
 */
export function statsFolders(root: string | undefined, perDomain: StatsFolders): StatsFolders {
  const out: StatsFolders = {};
  if (root !== undefined) {
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`--attr-stats ${root}: no such folder`);
    for (const [d, sub] of [['a', 'trainA'], ['b', 'trainB']] as const) {
      const f = join(root, sub);
      if (existsSync(f) && statSync(f).isDirectory()) out[d] = f;
    }
    if (!out.a && !out.b) throw new Error(`--attr-stats ${root}: expected a DRIT dataset root with trainA/ and/or trainB/ folders`);
  }
  for (const d of ['a', 'b'] as const) {
    const f = perDomain[d];
    if (f === undefined) continue;
    if (!existsSync(f) || !statSync(f).isDirectory()) throw new Error(`the domain ${d} photo folder ${f} does not exist or is not a folder`);
    out[d] = f;
  }
  return out;
}

export interface StatsRun {
  stats: Partial<Record<Domain, AttributeStats>>;
  /** Human-readable report, one or two lines per domain. */
  lines: string[];
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** Encodes each domain's folder with E_a and returns the PCA per domain, with progress on stderr. */
export async function computeAttributeStats(model: DritModel, folders: StatsFolders, opts: { limit?: number; tool: string }): Promise<StatsRun> {
  const stats: Partial<Record<Domain, AttributeStats>> = {};
  const lines: string[] = [];
  const tty = process.stderr.isTTY;
  for (const d of ['a', 'b'] as const) {
    const folder = folders[d];
    if (folder === undefined) continue;
    const name = model.manifest.domains[d];
    let lastTenth = -1;
    const codes = await collectCodes(model, folder, d, {
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      onProgress: ({ done, total }) => {
        const msg = `${opts.tool}: encoding ${name} photos (${folder}) ${done}/${total}`;
        if (tty) process.stderr.write(`\r${msg}${done === total ? '\n' : ''}`);
        else if (Math.floor((10 * done) / total) > lastTenth || done === total) {
          lastTenth = Math.floor((10 * done) / total);
          process.stderr.write(`${msg}\n`);
        }
      },
    });
    const s = statsOf(codes);
    stats[d] = s;
    const skipped = codes.skipped.length ? `; skipped ${codes.skipped.length} unreadable: ${codes.skipped.map((x) => `${x.file} (${x.reason})`).join('; ')}` : '';
    const few = s.count <= model.manifest.nz ? ` (only ${s.count} photos for ${model.manifest.nz} dimensions: ${s.components.length} directions)` : '';
    lines.push(
      `  attr ${d}    ${name}: E_a codes of ${s.count} of ${codes.files} photos in ${folder}${skipped}${few}`,
      `             variance shares ${s.varianceShare.map(pct).join(', ')}; std ${s.std.map((x) => x.toFixed(3)).join(', ')}`,
    );
  }
  return { stats, lines };
}

/**
 * `npm run convert -- ... --attr-stats`: adds the statistics to a conversion result still in
 * memory (its manifest.json is re-serialised; the shards are not touched).
 */
export async function addStatsToConversion(
  result: { manifest: PackManifest; files: Map<string, Uint8Array> },
  folders: StatsFolders,
  opts: { limit?: number },
): Promise<string[]> {
  await initNodeBackend('wasm');
  const { weights } = await readPack({
    readFile: async (path) => {
      const f = result.files.get(path);
      if (!f) throw new Error(`${path} missing`);
      return f;
    },
  });
  const model = createDritModel(result.manifest, weights);
  try {
    const run = await computeAttributeStats(model, folders, { ...opts, tool: 'convert' });
    result.manifest.attributeStats = run.stats;
    result.files.set(MANIFEST_FILE, serializeManifest(result.manifest));
    return run.lines;
  } finally {
    model.dispose();
  }
}
