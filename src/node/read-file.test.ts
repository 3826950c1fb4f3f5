/**
 * readRegularFile, the one rule of every reader of a user-named path: only regular files, size
 * from fstat on the opened descriptor, at most maxBytes + 1 bytes read, changes while reading
 * refused. Each case must end at once (a FIFO without a writer must not block the open).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../image/test-utils';
import { REPO } from '../testing/fixtures';
import { FileError, readRegularFile, type FileErrorCode } from './read-file';

const tmp = makeTempDir('read-file');
afterAll(() => tmp.cleanup());

const LIMIT = { what: 'image', maxBytes: 1024 * 1024, why: 'test files have' };

function refusal(path: string, limit = LIMIT): FileError {
  try {
    readRegularFile(path, limit);
  } catch (e) {
    if (e instanceof FileError) return e;
    throw e;
  }
  throw new Error(`${path} was read`);
}

function expectRefused(path: string, code: FileErrorCode, message: RegExp, limit = LIMIT): void {
  const t0 = performance.now();
  const e = refusal(path, limit);
  expect(performance.now() - t0).toBeLessThan(2000);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
}

function mkfifo(name: string): string {
  const p = tmp.path(name);
  spawnSync('mkfifo', [p]);
  expect(statSync(p).isFIFO()).toBe(true);
  return p;
}

describe('readRegularFile', () => {
  it('reads a regular file into a buffer of its own (byteOffset 0, exact length)', () => {
    const p = tmp.path('ok.bin');
    const data = new Uint8Array(5000).map((_, i) => (i * 31) & 255);
    writeFileSync(p, data);
    const got = readRegularFile(p, LIMIT);
    expect(got.byteOffset).toBe(0);
    expect(got.buffer.byteLength).toBe(data.length);
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    writeFileSync(tmp.path('empty.bin'), '');
    expect(readRegularFile(tmp.path('empty.bin'), LIMIT).length).toBe(0);
    symlinkSync(p, tmp.path('link.bin'));
    expect(readRegularFile(tmp.path('link.bin'), LIMIT).length).toBe(5000);
  });

  it.each([
    ['/dev/zero', /cannot read image '\/dev\/zero': not a regular file \(a character device\)/],
    ['/dev/urandom', /'\/dev\/urandom': not a regular file \(a character device\)/],
    ['/dev/null', /a character device/],
  ])('%s is refused without reading', (path, message) => {
    expectRefused(path, 'NOT_A_FILE', message);
  });

  it('a block device is refused (also when it may not be opened)', () => {
    const dev = readdirSync('/dev').map((f) => join('/dev', f)).find((f) => {
      try {
        return statSync(f).isBlockDevice();
      } catch {
        return false;
      }
    });
    if (!dev) return;
    expectRefused(dev, 'NOT_A_FILE', /not a regular file \(a block device\)/);
  });

  it('a folder, a link to a device, a socket are refused naming what they are', async () => {
    mkdirSync(tmp.path('dir.png'));
    expectRefused(tmp.path('dir.png'), 'NOT_A_FILE', /dir\.png': not a regular file \(a folder\)/);
    symlinkSync('/dev/zero', tmp.path('zero.png'));
    expectRefused(tmp.path('zero.png'), 'NOT_A_FILE', /zero\.png': not a regular file \(a character device\)/);
    const sock = tmp.path('s.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      expectRefused(sock, 'NOT_A_FILE', /s\.sock': not a regular file \(a socket\)/);
    } finally {
      server.close();
    }
  });

  it('a FIFO without a writer is refused at once (the open does not wait for a writer)', () => {
    const fifo = mkfifo('lonely.png');
    // in a child process: if the open blocked, only the timeout would end it
    const script = `import { readRegularFile } from './src/node/read-file.ts';
try { readRegularFile(${JSON.stringify(fifo)}, { what: 'image', maxBytes: 100, why: 'x' }); console.log('read'); }
catch (e) { console.log(e.code + ' ' + e.message); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.stdout.trim()).toMatch(/^NOT_A_FILE cannot read image '.*lonely\.png': not a regular file \(a FIFO\)$/);
  });

  it('a FIFO with an endless writer is refused at once', () => {
    const fifo = mkfifo('busy.png');
    const writer = spawn('sh', ['-c', `exec yes > '${fifo}'`], { stdio: 'ignore' });
    try {
      expectRefused(fifo, 'NOT_A_FILE', /a FIFO/);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('a missing file, and a file larger than the limit before anything is read', () => {
    expectRefused(tmp.path('nope.png'), 'NO_FILE', /cannot read image '.*nope\.png': no such file/);
    const big = tmp.path('big.png');
    writeFileSync(big, new Uint8Array(LIMIT.maxBytes + 1));
    expectRefused(big, 'TOO_LARGE', /big\.png': 1048577 bytes, more than the 1048576 test files have/);
    expect(readRegularFile(big, { ...LIMIT, maxBytes: LIMIT.maxBytes + 1 }).length).toBe(LIMIT.maxBytes + 1);
  });

  it('a file that says it is empty but has content (/proc) is refused as changing', () => {
    if (!existsSync('/proc/self/status')) return;
    expectRefused('/proc/self/status', 'CHANGED', /grew while being read \(0 bytes when opened\)/);
  });

  it('a file that grows while being read is refused, and never more than the limit is read', () => {
    const p = tmp.path('growing.png');
    writeFileSync(p, '');
    // appends without end (killed below); the limit bounds what one read can take
    const writer = spawn('sh', ['-c', `exec yes 0123456789abcdef >> '${p}'`], { stdio: 'ignore' });
    try {
      const t0 = Date.now();
      while (statSync(p).size < 1024 * 1024 && Date.now() - t0 < 10_000);
      const limit = { ...LIMIT, maxBytes: 256 * 1024 * 1024 };
      // On a loaded machine the writer can sit out a whole read: then the file did not change while
      // it was read, and a whole read (within the limit) is the right answer. Every read that did
      // overlap a write must be refused, and some must overlap.
      let refused = 0;
      for (let i = 0; i < 30 && refused < 5; i++) {
        let bytes: Uint8Array | undefined;
        try {
          bytes = readRegularFile(p, limit);
        } catch (e) {
          if (!(e instanceof FileError)) throw e;
          expect(['CHANGED', 'TOO_LARGE']).toContain(e.code);
          expect(e.message).toMatch(/growing\.png': (it grew while being read|it was modified while being read|\d+ bytes, more than)/);
          refused++;
        }
        if (bytes) expect(bytes.length).toBeLessThanOrEqual(limit.maxBytes);
      }
      expect(refused).toBeGreaterThan(0);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
