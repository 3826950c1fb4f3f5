/**
 * Global-setup step for e2e/directions.spec.ts: the tiny concat = 0 test model converted with
 * `--attr-stats` over a small synthetic dataset (procedural PNGs, never real photos), served as
 * the 'tiny-stats' pack.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticDataset } from '../src/attrstats/testing';
import { PACKS, ROOT } from './assets';

export const STATS_PACK = { id: 'tiny-stats', name: 'Tiny test model with principal directions', path: 'e2e-packs/tiny-stats/' };

export function writeStatsPack(): void {
  const data = join(PACKS, 'attr-data');
  const out = join(PACKS, STATS_PACK.id);
  rmSync(data, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  writeSyntheticDataset(data, { a: 12, b: 12 });
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'src/cli/convert.ts',
      join(ROOT, 'fixtures/c0/checkpoint_legacy.pth'),
      out,
      '--name',
      STATS_PACK.id,
      '--domains',
      'cat,dog',
      '--resize',
      '72',
      '--crop',
      '64',
      '--attr-stats',
      data,
    ],
    // progress lines stay quiet; a failure's message carries the converter's stderr
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
}
