/** The converter CLI (src/cli/convert.ts): exit codes, messages, no half-written packs. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPack } from '../pack/read';
import { REPO, hasTorch, runPy } from './testing/helpers';

const TSX = join(REPO, 'node_modules/.bin/tsx');
const CLI = join(REPO, 'src/cli/convert.ts');
const FIXTURE = join(REPO, 'fixtures/c0/checkpoint_zip.pth');
const LEAKY = join(REPO, 'fixtures/c0_leaky/checkpoint_zip.pth');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('convert CLI', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drit-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const expectBadInput = (r: ReturnType<typeof run>, pattern: RegExp): void => {
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length, r.stderr).toBe(1);
    expect(lines[0]).toMatch(/^convert: error: /);
    expect(lines[0]).toMatch(pattern);
  };
  /** Nothing but the listed names in `dir` (no temp folders left behind). */
  const leftovers = (): string[] => readdirSync(dir).filter((n) => n.startsWith('.'));

  it.skipIf(!existsSync(LEAKY))('says when E_attr uses LeakyReLU (the checkpoint\'s arch entry)', () => {
    const r = run([LEAKY, join(dir, 'leaky')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/concat=0, new LayerNorm, reflect padding, LeakyReLU E_attr\n/);
    expect(JSON.parse(readFileSync(join(dir, 'leaky', 'manifest.json'), 'utf8')).formatVersion).toBe(2);
  });

  it.skipIf(!existsSync(FIXTURE))('converts a checkpoint and prints a summary', async () => {
    const out = join(dir, 'pack');
    const r = run([FIXTURE, out, '--name', 'c0', '--domains', 'cat,dog', '--dtype', 'float16', '--resize', '286', '--crop', '256']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/concat=0, new LayerNorm, reflect padding\n/);
    expect(r.stdout).toMatch(/contentChannels=8/);
    expect(r.stdout).toMatch(/192 tensors/);
    expect(r.stdout).toMatch(/dtype float16/);
    expect(r.stdout).toMatch(/weights-0\.bin/);
    const pack = await readPack({ readFile: async (p) => new Uint8Array(readFileSync(join(out, p))) });
    expect(pack.manifest.name).toBe('c0');
    expect(pack.manifest.domains).toEqual({ a: 'cat', b: 'dog' });
    expect(pack.manifest.dtype).toBe('float16');
    expect(pack.manifest.preprocess.resize).toBe(286);
    expect(pack.manifest.preprocess.crop).toBe(256);
    expect(pack.manifest.provenance?.source).toBe('checkpoint_zip.pth');
    // converting again replaces the existing pack
    const again = run([FIXTURE, out]);
    expect(again.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).dtype).toBe('float32');
    expect(leftovers()).toEqual([]);
  });

  it('--help exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: npm run convert/);
  });

  it('bad arguments exit 2', () => {
    expectBadInput(run([]), /expected <checkpoint\.pth> and <outDir>/);
    expectBadInput(run(['a.pth', 'out', '--dtype', 'int8']), /--dtype must be float32 or float16/);
    expectBadInput(run(['a.pth', 'out', '--bogus']), /unknown option '--bogus'.*\(see --help\)$/i);
    expectBadInput(run(['a.pth', 'out', '--name']), /--name/);
    expectBadInput(run(['a.pth', 'out', '--resize', '100', '--crop', '200']), /--crop \(200\) must not exceed --resize \(100\)/);
    expectBadInput(run(['a.pth', 'out', '--domains', 'cat']), /--domains expects two/);
    // --flag=value works as well as --flag value
    expectBadInput(run(['a.pth', 'out', '--dtype=int8']), /--dtype must be float32 or float16, got 'int8'/);
  });

  it('a missing checkpoint file exits 2', () => {
    expectBadInput(run([join(dir, 'nope.pth'), join(dir, 'out-missing')]), /cannot read checkpoint .*no such file/);
    expect(existsSync(join(dir, 'out-missing'))).toBe(false);
  });

  it('a zero-byte file exits 2 and writes nothing', () => {
    writeFileSync(join(dir, 'empty.pth'), new Uint8Array(0));
    expectBadInput(run([join(dir, 'empty.pth'), join(dir, 'out-empty')]), /empty \(0 bytes\) \[EMPTY_FILE\]/);
    expect(existsSync(join(dir, 'out-empty'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('random bytes exit 2', () => {
    writeFileSync(join(dir, 'random.pth'), new Uint8Array(1000).map((_, i) => (i * 73 + 11) & 0xff));
    expectBadInput(run([join(dir, 'random.pth'), join(dir, 'out-random')]), /\[NOT_A_PTH\]/);
    expect(existsSync(join(dir, 'out-random'))).toBe(false);
  });

  it('a zip that is not a checkpoint exits 2', () => {
    writeFileSync(join(dir, 'photos.zip'), zipSync({ 'photos/a.jpg': new Uint8Array(10) }));
    expectBadInput(run([join(dir, 'photos.zip'), join(dir, 'out-zip')]), /\[NOT_A_CHECKPOINT\]/);
  });

  it.skipIf(!existsSync(FIXTURE))('a truncated checkpoint exits 2 and leaves an existing pack untouched', () => {
    const out = join(dir, 'keep');
    expect(run([FIXTURE, out]).status).toBe(0);
    const before = readFileSync(join(out, 'manifest.json'));
    const full = readFileSync(FIXTURE);
    writeFileSync(join(dir, 'cut.pth'), full.subarray(0, full.length - 100));
    expectBadInput(run([join(dir, 'cut.pth'), out]), /[Tt]runcated.*\[TRUNCATED\]/);
    expect(readFileSync(join(out, 'manifest.json')).equals(before)).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it.skipIf(!existsSync(FIXTURE))('refuses to overwrite a folder that is not a model pack', () => {
    const out = join(dir, 'precious');
    mkdirSync(out);
    writeFileSync(join(out, 'thesis.tex'), 'do not delete');
    expectBadInput(run([FIXTURE, out]), /exists and is not a model pack/);
    expect(readFileSync(join(out, 'thesis.tex'), 'utf8')).toBe('do not delete');
  });

  it('a pickle naming os.system exits 2, names the global, and runs nothing', () => {
    const marker = join(dir, 'pwned');
    // protocol 2: GLOBAL 'os system', the shell command as argument, REDUCE, STOP
    const cmd = `touch ${marker}`;
    const bytes = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from('cos\nsystem\n', 'latin1'),
      Buffer.from([0x58]),
      Buffer.from(Uint32Array.of(cmd.length).buffer),
      Buffer.from(cmd, 'latin1'),
      Buffer.from([0x85, 0x52, 0x2e]), // TUPLE1 REDUCE STOP
    ]);
    writeFileSync(join(dir, 'evil.pth'), bytes);
    expectBadInput(run([join(dir, 'evil.pth'), join(dir, 'out-evil')]), /Refusing pickle global 'os\.system'/);
    expect(existsSync(marker)).toBe(false);
    // the same payload inside a zip-format checkpoint
    writeFileSync(join(dir, 'evil-zip.pth'), zipSync({ 'archive/data.pkl': new Uint8Array(bytes), 'archive/version': new TextEncoder().encode('3\n') }));
    expectBadInput(run([join(dir, 'evil-zip.pth'), join(dir, 'out-evil')]), /Refusing pickle global 'os\.system'/);
    expect(existsSync(marker)).toBe(false);
  });

  it.skipIf(!existsSync(FIXTURE) || !hasTorch())('NaN or infinite weights exit 2 naming the tensors', () => {
    runPy(
      `import sys, torch
ck = torch.load(sys.argv[1], map_location='cpu')
ck['gen'] = dict(ck['gen']); w = ck['gen']['decB2.conv1.0.1.weight'].clone(); w.view(-1)[:3] = float('nan'); ck['gen']['decB2.conv1.0.1.weight'] = w
ck['enc_c'] = dict(ck['enc_c']); b = ck['enc_c']['convA.1.model.1.bias'].clone(); b[0] = float('inf'); ck['enc_c']['convA.1.model.1.bias'] = b
torch.save(ck, sys.argv[2])`,
      { args: [FIXTURE, join(dir, 'nan.pth')] },
    );
    const r = run([join(dir, 'nan.pth'), join(dir, 'out-nan')]);
    expectBadInput(r, /NaN or infinite weights.*\[NON_FINITE\]/);
    expect(r.stderr).toMatch(/gen\.decB2\.conv1\.0\.1\.weight \(3 of \d+ values\)/);
    expect(r.stderr).toMatch(/enc_c\.convA\.1\.model\.1\.bias \(1 of \d+ values\)/);
    expect(existsSync(join(dir, 'out-nan'))).toBe(false);
  });

  it.skipIf(!existsSync(FIXTURE))('a zip checkpoint with two entries of one name exits 2', () => {
    // add a zeroed copy of a storage under a same-length name, then rename it to the storage's
    // own name in the local header and the central directory: PyTorch would read the first copy
    const files = unzipSync(new Uint8Array(readFileSync(FIXTURE)));
    const storage = Object.keys(files).find((n) => /\/data\/\d+$/.test(n)) as string;
    const alias = `${storage.slice(0, -1)}Q`;
    const bytes = Buffer.from(zipSync({ ...files, [alias]: new Uint8Array((files[storage] as Uint8Array).length) }));
    let n = 0;
    for (let at = bytes.indexOf(alias, 0, 'latin1'); at >= 0; at = bytes.indexOf(alias, at + 1, 'latin1'), n++) {
      bytes.write(storage, at, 'latin1');
    }
    expect(n).toBe(2);
    writeFileSync(join(dir, 'dup.pth'), bytes);
    expectBadInput(run([join(dir, 'dup.pth'), join(dir, 'out-dup')]), /two entries named .*data\/\d+.*\[CORRUPT\]/);
  });

  it.skipIf(!existsSync(FIXTURE) || !hasTorch())('memory stays bounded by the file: stride-0 tensors and zip bombs are refused', () => {
    runPy(
      `import sys, io, zipfile, torch
ck = torch.load(sys.argv[1], map_location='cpu')
# one stored float repeated over 2^28 elements (1 GiB as float32) through stride 0, both formats
ck['gen'] = dict(ck['gen']); ck['gen']['decB2.conv1.0.1.weight'] = torch.zeros(1).expand(16384, 16384)
torch.save(ck, sys.argv[2])
torch.save(ck, sys.argv[3], _use_new_zipfile_serialization=False)
# a 68 MB storage of zeros, deflated to a few kB (torch itself stores entries uncompressed)
ck = torch.load(sys.argv[1], map_location='cpu')
ck['gen'] = dict(ck['gen']); ck['gen']['decB2.conv1.0.1.weight'] = torch.zeros(17_000_000)
buf = io.BytesIO(); torch.save(ck, buf)
src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
with zipfile.ZipFile(sys.argv[4], 'w', compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
    for info in src.infolist():
        out.writestr(info.filename, src.read(info.filename))`,
      { args: [FIXTURE, join(dir, 'stride0.pth'), join(dir, 'stride0-legacy.pth'), join(dir, 'bomb.pth')] },
    );
    for (const f of ['stride0.pth', 'stride0-legacy.pth']) {
      expectBadInput(run([join(dir, f), join(dir, 'out-s0')]), /decB2\.conv1\.0\.1\.weight.*repeats storage elements/);
    }
    expect(readFileSync(join(dir, 'bomb.pth')).length).toBeLessThan(2 * 1024 * 1024);
    expectBadInput(run([join(dir, 'bomb.pth'), join(dir, 'out-bomb')]), /would inflate from \d+ to 68\d{6} bytes .*zip bomb/);
    expect(existsSync(join(dir, 'out-s0')) || existsSync(join(dir, 'out-bomb'))).toBe(false);
  });

  it('a device or other non-regular file is refused without reading it', () => {
    expectBadInput(run(['/dev/zero', join(dir, 'out-dev')]), /cannot read checkpoint '\/dev\/zero': not a regular file \(a character device\) \[NOT_A_FILE\]$/);
    spawnSync('mkfifo', [join(dir, 'pipe.pth')]); // no writer: the open must not wait for one
    expectBadInput(run([join(dir, 'pipe.pth'), join(dir, 'out-dev')]), /cannot read checkpoint '.*pipe\.pth': not a regular file \(a FIFO\)/);
    expectBadInput(run([dir, join(dir, 'out-dev')]), /not a regular file \(a folder\)/);
    expect(existsSync(join(dir, 'out-dev'))).toBe(false);
  });

  it.skipIf(!existsSync(FIXTURE) || !hasTorch())('a state_dict with a missing or a misshaped key exits 2 naming the key', () => {
    runPy(
      `import sys, torch
ck = torch.load(sys.argv[1], map_location='cpu')
missing = dict(ck); missing['gen'] = ck['gen'].copy(); del missing['gen']['decB2.conv1.0.1.weight']
torch.save(missing, sys.argv[2])
bad = dict(ck); bad['enc_c'] = ck['enc_c'].copy(); bad['enc_c']['convA.1.model.1.bias'] = torch.zeros(5)
torch.save(bad, sys.argv[3])`,
      { args: [FIXTURE, join(dir, 'missing.pth'), join(dir, 'misshaped.pth')] },
    );
    expectBadInput(run([join(dir, 'missing.pth'), join(dir, 'out-m')]), /decB2\.conv1\.0\.1\.weight/);
    expectBadInput(run([join(dir, 'misshaped.pth'), join(dir, 'out-m')]), /convA\.1\.model\.1\.bias/);
    expect(existsSync(join(dir, 'out-m'))).toBe(false);
  });
});
