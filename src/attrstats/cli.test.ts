/**
 * `npm run attr-stats` (adds statistics to an existing pack) and `npm run convert -- --attr-stats`:
 * both paths give the same statistics, the weights are untouched, errors are clear. The numbers
 * themselves are checked against PyTorch + numpy in training/tests/test_attr_stats.py.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackManifest } from '../pack/manifest';
import { folderSource } from '../pack/folder-source';
import { readPack } from '../pack/read';
import { REPO } from '../testing/fixtures';
import { writeSyntheticDataset } from './testing';

const TSX = join(REPO, 'node_modules/.bin/tsx');
const FIXTURE = join(REPO, 'fixtures/c0/checkpoint_legacy.pth');

function run(cli: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [join(REPO, 'src/cli', cli), ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const manifestOf = (dir: string): PackManifest & Record<string, unknown> => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as PackManifest & Record<string, unknown>;

describe.skipIf(!existsSync(FIXTURE))('attribute statistics CLIs', () => {
  let dir = '';
  let data = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drit-attr-'));
    data = join(dir, 'data');
    writeSyntheticDataset(data, { a: 10, b: 9 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds statistics to an existing pack, rewriting only its manifest, as convert --attr-stats does', async () => {
    const plain = join(dir, 'plain');
    expect(run('convert.ts', [FIXTURE, plain, '--resize', '40', '--crop', '32']).status).toBe(0);
    const original = manifestOf(plain);
    expect(original.attributeStats).toBeUndefined();
    const shard = readFileSync(join(plain, 'weights-0.bin'));

    const r = run('attr-stats.ts', [plain, data]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/weights unchanged/);
    expect(r.stdout).toMatch(/skipped 1 unreadable: .*broken\.png/);
    expect(r.stderr).toMatch(/encoding B photos .* 10\/10/);
    const after = manifestOf(plain);
    const { attributeStats, ...rest } = after;
    expect(rest).toEqual(original);
    expect(attributeStats?.a?.count).toBe(10);
    expect(attributeStats?.b?.count).toBe(9);
    expect(readFileSync(join(plain, 'weights-0.bin')).equals(shard)).toBe(true);
    const loaded = await readPack(folderSource(plain)); // sha256s still match, the field validates
    expect(loaded.manifest.attributeStats).toEqual(attributeStats);

    const converted = join(dir, 'converted');
    const c = run('convert.ts', [FIXTURE, converted, '--resize', '40', '--crop', '32', '--attr-stats', data]);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/attr b .*E_a codes of 9 of 10 photos/);
    expect(manifestOf(converted).attributeStats).toEqual(attributeStats);
  });

  it('limits the photos, updates one domain and keeps the other, and refuses bad input clearly', () => {
    const pack = join(dir, 'limited');
    expect(run('convert.ts', [FIXTURE, pack, '--resize', '40', '--crop', '32', '--attr-stats', data, '--attr-stats-limit', '4']).status).toBe(0);
    const before = manifestOf(pack).attributeStats!;
    expect(before.a?.count).toBe(4);
    expect(before.a?.components.length).toBeLessThanOrEqual(3);

    const r = run('attr-stats.ts', [pack, '--b', join(data, 'trainA'), '--limit', '6']);
    expect(r.status, r.stderr).toBe(0);
    const after = manifestOf(pack).attributeStats!;
    expect(after.a).toEqual(before.a);
    expect(after.b?.count).toBe(6);

    const copy = join(dir, 'copy');
    cpSync(pack, copy, { recursive: true });
    const untouched = readFileSync(join(copy, 'manifest.json'));
    const bad = run('attr-stats.ts', [copy, join(dir, 'nowhere')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^attr-stats: error: --attr-stats .*nowhere: no such folder/);
    const empty = run('attr-stats.ts', [copy, join(data, 'trainA')]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/expected a DRIT dataset root with trainA\/ and\/or trainB\/ folders/);
    expect(run('attr-stats.ts', [copy, data, '--limit', '1']).stderr).toMatch(/--limit must be an integer >= 2/);
    expect(readFileSync(join(copy, 'manifest.json')).equals(untouched)).toBe(true);
    const noFolder = run('convert.ts', [FIXTURE, join(dir, 'never'), '--attr-stats-b', join(dir, 'nowhere')]);
    expect(noFolder.status).toBe(2);
    expect(noFolder.stderr).toMatch(/^convert: error: the domain b photo folder .*nowhere does not exist/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('skips and lists photo entries that are not regular files (a FIFO, a link to /dev/zero) without waiting on them', () => {
    const pack = join(dir, 'special-pack');
    expect(run('convert.ts', [FIXTURE, pack, '--resize', '40', '--crop', '32']).status).toBe(0);
    const photos = join(dir, 'special');
    mkdirSync(photos);
    for (const f of ['0.png', '1.png', '2.png']) cpSync(join(data, 'trainA', f), join(photos, f));
    spawnSync('mkfifo', [join(photos, 'f.png')]);
    symlinkSync('/dev/zero', join(photos, 'z.png'));
    const r = run('attr-stats.ts', [pack, '--a', photos, '--backend', 'cpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/E_a codes of 3 of 5 photos .*skipped 2 unreadable: .*f\.png \(cannot read image .*: not a regular file \(a FIFO\)\); .*z\.png \(.*not a regular file \(a character device\)\)/);
  });
});
