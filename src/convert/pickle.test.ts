import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, PickleError } from './errors';
import { PICKLE_GLOBAL_ALLOW_LIST, PyDict, PyGlobal, PyTuple, StorageRef, TensorRef, unpickle, type PyValue } from './pickle';
import { PickleBuilder, fromHex, hasTorch, runPy } from './testing/helpers';

// pickle.dumps(obj, 2) of a dict exercising ints (BININT1/2, BININT, LONG1 small/large/negative),
// floats, None/True/False, unicode, tuples of 0-4 items, an OrderedDict (GLOBAL + REDUCE +
// SETITEMS), a list referenced twice (BINPUT/BINGET) and an int key. Generated with CPython 3.11.
const PROTO2_HEX =
  '80027d7100285804000000696e747371015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000804affffff7f8a0500000080008a060000000000018a090000000000000080008a0d000000000000000000000000f0655806000000666c6f61747371035d710428473ff8000000000000478000000000000000477e37e43c8800759c655806000000636f6e73747371055d7106284e88896558030000007374727107580a00000068c3a96c6c6f20e29883710858060000007475706c657371095d710a28294b0185710b4b014b0286710c4b014b024b0387710d284b014b024b034b0474710e6558020000006f64710f63636f6c6c656374696f6e730a4f726465726564446963740a7110295271112858010000007871124b0158010000007971135d71144b02617558070000007368617265643171155d7116284b074b0865580700000073686172656432711768164b035806000000696e746b65797118752e';
// pickle.dumps({'od': OrderedDict([('k', (1.25, 'v'))]), 'l': [True]}, 4): FRAME, SHORT_BINUNICODE,
// MEMOIZE, STACK_GLOBAL, TUPLE2, SETITEM.
const PROTO4_HEX =
  '80049547000000000000007d94288c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b94473ff40000000000008c0176948694738c016c945d948861752e';
// pickle.dumps({'b': b'\x00\x01\xff'}, 3): SHORT_BINBYTES.
const PROTO3_BYTES_HEX = '80037d710058010000006271014303' + '0001ff' + '7102732e';

function dict(v: PyValue): PyDict {
  expect(v).toBeInstanceOf(PyDict);
  return v as PyDict;
}

function pickleError(f: () => unknown): PickleError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PickleError);
    expect(e).toBeInstanceOf(CheckpointError);
    return e as PickleError;
  }
  throw new Error('expected a PickleError');
}

