import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { StorageRef, unpickle } from './pickle';
import { readPth, type PthCheckpoint } from './pth';
import { PickleBuilder, hasTorch, runPy } from './testing/helpers';

function checkpointError(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('readPth: inputs that are not checkpoints', () => {
  it('zero-byte file', () => {
    const e = checkpointError(() => readPth(new Uint8Array(0)));
    expect(e.code).toBe('EMPTY_FILE');
    expect(e.message).toMatch(/empty/);
  });

  it('random bytes', () => {
    let s = 5;
    const bytes = new Uint8Array(4096).map(() => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s >>> 24;
    });
    bytes[0] = 0x13;
    const e = checkpointError(() => readPth(bytes));
    expect(e.code).toBe('NOT_A_PTH');
    expect(e.message).toMatch(/neither a zip archive nor a pickle/);
  });

  it('a text file', () => {
    expect(checkpointError(() => readPth(new TextEncoder().encode('<html>404 Not Found</html>'))).code).toBe('NOT_A_PTH');
  });

  it('a zip archive that is not a checkpoint', () => {
    const zip = zipSync({ 'model/readme.txt': new TextEncoder().encode('hello'), 'model/weights.bin': new Uint8Array(16) });
    const e = checkpointError(() => readPth(zip));
    expect(e.code).toBe('NOT_A_CHECKPOINT');
    expect(e.message).toMatch(/no <archive>\/data\.pkl/);
    expect(e.message).toMatch(/model\/readme\.txt/);
  });

  it('an empty zip archive', () => {
    expect(checkpointError(() => readPth(zipSync({}))).code).toBe('NOT_A_CHECKPOINT');
  });

  it('a plain pickle (no torch magic number)', () => {
    const e = checkpointError(() => readPth(new PickleBuilder().proto().emptyDict().str('a').int(1).setitem().stop().bytes()));
    expect(e.code).toBe('BAD_MAGIC');
  });

  it('a pickle naming a forbidden global where the magic number should be', () => {
    const e = checkpointError(() => readPth(new PickleBuilder().proto().global('os', 'system').str('true').tuple1().reduce().stop().bytes()));
    expect(e.code).toBe('BAD_MAGIC');
    expect(e.message).toContain("'os.system'");
  });
});

const GEN = String.raw`
import collections, json, pickle, sys, torch
torch.manual_seed(0)
out = sys.argv[1]
base = torch.randn(2, 3)
sd = collections.OrderedDict()
sd['f32'] = torch.randn(2, 3)
sd['f16'] = torch.randn(4).half()
sd['f64'] = torch.randn(2, 2).double()
sd['bf16'] = torch.randn(3).bfloat16()
sd['transposed'] = torch.randn(3, 2).t()
sd['sliced'] = torch.randn(4, 5)[1:, 1:4]
sd['expanded'] = torch.randn(3, 1).expand(3, 4)
sd['scalar'] = torch.tensor(3.5)
sd['empty'] = torch.zeros(0, 3)
sd['shared_a'] = base[0]
sd['shared_b'] = base[1]
sd['permuted4d'] = torch.randn(2, 3, 4, 5).permute(0, 2, 1, 3)
net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.Linear(3, 2))
opt = torch.optim.Adam(net.parameters(), lr=1e-4, betas=(0.5, 0.999), weight_decay=1e-4)
net[1](torch.randn(1, 3)).sum().backward(); opt.step()
ck = {'sd': sd, 'model': net.state_dict(), 'other': {'long': torch.arange(5), 'big': torch.zeros(1000)},
      'opt': opt.state_dict(), 'param': torch.nn.Parameter(torch.ones(2)), 'ep': 4, 'total_it': 2**40}
torch.save(ck, out + '/t_zip.pth')
torch.save(ck, out + '/t_legacy.pth', _use_new_zipfile_serialization=False)
torch.save({'sd': {'a': torch.randn(3), 'b': torch.randn(2)}}, out + '/f32_legacy.pth', _use_new_zipfile_serialization=False)
torch.save({'sd': {'a': torch.randn(3), 'b': torch.randn(2)}}, out + '/f32_zip.pth')
torch.save({'sd': {'w': torch.arange(3)}}, out + '/int_zip.pth')
torch.save({'sd': {'w': torch.arange(3)}}, out + '/int_legacy.pth', _use_new_zipfile_serialization=False)
dump = lambda d: {k: {'shape': list(v.shape), 'values': v.float().contiguous().view(-1).tolist()} for k, v in d.items()}
exp = {'sd': dump(sd), 'model': dump(net.state_dict())}
json.dump(exp, open(out + '/expected.json', 'w'))
`;

interface Expected {
  shape: number[];
  values: number[];
}

