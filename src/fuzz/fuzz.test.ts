/**
 * Property / fuzz tests of every parser that reads untrusted bytes: the .pth reader (zip and
 * legacy, with the safe unpickler), the PNG/JPEG decoders of the CLIs, and the pack manifest
 * validator. Each property: any input ends in the parser's documented error type or a result,
 * never another exception; and a valid input gives the reference result. The readers of
 * user-named paths (`readRegularFile`, `readImageFile`) get special files (devices, FIFOs with and
 * without a writer, sockets, folders, /proc files) and files that grow, shrink or are replaced
 * while being read: each ends at once in one `FileError` (or a whole, consistent read).
 *
 * Seeded and bounded: `npm test` runs FUZZ_RUNS (default 150) cases per property in seconds;
 * `npm run fuzz` runs 3000 with a fresh seed (printed, so a failure can be replayed with
 * FUZZ_SEED=<seed>). Inputs that once broke a parser live in src/fuzz/corpus/ and are replayed here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../convert/errors';
import { DRIT_MODULES } from '../convert/layout';
import { readPth } from '../convert/pth';
import { ImageError, decodeImageFile, encodePng, readImageFile } from '../image/node-io';
import { FileError, readRegularFile } from '../node/read-file';
import { PackError } from '../pack/errors';
import { validateManifest } from '../pack/read';
import { TINY_META } from '../pack/test-meta';
import { writePack } from '../pack/write';
import { REPO } from '../testing/fixtures';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// npm test: a fixed seed (reproducible); npm run fuzz: a fresh one each run unless FUZZ_SEED is given
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS ? Date.now() % 2 ** 31 : 20261129));
const CORPUS = join(REPO, 'src/fuzz/corpus');
if (process.env.FUZZ_RUNS) console.log(`fuzz: ${RUNS} runs per property, seed ${SEED}`);

const params = { numRuns: RUNS, seed: SEED };
// a property's time grows with its runs: `npm run fuzz` (3000) on a loaded 2-core machine took up to
// ~8 min for the mutated checkpoints, past the suite's 120 s default
vi.setConfig({ testTimeout: Math.max(120_000, RUNS * 400) });

/** Byte-level mutations of a valid file: flips, overwritten integers, truncation, insertion, splices. */
function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const pos = fc.nat({ max: base.length - 1 });
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: pos, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('int' as const), at: pos, value: fc.constantFrom(0, 1, 0x7f, 0xff, 0x7fffffff, 0xffffffff, 0x80000000) }),
    fc.record({ kind: fc.constant('cut' as const), at: pos, value: fc.constant(0) }),
    fc.record({ kind: fc.constant('insert' as const), at: pos, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('repeat' as const), at: pos, value: fc.integer({ min: 1, max: 64 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let b = base.slice();
    for (const e of edits) {
      const at = Math.min(e.at, Math.max(0, b.length - 1));
      if (e.kind === 'flip') b[at] = e.value;
      else if (e.kind === 'int') {
        if (b.length >= 4) new DataView(b.buffer, b.byteOffset, b.length).setUint32(Math.min(at, b.length - 4), e.value >>> 0, at % 2 === 0);
      }
      else if (e.kind === 'cut') b = b.slice(0, at);
      else if (e.kind === 'insert') b = new Uint8Array([...b.subarray(0, at), e.value, ...b.subarray(at)]);
      else b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at, at + e.value), ...b.subarray(at)]);
      if (b.length === 0) break;
    }
    return b;
  });
}