describe('unpickle: values', () => {
  it('decodes a protocol-2 pickle written by CPython', () => {
    const d = dict(unpickle(fromHex(PROTO2_HEX)).value);
    expect(d.get('ints')).toEqual([0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 40, 2n ** 63n, -(2n ** 100n)]);
    const floats = d.get('floats') as number[];
    expect(floats[0]).toBe(1.5);
    expect(Object.is(floats[1], -0)).toBe(true);
    expect(floats[2]).toBe(1e300);
    expect(d.get('consts')).toEqual([null, true, false]);
    expect(d.get('str')).toBe('h\u00e9llo \u2603');
    const tuples = d.get('tuples') as PyTuple[];
    expect(tuples.map((t) => t.items)).toEqual([[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4]]);
    const od = dict(d.get('od') as PyValue);
    expect(od.ordered).toBe(true);
    expect([...od.map.entries()]).toEqual([
      ['x', 1],
      ['y', [2]],
    ]);
    expect(d.get('shared1')).toBe(d.get('shared2')); // memo keeps identity
    expect(d.get(3)).toBe('intkey');
    expect(d.stringKeys()).toEqual(['ints', 'floats', 'consts', 'str', 'tuples', 'od', 'shared1', 'shared2']);
  });

  it('decodes protocol-4 framing, STACK_GLOBAL and MEMOIZE, and protocol-3 bytes', () => {
    const d = dict(unpickle(fromHex(PROTO4_HEX)).value);
    const od = dict(d.get('od') as PyValue);
    expect(od.ordered).toBe(true);
    expect((od.get('k') as PyTuple).items).toEqual([1.25, 'v']);
    expect(d.get('l')).toEqual([true]);
    const b = dict(unpickle(fromHex(PROTO3_BYTES_HEX)).value);
    expect(b.get('b')).toEqual(new Uint8Array([0, 1, 255]));
  });

  it('returns the end offset so that pickles can be chained', () => {
    const one = new PickleBuilder().proto().int(5).stop().bytes();
    const two = new Uint8Array([...one, ...new PickleBuilder().proto().str('x').stop().bytes()]);
    const r1 = unpickle(two);
    expect(r1).toEqual({ value: 5, end: one.length });
    expect(unpickle(two, { start: r1.end }).value).toBe('x');
  });

  it('rebuilds tensors through persistent ids without reading data', () => {
    const pids: PyValue[] = [];
    const storage = new StorageRef('0', 'float32', 'cpu', 6);
    const p = new PickleBuilder()
      .proto()
      .global('collections', 'OrderedDict')
      .emptyTuple()
      .reduce()
      .str('w')
      .global('torch._utils', '_rebuild_tensor_v2')
      .mark()
      .mark()
      .str('storage')
      .global('torch', 'FloatStorage')
      .str('0')
      .str('cpu')
      .int(6)
      .tuple()
      .binpersid()
      .int(1)
      .mark()
      .int(2)
      .int(2)
      .tuple()
      .mark()
      .int(1)
      .int(2)
      .tuple()
      .false()
      .global('collections', 'OrderedDict')
      .emptyTuple()
      .reduce()
      .tuple()
      .reduce()
      .setitem()
      // BUILD with {'_metadata': {...}} like state_dict()
      .emptyDict()
      .str('_metadata')
      .global('collections', 'OrderedDict')
      .emptyTuple()
      .reduce()
      .setitem()
      .build()
      .stop()
      .bytes();
    const sd = dict(
      unpickle(p, {
        persistentLoad: (pid) => {
          pids.push(pid);
          return storage;
        },
      }).value,
    );
    expect(pids.length).toBe(1);
    const pid = pids[0] as PyTuple;
    expect(pid.items[0]).toBe('storage');
    expect(pid.items[1]).toBeInstanceOf(PyGlobal);
    expect((pid.items[1] as PyGlobal).qualifiedName).toBe('torch.FloatStorage');
    const t = sd.get('w') as TensorRef;
    expect(t).toBeInstanceOf(TensorRef);
    expect(t.storage).toBe(storage);
    expect(t.offset).toBe(1);
    expect(t.size).toEqual([2, 2]);
    expect(t.stride).toEqual([1, 2]);
    expect(sd.attributes?.has('_metadata')).toBe(true);
  });

  it('accepts the 4-argument _rebuild_tensor and _rebuild_parameter', () => {
    const storage = new StorageRef('k', 'float16', 'cuda:0', 3);
    const p = new PickleBuilder()
      .proto()
      .global('torch._utils', '_rebuild_parameter')
      .mark()
      .global('torch._utils', '_rebuild_tensor')
      .mark()
      .str('pid')
      .binpersid()
      .int(0)
      .mark()
      .int(3)
      .tuple()
      .mark()
      .int(1)
      .tuple()
      .tuple()
      .reduce()
      .raw(0x88) // requires_grad True
      .global('collections', 'OrderedDict')
      .emptyTuple()
      .reduce()
      .tuple()
      .reduce()
      .stop()
      .bytes();
    const t = unpickle(p, { persistentLoad: () => storage }).value as TensorRef;
    expect(t).toBeInstanceOf(TensorRef);
    expect(t.size).toEqual([3]);
    expect(t.storage.dtype).toBe('float16');
  });
});