describe.skipIf(!hasTorch())('readPth on files written by torch.save', () => {
  let dir = '';
  let expected: { sd: Record<string, Expected>; model: Record<string, Expected> };
  const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drit-pth-'));
    runPy(GEN, { args: [dir] });
    expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as typeof expected;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const checkValues = (ck: PthCheckpoint): void => {
    const sd = ck.stateDicts.get('sd');
    expect(sd).toBeDefined();
    for (const [k, exp] of Object.entries(expected.sd)) {
      const t = sd?.get(k);
      expect(t, k).toBeDefined();
      expect(t?.shape, k).toEqual(exp.shape);
      expect(Array.from(t?.data ?? []), k).toEqual(exp.values.map((v) => Math.fround(v)));
    }
    expect(sd?.get('f16')?.sourceDtype).toBe('float16');
    expect(sd?.get('bf16')?.sourceDtype).toBe('bfloat16');
    expect(sd?.get('f64')?.sourceDtype).toBe('float64');
    const model = ck.stateDicts.get('model');
    for (const [k, exp] of Object.entries(expected.model)) {
      expect(model?.get(k)?.shape).toEqual(exp.shape);
      expect(Array.from(model?.get(k)?.data ?? [])).toEqual(exp.values.map((v) => Math.fround(v)));
    }
  };

  for (const format of ['zip', 'legacy'] as const) {
    it(`${format}: strided, offset, expanded, shared and mixed-dtype tensors`, () => {
      const ck = readPth(file(`t_${format}.pth`), { entries: ['sd', 'model'] });
      expect(ck.format).toBe(format);
      expect(ck.topLevelKeys).toEqual(['sd', 'model', 'other', 'opt', 'param', 'ep', 'total_it']);
      expect([...ck.stateDicts.keys()]).toEqual(['sd', 'model']);
      expect(ck.epoch).toBe(4);
      expect(ck.totalIterations).toBe(2 ** 40);
      checkValues(ck);
    });

    it(`${format}: by default materialises every top-level state dict`, () => {
      const ck = readPth(file(`t_${format}.pth`));
      expect([...ck.stateDicts.keys()]).toEqual(['sd', 'model']);
    });

    it(`${format}: an integer tensor in a requested entry is refused, naming it`, () => {
      const e = checkpointError(() => readPth(file(`int_${format}.pth`), { entries: ['sd'] }));
      expect(e.code).toBe('UNSUPPORTED_DTYPE');
      expect(e.message).toContain("'sd.w'");
    });

    it(`${format}: a missing entry is named`, () => {
      const e = checkpointError(() => readPth(file(`t_${format}.pth`), { entries: ['enc_c'] }));
      expect(e.code).toBe('MISSING_ENTRY');
      expect(e.message).toContain("'enc_c'");
      const e2 = checkpointError(() => readPth(file(`t_${format}.pth`), { entries: ['opt'] }));
      expect(e2.code).toBe('BAD_STRUCTURE');
    });

    it(`${format}: every truncation is reported as a truncated file`, () => {
      const full = file(`t_${format}.pth`);
      const step = Math.max(1, Math.floor(full.length / 400));
      for (let n = 1; n < full.length; n += n < 64 ? 1 : step) {
        const e = checkpointError(() => readPth(full.subarray(0, n), { entries: ['sd'] }));
        if (e.code !== 'TRUNCATED') throw new Error(`prefix ${n}/${full.length}: ${e.code} ${e.message}`);
      }
      expect(checkpointError(() => readPth(full.subarray(0, full.length - 1))).code).toBe('TRUNCATED');
    });
  }

  it('zip: a storage named by a tensor but absent from the archive', () => {
    const files = unzipSync(file('f32_zip.pth'));
    const victim = Object.keys(files).find((n) => /\/data\/\d+$/.test(n)) as string;
    delete files[victim];
    const rezipped = zipSync(files, { level: 0 });
    const e = checkpointError(() => readPth(rezipped, { entries: ['sd'] }));
    expect(e.code).toBe('MISSING_STORAGE');
    expect(e.message).toContain(victim);
  });

  it('zip: a storage of the wrong size', () => {
    const files = unzipSync(file('f32_zip.pth'));
    const victim = Object.keys(files).find((n) => /\/data\/\d+$/.test(n)) as string;
    files[victim] = (files[victim] as Uint8Array).slice(0, 4);
    const e = checkpointError(() => readPth(zipSync(files, { level: 0 }), { entries: ['sd'] }));
    expect(e.code).toBe('SIZE_MISMATCH');
    expect(e.message).toMatch(/has 4 bytes, expected/);
  });

  /** Offsets of the legacy storage-key pickle and the data records. */
  const legacyLayout = (bytes: Uint8Array): { keysAt: number; keys: string[]; dataAt: number } => {
    let pos = 0;
    const dummy = new StorageRef('x', 'float32', 'cpu', 1e9);
    for (let i = 0; i < 4; i++) pos = unpickle(bytes, { start: pos, persistentLoad: () => dummy }).end;
    const r = unpickle(bytes, { start: pos });
    return { keysAt: pos, keys: r.value as string[], dataAt: r.end };
  };

  it('legacy: a storage referenced by a tensor but not stored', () => {
    const bytes = file('f32_legacy.pth');
    const { keysAt, keys, dataAt } = legacyLayout(bytes);
    expect(keys.length).toBe(2);
    // drop the last key and its record (float32 storages: 8 + 4 * count bytes)
    const firstCount = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(dataAt, true));
    const b = new PickleBuilder().proto().mark();
    b.str(keys[0] as string);
    const newKeys = b.list().stop().bytes();
    const out = new Uint8Array([...bytes.subarray(0, keysAt), ...newKeys, ...bytes.subarray(dataAt, dataAt + 8 + 4 * firstCount)]);
    const e = checkpointError(() => readPth(out, { entries: ['sd'] }));
    expect(e.code).toBe('MISSING_STORAGE');
    expect(e.message).toContain(`'${keys[1] as string}'`);
  });

  it('legacy: a storage record whose element count disagrees', () => {
    const bytes = file('f32_legacy.pth').slice();
    const { dataAt, keys } = legacyLayout(bytes);
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    dv.setBigInt64(dataAt, dv.getBigInt64(dataAt, true) + 1n, true);
    const e = checkpointError(() => readPth(bytes, { entries: ['sd'] }));
    expect(e.code).toBe('SIZE_MISMATCH');
    expect(e.message).toContain(`'${keys[0] as string}'`);
  });

  it('legacy: a wrong protocol version', () => {
    const bytes = file('f32_legacy.pth').slice();
    // second pickle: 80 02 4d e9 03 2e (BININT2 1001)
    const at = unpickle(bytes).end;
    expect(Array.from(bytes.subarray(at, at + 6))).toEqual([0x80, 2, 0x4d, 0xe9, 0x03, 0x2e]);
    bytes[at + 3] = 0xea;
    expect(checkpointError(() => readPth(bytes)).code).toBe('UNSUPPORTED_VERSION');
  });
});

