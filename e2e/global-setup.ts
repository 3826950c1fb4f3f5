/**
 * Playwright global setup: builds the small test model packs from the committed fixture
 * checkpoints (so every translation takes well under a second even on SwiftShader) and the test
 * input files. Packs live in e2e/.packs (git-ignored) and are served only by `vite --mode e2e`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKS, ROOT, writeAssets } from './assets';
import { STATS_PACK, writeStatsPack } from './directions-setup';

function convert(checkpoint: string, id: string): void {
  const out = join(PACKS, id);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/convert.ts', checkpoint, out, '--name', id, '--domains', 'cat,dog', '--resize', '72', '--crop', '64'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

export default async function globalSetup(): Promise<void> {
  const c0 = join(ROOT, 'fixtures/c0/checkpoint_legacy.pth');
  const c1 = join(ROOT, 'fixtures/c1/checkpoint_zip.pth');
  if (!existsSync(c0) || !existsSync(c1)) {
    execFileSync('npm', ['run', 'fixtures'], { cwd: ROOT, stdio: 'inherit' });
  }
  mkdirSync(PACKS, { recursive: true });
  convert(c0, 'tiny');
  convert(c1, 'tiny-c1');
  writeStatsPack();

  // Same pack with one flipped byte in its shard: must fail the sha256 check.
  const corrupt = join(PACKS, 'tiny-corrupt');
  rmSync(corrupt, { recursive: true, force: true });
  mkdirSync(corrupt);
  copyFileSync(join(PACKS, 'tiny/manifest.json'), join(corrupt, 'manifest.json'));
  const shard = readFileSync(join(PACKS, 'tiny/weights-0.bin'));
  shard[1000] = shard[1000]! ^ 0x40;
  writeFileSync(join(corrupt, 'weights-0.bin'), shard);

  writeFileSync(
    join(PACKS, 'index.json'),
    JSON.stringify({
      models: [
        { id: 'tiny', name: 'Tiny test model (concat 0)', path: 'e2e-packs/tiny/' },
        { id: 'tiny-c1', name: 'Tiny test model (concat 1)', path: 'e2e-packs/tiny-c1/' },
        { id: 'tiny-corrupt', name: 'Tiny model, corrupt shard', path: 'e2e-packs/tiny-corrupt/' },
        { id: 'missing', name: 'Missing model', path: 'e2e-packs/missing/' },
        STATS_PACK,
      ],
    }),
  );
  await writeAssets();
}
