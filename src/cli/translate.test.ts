/**
 * End-to-end CLI checks: convert a fixture checkpoint with `npm run convert`, translate the
 * fixture image with `npm run translate`, and compare with the PNGs PyTorch wrote through the
 * official pre/post-processing (fixtures/generate.py). Bad input gives exit code 2 and a
 * specific message.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFromPhotos, sampleNormal } from '../drit/random';
import { readResultMeta, withResultMeta } from '../image/png-meta';
import { decodeImageFile } from '../image/node-io';
import { craftPng, makeTempDir } from '../image/test-utils';
import type { RgbImage } from '../image/types';
import { FIXTURES, REPO } from '../testing/fixtures';

const tmp = makeTempDir('translate');
const pack = tmp.path('c0');
const tfix = (f: string) => join(FIXTURES, 'translate', f);
const spec = JSON.parse(readFileSync(tfix('translate.json'), 'utf8')) as { z: number[]; model: string };

function cli(tool: 'convert' | 'translate', args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli', `${tool}.ts`), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readPng(path: string): RgbImage {
  return decodeImageFile(new Uint8Array(readFileSync(path)));
}

/** Output vs PyTorch: uint8 truncation may flip a value by one where the float lands on an integer. */
function expectSameImage(path: string, refPath: string): void {
  const out = readPng(path);
  const ref = readPng(refPath);
  expect([out.width, out.height]).toEqual([ref.width, ref.height]);
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const d = Math.abs(out.data[i]! - ref.data[i]!);
    maxDiff = Math.max(maxDiff, d);
    if (d) differing++;
  }
  expect(maxDiff).toBeLessThanOrEqual(1);
  expect(differing / ref.data.length).toBeLessThan(1e-3);
}

const translate = (extra: string[]) =>
  cli('translate', ['--model', pack, '--input', tfix('input.png'), '--direction', 'a2b', ...extra]);