describe('readPth on hand-built legacy files', () => {
  const MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
  const VERSION = [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e];
  const SYSINFO = new PickleBuilder().proto().emptyDict().str('little_endian').raw(0x88).setitem().stop().bytes();

  /** A legacy file with checkpoint = {'sd': {'w': <tensor>}}; `tensor` appends the REDUCE args. */
  function legacy(tensor: (b: PickleBuilder) => void, storages: Array<[string, number[]]>, rebuild = '_rebuild_tensor'): Uint8Array {
    const b = new PickleBuilder().proto().emptyDict().str('sd').emptyDict().str('w').global('torch._utils', rebuild).mark();
    tensor(b);
    const obj = b.tuple().reduce().setitem().setitem().stop().bytes();
    const keys = new PickleBuilder().proto().mark();
    for (const [k] of storages) keys.str(k);
    const records: number[] = [];
    for (const [, values] of storages) {
      const rec = new Uint8Array(8 + 4 * values.length);
      const dv = new DataView(rec.buffer);
      dv.setBigInt64(0, BigInt(values.length), true);
      values.forEach((v, i) => dv.setFloat32(8 + 4 * i, v, true));
      records.push(...rec);
    }
    return new Uint8Array([...MAGIC, ...VERSION, ...SYSINFO, ...obj, ...keys.list().stop().bytes(), ...records]);
  }
  const pid = (b: PickleBuilder, key: string, numel: number, view?: [string, number, number]): void => {
    b.mark().str('storage').global('torch.cuda', 'FloatStorage').str(key).str('cuda:0').int(numel);
    if (view) b.mark().str(view[0]).int(view[1]).int(view[2]).tuple();
    else b.none();
    b.tuple().binpersid();
  };
  const ints = (b: PickleBuilder, xs: number[]): void => {
    b.mark();
    xs.forEach((x) => b.int(x));
    b.tuple();
  };

  it('reads the 4-argument _rebuild_tensor of pre-0.4 files and legacy view storages', () => {
    const bytes = legacy(
      (b) => {
        pid(b, 'root', 6, ['view1', 2, 3]);
        b.int(1);
        ints(b, [2]);
        ints(b, [1]);
      },
      [['root', [0, 1, 2, 3, 4, 5]]],
    );
    const ck = readPth(bytes);
    expect(ck.format).toBe('legacy');
    const t = ck.stateDicts.get('sd')?.get('w');
    expect(t?.shape).toEqual([2]);
    expect(Array.from(t?.data ?? [])).toEqual([3, 4]); // root[2 + 1], root[2 + 2]
  });

  it('a tensor reaching past its storage', () => {
    const bytes = legacy(
      (b) => {
        pid(b, 'k', 4);
        b.int(2);
        ints(b, [2, 2]);
        ints(b, [2, 1]);
      },
      [['k', [1, 2, 3, 4]]],
    );
    const e = checkpointError(() => readPth(bytes));
    expect(e.code).toBe('SIZE_MISMATCH');
    expect(e.message).toMatch(/'sd\.w'.*reaches element 5 of storage 'k', which has only 4/);
  });

  it('an absurdly large expanded tensor is refused before allocating', () => {
    const bytes = legacy(
      (b) => {
        pid(b, 'k', 1);
        b.int(0);
        ints(b, [100000, 100000]);
        ints(b, [0, 0]);
      },
      [['k', [1]]],
    );
    const e = checkpointError(() => readPth(bytes));
    expect(e.code).toBe('SIZE_MISMATCH');
    expect(e.message).toMatch(/'sd\.w' has size \(100000,100000\)/);
  });
});