/** Runs `f` and returns the error it threw (or null); fails on any error that is not of `type`. */
function outcome<T extends Error>(f: () => unknown, type: abstract new (...a: never[]) => T): T | null {
  try {
    f();
    return null;
  } catch (e) {
    if (!(e instanceof type)) throw new Error(`unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return e;
  }
}

const zipCk = new Uint8Array(readFileSync(join(REPO, 'fixtures/c0/checkpoint_zip.pth')));
const legacyCk = new Uint8Array(readFileSync(join(REPO, 'fixtures/c0/checkpoint_legacy.pth')));
const png = new Uint8Array(readFileSync(join(REPO, 'fixtures/translate/input.png')));

function smallImage(w: number, h: number, seed: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + ((i / 3) | 0) * 11) & 255;
  return { width: w, height: h, data };
}
const jpeg = (() => {
  const img = smallImage(24, 16, 3);
  const rgba = new Uint8Array(24 * 16 * 4);
  for (let i = 0, j = 0; i < img.data.length; i += 3, j += 4) rgba.set([img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, 255], j);
  return new Uint8Array(encodeJpeg({ width: 24, height: 16, data: rgba }, 85).data);
})();

describe('fuzz: checkpoint reader (.pth zip and legacy, safe unpickler)', () => {
  it('valid fixtures read the same every time (reference)', () => {
    for (const b of [zipCk, legacyCk]) {
      const ck = readPth(b, { entries: DRIT_MODULES });
      expect([...ck.stateDicts.keys()].sort()).toEqual(['enc_a', 'enc_c', 'gen']);
      expect(ck.stateDicts.get('gen')!.size).toBeGreaterThan(50);
    }
  });

  it.each([
    ['zip', zipCk],
    ['legacy', legacyCk],
  ])('mutated %s checkpoints end in a CheckpointError or a result', (_label, base) => {
    fc.assert(
      fc.property(mutated(base), (bytes) => {
        outcome(() => readPth(bytes), CheckpointError);
      }),
      params,
    );
  });

  it('arbitrary bytes end in a CheckpointError', () => {
    const prefix = fc.constantFrom(new Uint8Array([0x80, 0x02]), new Uint8Array([0x50, 0x4b, 0x03, 0x04]), new Uint8Array(0));
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 512 }), (p, rest) => {
        const bytes = new Uint8Array([...p, ...rest]);
        expect(outcome(() => readPth(bytes), CheckpointError)).not.toBeNull();
      }),
      params,
    );
  });
});

describe('fuzz: image decoders (CLI)', () => {
  it('PNG round trip of random images is exact (reference: the pixels themselves)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (w, h, seed) => {
        const img = smallImage(w, h, seed);
        const back = decodeImageFile(encodePng(img));
        expect([back.width, back.height]).toEqual([w, h]);
        expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
      }),
      { ...params, numRuns: Math.min(RUNS, 100) },
    );
  });

  it.each([
    ['PNG', png],
    ['JPEG', jpeg],
  ])('mutated %s files end in an ImageError or an image of the declared size', (_label, base) => {
    fc.assert(
      fc.property(mutated(base), (bytes) => {
        let img: ReturnType<typeof decodeImageFile> | null = null;
        const err = outcome(() => (img = decodeImageFile(bytes)), ImageError);
        if (!err) {
          const { width, height, data } = img as unknown as ReturnType<typeof decodeImageFile>;
          expect(data.length).toBe(width * height * 3);
          expect(width * height).toBeLessThanOrEqual(50_000_000);
        }
      }),
      params,
    );
  });
});

describe('fuzz: pack manifest validator', () => {
  it('mutated manifests end in a PackError or a manifest', async () => {
    const { manifest } = await writePack([{ name: 'enc_c.w', shape: [2, 3], data: new Float32Array(6) }], TINY_META);
    const good = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
    const paths: string[][] = [];
    const walk = (v: unknown, p: string[]): void => {
      paths.push(p);
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
    };
    walk(good, []);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue()), { minLength: 1, maxLength: 4 }), (edits) => {
        const m = structuredClone(good);
        for (const [path, value] of edits) {
          let o = m as Record<string, unknown>;
          for (const k of path.slice(0, -1)) {
            if (!o[k] || typeof o[k] !== 'object') break;
            o = o[k] as Record<string, unknown>;
          }
          o[path[path.length - 1]!] = value;
        }
        outcome(() => validateManifest(m), PackError);
      }),
      params,
    );
  });
});

describe('fuzz: special and changing files (readers of user-named paths)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drit-fuzz-files-'));
  const at = (name: string): string => join(dir, name);
  const imgA = encodePng(smallImage(30, 20, 1));
  const imgB = encodePng(smallImage(31, 20, 2));
  const big = encodePng(smallImage(700, 500, 3)); // about 1 MB: a write of it takes several syscalls
  const writers: ChildProcess[] = [];
  let server: Server | null = null;
  /**
   * A shell loop in its own process group, ended with the group in afterAll; should the test
   * process die first, the loop stops by itself (it runs while its parent lives).
   */
  const loop = (script: string): void => {
    writers.push(spawn('sh', ['-c', `cd '${dir}' && while kill -0 $PPID 2>/dev/null; do ${script}; done`], { detached: true, stdio: 'ignore' }));
  };

  type Kind = 'regular' | 'oversize' | 'device' | 'fifo' | 'socket' | 'folder' | 'proc' | 'changing' | 'replaced';
  const targets: Array<{ name: string; kind: Kind; what?: string }> = [
    { name: 'a.png', kind: 'regular' },
    { name: 'big.png', kind: 'oversize' },
    { name: 'zero.png', kind: 'device', what: 'a character device' }, // -> /dev/zero
    { name: 'urandom.png', kind: 'device', what: 'a character device' }, // -> /dev/urandom
    { name: 'null.png', kind: 'device', what: 'a character device' }, // -> /dev/null
    { name: 'lonely.png', kind: 'fifo', what: 'a FIFO' }, // no writer: the open must not wait
    { name: 'busy.png', kind: 'fifo', what: 'a FIFO' }, // `yes` writes into it without end
    { name: 'sock.png', kind: 'socket', what: 'a socket' },
    { name: 'dir.png', kind: 'folder', what: 'a folder' },
    { name: 'status.png', kind: 'proc' }, // -> /proc/self/status: size 0, content without end
    { name: 'changing.png', kind: 'changing' }, // rewritten, truncated, rewritten, … while read
    { name: 'replaced.png', kind: 'replaced' }, // renamed over by one of two versions, again and again
  ];

  beforeAll(async () => {
    writeFileSync(at('a.png'), imgA);
    writeFileSync(at('A'), imgA);
    writeFileSync(at('B'), imgB);
    writeFileSync(at('big.png'), big);
    writeFileSync(at('BIG'), big);
    for (const [name, dev] of [['zero.png', '/dev/zero'], ['urandom.png', '/dev/urandom'], ['null.png', '/dev/null'], ['status.png', '/proc/self/status']]) {
      symlinkSync(dev!, at(name!));
    }
    for (const f of ['lonely.png', 'busy.png']) spawnSync('mkfifo', [at(f)]);
    mkdirSync(at('dir.png'));
    writeFileSync(at('replaced.png'), imgA);
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(at('sock.png'), resolve));
    loop('timeout --foreground 2 sh -c "exec yes > busy.png" 2>/dev/null'); // the open waits for a reader: bounded
    loop('dd if=BIG of=changing.png bs=4096 2>/dev/null; truncate -s 5000 changing.png; sleep 0.002');
    loop('cp A t1 && mv t1 replaced.png; cp B t2 && mv t2 replaced.png; sleep 0.002');
  });

  afterAll(async () => {
    const exited = writers.map((w) => (w.exitCode !== null || w.signalCode !== null ? Promise.resolve() : new Promise((resolve) => w.once('exit', resolve))));
    for (const w of writers) if (w.pid) process.kill(-w.pid, 'SIGKILL');
    await Promise.all(exited);
    server?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const caps = [0, 1, 4096, imgA.length - 1, imgA.length, big.length - 1, big.length, 64 * 1024 * 1024];

  it('every case ends at once in one FileError naming the path and kind, or a whole, consistent read', () => {
    const rss0 = process.memoryUsage().rss;
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.constantFrom('bytes' as const, 'image' as const), fc.constantFrom(...caps), (t, reader, cap) => {
        const path = at(t.name);
        const t0 = performance.now();
        let bytes: Uint8Array | null = null;
        let width = 0;
        let error: Error | null = null;
        try {
          if (reader === 'bytes') bytes = readRegularFile(path, { what: 'file', maxBytes: cap, why: 'this case allows' });
          else width = readImageFile(path).width;
        } catch (e) {
          if (!(e instanceof FileError || (reader === 'image' && e instanceof ImageError))) throw e;
          error = e;
        }
        expect(performance.now() - t0).toBeLessThan(5000);
        if (bytes) expect(bytes.length).toBeLessThanOrEqual(cap);
        if (error instanceof FileError) expect(error.message).toMatch(new RegExp(`^cannot read (file|image) '${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': `));
        const code = error instanceof FileError ? error.code : null;
        const limit = reader === 'bytes' ? cap : Infinity;
        switch (t.kind) {
          case 'regular':
          case 'oversize': {
            const whole = t.kind === 'regular' ? imgA : big;
            if (whole.length > limit) expect(code).toBe('TOO_LARGE');
            else if (bytes) expect(Buffer.from(bytes).equals(Buffer.from(whole))).toBe(true);
            else expect(width).toBe(t.kind === 'regular' ? 30 : 700);
            break;
          }
          case 'device':
          case 'fifo':
          case 'socket':
          case 'folder':
            expect(code).toBe('NOT_A_FILE');
            expect(error!.message).toContain(`not a regular file (${t.what})`);
            break;
          case 'proc':
            expect(code).toBe('CHANGED');
            break;
          case 'changing':
            // a snapshot the file really was (a prefix of BIG while being written), or refused
            if (bytes) expect(Buffer.from(bytes).equals(Buffer.from(big.subarray(0, bytes.length)))).toBe(true);
            else if (code) expect(['CHANGED', 'TOO_LARGE']).toContain(code);
            else if (!error) expect(width).toBe(700);
            break;
          case 'replaced':
            // rename replaces the whole file: one version or the other, never a mix
            if (bytes) expect([imgA.length, imgB.length]).toContain(bytes.length);
            if (bytes) expect(Buffer.from(bytes).equals(Buffer.from(bytes.length === imgA.length ? imgA : imgB))).toBe(true);
            else if (code) expect(code).toBe('TOO_LARGE');
            else expect(error).toBeNull();
            if (!error && !bytes) expect([30, 31]).toContain(width);
            break;
        }
      }),
      params,
    );
    // at most one small file is held at a time: memory does not grow with the cases
    expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 1024 * 1024);
  });
});

describe('fuzz corpus (inputs that once broke a parser)', () => {
  const files = readdirSync(CORPUS).filter((f) => !f.endsWith('.md'));
  it.each(files)('%s', (file) => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS, file)));
    if (file.startsWith('pth-')) expect(outcome(() => readPth(bytes), CheckpointError)).not.toBeNull();
    else if (file.startsWith('img-')) expect(outcome(() => decodeImageFile(bytes), ImageError)).not.toBeNull();
    else throw new Error(`corpus file ${file}: name it pth-* or img-*`);
  });
});