beforeAll(() => {
  const r = cli('convert', [join(FIXTURES, spec.model, 'checkpoint_legacy.pth'), pack, '--name', 'c0', '--domains', 'cat,dog']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

afterAll(() => tmp.cleanup());

describe('translate reproduces PyTorch images', () => {
  it('explicit z (cpu)', () => {
    const out = tmp.path('z.png');
    const r = translate(['--out', out, '--z', spec.z.join(',')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectSameImage(out, tfix('out_z.png'));
  });

  it('reference-guided attribute (wasm)', () => {
    const out = tmp.path('ref.png');
    const r = translate(['--out', out, '--reference', tfix('reference.png'), '--backend', 'wasm']);
    expect(r.status).toBe(0);
    expectSameImage(out, tfix('out_ref.png'));
  });

  it('explicit z with tfjs stock kernels (--kernels stock)', () => {
    const out = tmp.path('z-stock.png');
    const r = translate(['--out', out, '--z', spec.z.join(','), '--kernels', 'stock']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectSameImage(out, tfix('out_z.png'));
    const bad = translate(['--out', out, '--kernels', 'fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--kernels must be auto or stock, got 'fast'/);
  });

  it('explicit z on webgpu (Node + Dawn)', () => {
    const out = tmp.path('z-webgpu.png');
    const r = translate(['--out', out, '--z', spec.z.join(','), '--backend', 'webgpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/backend webgpu/);
    expectSameImage(out, tfix('out_z.png'));
  });

  it('--seed/--samples writes K distinct images, the same for the same seed', () => {
    const out = tmp.path('s.png');
    expect(translate(['--out', out, '--seed', '5', '--samples', '3']).status).toBe(0);
    const imgs = [0, 1, 2].map((i) => readPng(tmp.path(`s-${i}.png`)).data);
    expect(Buffer.compare(Buffer.from(imgs[0]!), Buffer.from(imgs[1]!))).not.toBe(0);
    expect(Buffer.compare(Buffer.from(imgs[1]!), Buffer.from(imgs[2]!))).not.toBe(0);
    const again = tmp.path('again.png');
    expect(translate(['--out', again, '--seed', '5', '--samples', '1']).status).toBe(0);
    expect(Buffer.from(readPng(tmp.path('again-0.png')).data).equals(Buffer.from(imgs[0]!))).toBe(true);
  });

  it('every PNG remembers how it was made, and --from-png re-creates it', () => {
    const out = tmp.path('remember.png');
    expect(translate(['--out', out, '--seed', '9', '--direction', 'b2a']).status).toBe(0);
    const made = new Uint8Array(readFileSync(tmp.path('remember-0.png')));
    const read = readResultMeta(made);
    expect(read).toMatchObject({ status: 'ok', meta: { model: 'c0', direction: 'b2a', seed: 9 } });
    const z = (read as { meta: { z: number[] } }).meta.z;
    expect(z).toEqual(Array.from(sampleNormal(9, 1, 8)).map((v) => Math.fround(v)));
    const again = tmp.path('again-from.png');
    const r = cli('translate', ['--model', pack, '--input', tfix('input.png'), '--out', again, '--from-png', tmp.path('remember-0.png')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Buffer.from(readPng(again).data).equals(Buffer.from(readPng(tmp.path('remember-0.png')).data))).toBe(true);
    // another model's result, a contradicting --direction, a tampered chunk, a PNG without one: refused
    const other = tmp.path('other-model.png');
    writeFileSync(other, withResultMeta(made, { model: 'horse2zebra', direction: 'a2b', z: [0, 0, 0, 0, 0, 0, 0, 0] }));
    const r1 = cli('translate', ['--model', pack, '--input', tfix('input.png'), '--out', tmp.path('x.png'), '--from-png', other]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/made with the model 'horse2zebra', this pack is 'c0'/);
    expect(translate(['--out', tmp.path('x.png'), '--from-png', tmp.path('remember-0.png')]).stderr).toMatch(/made b2a; --direction a2b contradicts it/);
    const tampered = made.slice();
    tampered[tampered.length - 20]! ^= 0xff; // inside the drit-result chunk, just before IEND
    writeFileSync(tmp.path('tampered.png'), tampered);
    const r2 = cli('translate', ['--model', pack, '--input', tfix('input.png'), '--out', tmp.path('x.png'), '--from-png', tmp.path('tampered.png')]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/drit-result chunk is ignored: its checksum does not match/);
    const r3 = cli('translate', ['--model', pack, '--input', tfix('input.png'), '--out', tmp.path('x.png'), '--from-png', tfix('input.png')]);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/carries no drit-result chunk/);
  });

  it('--z-source photos draws z from the pack statistics of the target domain (the same z as --z)', () => {
    // a copy of the pack whose manifest carries dog statistics (the shards and their hashes unchanged)
    const withStats = tmp.path('c0-stats');
    mkdirSync(withStats);
    for (const f of readdirSync(pack)) writeFileSync(join(withStats, f), readFileSync(join(pack, f)));
    const manifest = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const r = Math.SQRT1_2;
    const b = { count: 10, mean: [0.5, -0.25, 0, 0, 0, 0, 0, 0.75], components: [[r, 0, r, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0]], std: [0.8, 0.3], varianceShare: [0.8, 0.1] };
    writeFileSync(join(withStats, 'manifest.json'), JSON.stringify({ ...manifest, attributeStats: { b } }));
    const photos = tmp.path('photos.png');
    const run = (extra: string[]) => cli('translate', ['--model', withStats, '--input', tfix('input.png'), '--direction', 'a2b', ...extra]);
    expect(run(['--out', photos, '--seed', '5', '--z-source', 'photos']).status).toBe(0);
    const z = Array.from(sampleFromPhotos(5, 1, 8, b)).map((v) => String(v));
    const explicit = tmp.path('explicit.png');
    expect(run(['--out', explicit, '--z', z.join(',')]).status).toBe(0);
    // --seed writes <out>-0.png (one sample), --z writes <out>
    expect(Buffer.from(readPng(tmp.path('photos-0.png')).data).equals(Buffer.from(readPng(explicit).data))).toBe(true);
    const normal = tmp.path('normal.png');
    expect(run(['--out', normal, '--seed', '5']).status).toBe(0);
    expect(Buffer.from(readPng(tmp.path('photos-0.png')).data).equals(Buffer.from(readPng(tmp.path('normal-0.png')).data))).toBe(false);
    // b2a needs cat statistics, which this pack lacks: a clear refusal
    const refused = cli('translate', ['--model', withStats, '--input', tfix('input.png'), '--direction', 'b2a', '--out', tmp.path('y.png'), '--seed', '5', '--z-source', 'photos']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/no attribute statistics for its a photos/);
  });
});

describe('translate a folder (batch)', () => {
  it('loads the model once, writes one PNG per input and sample, skips unreadable files with a report', () => {
    const dir = tmp.path('batch-in');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.png'), readFileSync(tfix('input.png')));
    writeFileSync(join(dir, 'b.png'), readFileSync(tfix('reference.png')));
    writeFileSync(join(dir, 'broken.jpg'), 'not a jpeg');
    writeFileSync(join(dir, 'notes.txt'), 'ignored: not an image name');
    const out = tmp.path('batch-out');
    const r = cli('translate', ['--model', pack, '--input', dir, '--out', out, '--z', spec.z.join(',')]);
    expect(r.status, r.stderr).toBe(1); // partial: one input skipped
    expect(r.stdout).toMatch(/\[1\/3\] .*a\.png -> .*a\.png/);
    expect(r.stdout).toMatch(/2 image\(s\) from 2 input\(s\)/);
    expect(r.stderr).toMatch(/skipped 1 unreadable input\(s\): .*broken\.jpg \(not a PNG or JPEG/);
    expect(readdirSync(out).sort()).toEqual(['a.png', 'b.png']);
    // the same result as translating the file alone (the PyTorch reference for this z)
    expectSameImage(join(out, 'a.png'), tfix('out_z.png'));
    // several --input files and samples: <stem>-<i>.png; all unreadable -> exit 2
    const out2 = tmp.path('batch-out2');
    const r2 = cli('translate', ['--model', pack, '--input', join(dir, 'a.png'), '--input', join(dir, 'b.png'), '--out', out2, '--seed', '3', '--samples', '2']);
    expect(r2.status, r2.stderr).toBe(0);
    expect(readdirSync(out2).sort()).toEqual(['a-0.png', 'a-1.png', 'b-0.png', 'b-1.png']);
    const r3 = cli('translate', ['--model', pack, '--input', join(dir, 'broken.jpg'), '--input', tmp.path('missing.png'), '--out', tmp.path('o3')]);
    expect(r3.status).toBe(2);
    // two inputs that would write the same file are refused before any work
    mkdirSync(tmp.path('other'));
    writeFileSync(tmp.path('other/a.png'), readFileSync(tfix('input.png')));
    const r4 = cli('translate', ['--model', pack, '--input', join(dir, 'a.png'), '--input', tmp.path('other/a.png'), '--out', tmp.path('o4')]);
    expect(r4.status).toBe(2);
    expect(r4.stderr).toMatch(/would both write .*a\.png/);
  });
});

describe('translate rejects bad input with exit code 2', () => {
  const bad = (name: string, bytes: Uint8Array | string): string => {
    const p = tmp.path(name);
    writeFileSync(p, bytes);
    return p;
  };

  it.each([
    ['a text file', () => bad('notes.png', 'hello, not an image'), /not a PNG or JPEG/],
    ['a zero-byte file', () => bad('empty.jpg', new Uint8Array(0)), /empty/i],
    ['a truncated PNG', () => bad('cut.png', readFileSync(tfix('input.png')).subarray(0, 300)), /truncated|corrupt|invalid|unexpected/i],
    [
      'a 20000x20000 PNG',
      () => bad('huge.png', craftPng({ width: 20000, height: 20000, bitDepth: 1, colorType: 0, rows: new Uint8Array(2500 * 20000) })),
      /20000x20000/,
    ],
  ])('%s', (_label, make, message) => {
    const input = make();
    const out = tmp.path('never.png');
    const r = cli('translate', ['--model', pack, '--input', input, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing model pack', () => {
    const r = cli('translate', ['--model', tmp.path('nope'), '--input', tfix('input.png'), '--out', tmp.path('x.png')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/manifest\.json/);
  });

  it('an --out that is the input or the reference image', () => {
    const photo = tmp.path('photo.png');
    writeFileSync(photo, readFileSync(tfix('input.png')));
    const before = readFileSync(photo);
    const r1 = cli('translate', ['--model', pack, '--input', photo, '--out', photo]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/is also an input image: refusing to overwrite it/);
    // --samples 2 writes shot-0.png and shot-1.png: the second is the input, named through '..'
    const shot = tmp.path('shot-1.png');
    writeFileSync(shot, before);
    const dir = tmp.path('.');
    const out = join(dir, '..', basename(dir), 'shot.png');
    const r2 = cli('translate', ['--model', pack, '--input', shot, '--out', out, '--seed', '1', '--samples', '2']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/shot-1\.png is also an input image/);
    expect(existsSync(tmp.path('shot-0.png'))).toBe(false);
    expect(readFileSync(photo).equals(before)).toBe(true);
    expect(readFileSync(shot).equals(before)).toBe(true);
  });

  it('a z of the wrong length and a bad direction', () => {
    const r1 = translate(['--out', tmp.path('x.png'), '--z', '1,2,3']);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/--z needs 8 values/);
    const r2 = translate(['--out', tmp.path('x.png'), '--direction', 'sideways']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/--direction must be a2b or b2a/);
    const r3 = translate(['--out', tmp.path('x.png'), '--seed', '1', '--z-source', 'uniform']);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/--z-source must be normal or photos/);
  });
});

describe('translate refuses what is not a regular file, without reading it', () => {
  /**
   * Bounded on purpose: a reader without the rule fills memory from /dev/zero (ulimit -d 1.5 GB
   * turns that into a failed allocation) or waits forever on a FIFO without a writer (killed).
   */
  const bounded = (args: string[]) => {
    const r = spawnSync('bash', ['-c', 'ulimit -d 1500000 && exec "$0" "$@"', process.execPath, '--import', 'tsx', join(REPO, 'src/cli/translate.ts'), '--model', pack, ...args], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
  };
  const fifo = (name: string): string => {
    const p = tmp.path(name);
    execFileSync('mkfifo', [p]);
    return p;
  };

  it.each([
    ['/dev/zero as --input', () => ['--input', '/dev/zero'], /cannot read image '\/dev\/zero': not a regular file \(a character device\) \[NOT_A_FILE\]/],
    ['a FIFO without a writer as --input', () => ['--input', fifo('pipe-in.png')], /cannot read image '.*pipe-in\.png': not a regular file \(a FIFO\)/],
    ['/dev/zero as --reference', () => ['--input', tfix('input.png'), '--reference', '/dev/zero'], /cannot read image '\/dev\/zero': not a regular file \(a character device\)/],
    ['a folder as --reference', () => ['--input', tfix('input.png'), '--reference', FIXTURES], /not a regular file \(a folder\)/],
  ])('%s: exit 2 with one line', (_label, args, message) => {
    const out = tmp.path('special.png');
    const r = bounded([...args(), '--out', out]);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a folder input skips and reports its FIFO, device link and sub-folder entries', () => {
    const dir = tmp.path('special-in');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.png'), readFileSync(tfix('input.png')));
    execFileSync('mkfifo', [join(dir, 'b.png')]);
    symlinkSync('/dev/zero', join(dir, 'c.png'));
    mkdirSync(join(dir, 'd.png'));
    const out = tmp.path('special-out');
    const r = bounded(['--input', dir, '--out', out, '--z', spec.z.join(',')]);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/skipped 3 unreadable input\(s\): .*b\.png \(.*a FIFO\).*c\.png \(.*a character device\).*d\.png \(.*a folder\)/);
    expect(readdirSync(out)).toEqual(['a.png']);
  });
});