describe('unpickle: refusing globals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drit-pickle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Each payload, if a real unpickler ran it, would create `marker`.
  const payloads = (marker: string): Array<[string, Uint8Array]> => [
    ['os.system', new PickleBuilder().proto().global('os', 'system').str(`touch '${marker}'`).tuple1().reduce().stop().bytes()],
    ['posix.system', new PickleBuilder().proto().global('posix', 'system').str(`touch '${marker}'`).tuple1().reduce().stop().bytes()],
    ['builtins.eval', new PickleBuilder().proto().global('builtins', 'eval').str(`open(${JSON.stringify(marker)}, 'w').close()`).tuple1().reduce().stop().bytes()],
    [
      'builtins.getattr',
      new PickleBuilder()
        .proto()
        .global('builtins', 'getattr')
        .global('builtins', '__import__')
        .str('os')
        .tuple1()
        .reduce()
        .str('system')
        .tuple2()
        .reduce()
        .str(`touch '${marker}'`)
        .tuple1()
        .reduce()
        .stop()
        .bytes(),
    ],
    [
      'subprocess.check_call',
      new PickleBuilder().proto().global('subprocess', 'check_call').mark().str('touch').str(marker).list().tuple1().reduce().stop().bytes(),
    ],
    // protocol-4 form: module and name pushed as strings, then STACK_GLOBAL
    ['os.system', new PickleBuilder().proto(4).shortStr('os').shortStr('system').raw(0x93).str(`touch '${marker}'`).tuple1().reduce().stop().bytes()],
  ];

  it.skipIf(!hasTorch())('the payloads are live: CPython pickle.loads runs them', () => {
    const marker = join(dir, 'live');
    const files = payloads(marker).map(([, bytes], i) => {
      const f = join(dir, `p${i}.pkl`);
      writeFileSync(f, bytes);
      return f;
    });
    const out = runPy(
      'import json, os, pickle, sys\n' +
        'res = []\n' +
        'for f in sys.argv[2:]:\n' +
        '    if os.path.exists(sys.argv[1]): os.remove(sys.argv[1])\n' +
        '    pickle.loads(open(f, "rb").read())\n' +
        '    res.append(os.path.exists(sys.argv[1]))\n' +
        'os.remove(sys.argv[1])\n' +
        'print(json.dumps(res))',
      { args: [marker, ...files] },
    );
    expect(JSON.parse(out)).toEqual(files.map(() => true));
  });

  it('refuses them, naming the global, and runs nothing', () => {
    const marker = join(dir, 'marker');
    for (const [name, bytes] of payloads(marker)) {
      const e = pickleError(() => unpickle(bytes));
      expect(e.code).toBe('PICKLE_FORBIDDEN_GLOBAL');
      expect(e.message).toBe(`Refusing pickle global '${name}': not in the allow-list of a PyTorch checkpoint`);
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('refuses other unlisted globals', () => {
    for (const [m, n] of [
      ['__builtin__', 'apply'],
      ['subprocess', 'Popen'],
      ['torch', 'load'],
      ['numpy.core.multiarray', '_reconstruct'],
      ['collections', 'defaultdict'],
      ['torch._utils', '_rebuild_device_tensor_from_numpy'],
      ['torch', 'FloatStorage.__init__'],
      ['torch.cuda', 'Stream'],
      ['_codecs', 'encode'],
    ] as const) {
      const e = pickleError(() => unpickle(new PickleBuilder().proto().global(m, n).stop().bytes()));
      expect(e.code).toBe('PICKLE_FORBIDDEN_GLOBAL');
      expect(e.message).toContain(`'${m}.${n}'`);
    }
  });

  it('allows exactly the checkpoint globals', () => {
    expect(PICKLE_GLOBAL_ALLOW_LIST).toContain('torch.cuda.HalfStorage');
    expect(PICKLE_GLOBAL_ALLOW_LIST).toContain('torch.BFloat16Storage');
    for (const q of PICKLE_GLOBAL_ALLOW_LIST) {
      const dot = q.lastIndexOf('.');
      const g = unpickle(new PickleBuilder().proto().global(q.slice(0, dot), q.slice(dot + 1)).stop().bytes()).value;
      expect((g as PyGlobal).qualifiedName).toBe(q);
    }
  });

  it('does not let an allowed global be called with arbitrary semantics', () => {
    const e = pickleError(() => unpickle(new PickleBuilder().proto().global('torch', 'FloatStorage').int(3).tuple1().reduce().stop().bytes()));
    expect(e.message).toMatch(/not callable/);
  });
});

describe('unpickle: malformed input', () => {
  it('every truncation of a valid pickle is "truncated pickle"', () => {
    const full = fromHex(PROTO2_HEX);
    for (let n = 0; n < full.length; n++) {
      const e = pickleError(() => unpickle(full.subarray(0, n)));
      expect(e.code).toBe('PICKLE_TRUNCATED');
      expect(e.message).toMatch(/^truncated pickle/);
    }
  });

  it('names unsupported opcodes', () => {
    const e = pickleError(() => unpickle(new Uint8Array([0x80, 2, 0x69, 0x2e]))); // INST
    expect(e.code).toBe('PICKLE_UNSUPPORTED_OPCODE');
    expect(e.message).toMatch(/0x69 \(INST\)/);
    expect(pickleError(() => unpickle(new Uint8Array([0x80, 2, 0x82, 1, 0x2e]))).message).toMatch(/EXT1/);
    expect(pickleError(() => unpickle(new Uint8Array([0xff]))).message).toMatch(/0xff \(unknown\)/);
    expect(pickleError(() => unpickle(new Uint8Array([0x80, 9, 0x4e, 0x2e]))).message).toMatch(/protocol 9/);
  });

  it('rejects memo and stack misuse', () => {
    const cases: Array<[number[], RegExp]> = [
      [[0x80, 2, 0x68, 5, 0x2e], /memo index 5 is not defined/],
      [[0x80, 2, 0x6a, 1, 0, 0, 0, 0x2e], /memo index 1 is not defined/],
      [[0x80, 2, 0x71, 0, 0x2e], /stack underflow/],
      [[0x80, 2, 0x4e, 0x72, 0xff, 0xff, 0xff, 0xff, 0x2e], /negative memo index/],
      [[0x80, 2, 0x30, 0x2e], /stack underflow/],
      [[0x80, 2, 0x31, 0x2e], /mark stack is empty/],
      [[0x80, 2, 0x74, 0x2e], /mark stack is empty/],
      [[0x80, 2, 0x2e], /stack underflow/],
      [[0x80, 2, 0x7d, 0x4e, 0x61, 0x2e], /APPEND\(S\) on a dict/],
      [[0x80, 2, 0x5d, 0x4e, 0x4e, 0x73, 0x2e], /SETITEM\(S\) on a list/],
      [[0x80, 2, 0x7d, 0x28, 0x4e, 0x75, 0x2e], /odd number/],
      [[0x80, 2, 0x7d, 0x5d, 0x4e, 0x73, 0x2e], /unhashable/],
      [[0x80, 2, 0x4e, 0x51, 0x2e], /persistent id/],
      [[0x80, 2, 0x4e, 0x29, 0x52, 0x2e], /REDUCE on a None/],
      [[0x80, 2, 0x5d, 0x7d, 0x62, 0x2e], /BUILD on a list/],
      [[0x80, 2, 0x58, 2, 0, 0, 0, 0xc3, 0x28, 0x2e], /UTF-8/],
    ];
    for (const [bytes, re] of cases) {
      const e = pickleError(() => unpickle(new Uint8Array(bytes)));
      expect(e.message, `bytes ${bytes.join(',')}`).toMatch(re);
    }
  });

  it('rejects tensors with bad geometry', () => {
    const s = new StorageRef('0', 'float32', 'cpu', 4);
    const mk = (size: number[], stride: number[], storage = true): Uint8Array => {
      const b = new PickleBuilder().proto().global('torch._utils', '_rebuild_tensor_v2').mark();
      if (storage) b.str('pid').binpersid();
      else b.none();
      b.int(0).mark();
      size.forEach((x) => b.int(x));
      b.tuple().mark();
      stride.forEach((x) => b.int(x));
      return b.tuple().false().none().tuple().reduce().stop().bytes();
    };
    expect(pickleError(() => unpickle(mk([2, 2], [2], true), { persistentLoad: () => s })).message).toMatch(/2 dims but stride has 1/);
    expect(pickleError(() => unpickle(mk([-1], [1], true), { persistentLoad: () => s })).message).toMatch(/non-negative/);
    expect(pickleError(() => unpickle(mk([2], [1], false))).message).toMatch(/not a storage/);
  });

  it('enforces size limits', () => {
    const many = new Uint8Array([0x80, 2, 0x28, ...new Array<number>(100).fill(0x4e), 0x6c, 0x2e]);
    expect(pickleError(() => unpickle(many, { maxStack: 50 })).code).toBe('PICKLE_LIMIT');
    const hugeLong = new Uint8Array([0x80, 2, 0x8b, 0, 0, 1, 0, 0x2e]); // LONG4 of 65536 bytes
    expect(pickleError(() => unpickle(hugeLong)).code).toBe('PICKLE_LIMIT');
    const marks = new Uint8Array([0x80, 2, ...new Array<number>(1000).fill(0x28), 0x2e]);
    expect(pickleError(() => unpickle(marks, { maxMarks: 100 })).code).toBe('PICKLE_LIMIT');
    const memo = new Uint8Array([0x80, 2, 0x4e, 0x71, 0, 0x71, 1, 0x71, 2, 0x2e]);
    expect(pickleError(() => unpickle(memo, { maxMemo: 2 })).code).toBe('PICKLE_LIMIT');
  });

  it('survives random corruption with PickleErrors only', () => {
    const base = fromHex(PROTO2_HEX);
    let seed = 99;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let iter = 0; iter < 3000; iter++) {
      const b = base.slice();
      const flips = 1 + rnd(4);
      for (let k = 0; k < flips; k++) b[rnd(b.length)] = rnd(256);
      try {
        unpickle(b, { persistentLoad: () => null });
      } catch (e) {
        if (!(e instanceof PickleError)) throw new Error(`iteration ${iter}: ${String(e)}`);
      }
    }
    for (let iter = 0; iter < 500; iter++) {
      const b = new Uint8Array(1 + rnd(200)).map(() => rnd(256));
      try {
        unpickle(b);
      } catch (e) {
        if (!(e instanceof PickleError)) throw new Error(`random ${iter}: ${String(e)}`);
      }
    }
  });
});

describe('unpickle: Python 2 strings', () => {
  it('decodes (SHORT_)BINSTRING as latin-1', () => {
    const b = new Uint8Array([0x80, 2, 0x5d, 0x55, 3, 0x61, 0x80, 0xe9, 0x61, 0x54, 2, 0, 0, 0, 0x9f, 0x41, 0x61, 0x2e]);
    expect(unpickle(b).value).toEqual(['a\u0080\u00e9', '\u009fA']);
  });
});
