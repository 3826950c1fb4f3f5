import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PackError } from './errors';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16';
import { DEFAULT_PREPROCESS, type NamedWeight, type PackManifest } from './manifest';
import { readPack, validateManifest, type PackSource } from './read';
import { sha256Hex, sha256HexSync } from './sha256';
import { MANIFEST_FILE, writePack, type PackMetadata } from './write';

const META: PackMetadata = {
  name: 'test',
  domains: { a: 'cat', b: 'dog' },
  variant: { concat: 1, layerNorm: 'new', padding: 'reflect' },
  nz: 8,
  channels: { a: 3, b: 1 },
  widths: { contentChannels: 16 },
  preprocess: DEFAULT_PREPROCESS,
  provenance: { sourceFormat: 'zip', epoch: 3 },
};

function weights(): NamedWeight[] {
  let s = 7;
  const rnd = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const mk = (name: string, shape: number[]): NamedWeight => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rnd() * 10;
    return { name, shape, data };
  };
  return [
    mk('enc_c.a.weight', [3, 3, 4, 8]),
    mk('enc_c.a.bias', [3]), // odd count: float16 needs padding
    mk('enc_a.fc.weight', [300, 20]),
    mk('gen.empty', [0, 4]),
    mk('gen.scalar', []),
    mk('gen.big', [1000, 3]),
  ];
}

function memorySource(files: Map<string, Uint8Array>): PackSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readFile(path: string) {
      reads.push(path);
      const f = files.get(path);
      if (!f) throw new Error(`ENOENT: ${path}`);
      return f.slice();
    },
  };
}

async function expectPackError(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<PackError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PackError);
  const pe = e as PackError;
  expect(pe.code).toBe(code);
  if (pattern) expect(pe.message).toMatch(pattern);
  return pe;
}

describe('sha256', () => {
  it('WebCrypto and the fallback agree with node:crypto', async () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70000]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
      const ref = createHash('sha256').update(data).digest('hex');
      expect(sha256HexSync(data)).toBe(ref);
      expect(await sha256Hex(data)).toBe(ref);
      expect(await sha256Hex(data.subarray(0))).toBe(ref);
    }
  });
});

describe('pack writer/reader', () => {
  it('round-trips float32 exactly', async () => {
    const ws = weights();
    const { manifest, files } = await writePack(ws, META);
    expect([...files.keys()].sort()).toEqual([MANIFEST_FILE, 'weights-0.bin']);
    expect(manifest.dtype).toBe('float32');
    expect(manifest.weights.map((w) => w.name)).toEqual(ws.map((w) => w.name));
    const { manifest: m2, weights: back } = await readPack(memorySource(files));
    expect(m2).toEqual(manifest);
    expect(JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE)))).toEqual(manifest);
    back.forEach((w, i) => {
      const orig = ws[i] as NamedWeight;
      expect(w.name).toBe(orig.name);
      expect(w.shape).toEqual(orig.shape);
      expect(w.data).toEqual(orig.data);
    });
  });

  it('round-trips float16 with round-to-nearest-even values', async () => {
    const ws = weights();
    const { manifest, files } = await writePack(ws, META, { dtype: 'float16' });
    expect(manifest.dtype).toBe('float16');
    const f32 = await writePack(ws, META);
    expect((files.get('weights-0.bin') as Uint8Array).length).toBeLessThan((f32.files.get('weights-0.bin') as Uint8Array).length / 2 + 16);
    const { weights: back } = await readPack(memorySource(files));
    back.forEach((w, i) => {
      const orig = (ws[i] as NamedWeight).data;
      const expected = Float32Array.from(orig, (x) => float16BitsToFloat32(float32ToFloat16Bits(x)));
      expect(w.data).toEqual(expected);
    });
    // every weight starts 4-byte aligned
    for (const w of manifest.weights) expect(w.byteOffset % 4).toBe(0);
  });

  it('splits into shards of at most maxShardBytes; a larger weight gets its own shard', async () => {
    const ws = weights();
    const { manifest, files } = await writePack(ws, META, { maxShardBytes: 4096 });
    expect(manifest.shards.length).toBeGreaterThan(2);
    for (const s of manifest.shards) {
      const bytes = files.get(s.path) as Uint8Array;
      expect(bytes.length).toBe(s.byteLength);
      const alone = manifest.weights.filter((w) => manifest.shards[w.shard] === s);
      if (s.byteLength > 4096) expect(alone.length).toBe(1);
      expect(s.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const { weights: back } = await readPack(memorySource(files));
    back.forEach((w, i) => expect(w.data).toEqual((ws[i] as NamedWeight).data));
  });

  it('is deterministic', async () => {
    const a = await writePack(weights(), META, { dtype: 'float16' });
    const b = await writePack(weights(), META, { dtype: 'float16' });
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [k, v] of a.files) expect(Buffer.from(v).equals(Buffer.from(b.files.get(k) as Uint8Array))).toBe(true);
  });

  it('reports progress per shard', async () => {
    const { files, manifest } = await writePack(weights(), META, { maxShardBytes: 4096 });
    const seen: Array<[number, number, number, number]> = [];
    await readPack(memorySource(files), { onProgress: (p) => seen.push([p.shard, p.shards, p.bytes, p.totalBytes]) });
    expect(seen.length).toBe(manifest.shards.length);
    const last = seen[seen.length - 1] as [number, number, number, number];
    expect(last[0]).toBe(last[1]);
    expect(last[2]).toBe(last[3]);
  });

  it('rejects bad writer input', async () => {
    const ws = weights();
    await expectPackError(writePack([...ws, { name: 'enc_c.a.bias', shape: [1], data: new Float32Array(1) }], META), 'BAD_INPUT', /Duplicate/);
    await expectPackError(writePack([{ name: 'x', shape: [2, 2], data: new Float32Array(3) }], META), 'BAD_INPUT', /'x'/);
  });
});

describe('pack verification', () => {
  it('names the shard whose bytes were changed', async () => {
    const { files } = await writePack(weights(), META, { maxShardBytes: 4096 });
    const tampered = new Map(files);
    const s1 = (tampered.get('weights-1.bin') as Uint8Array).slice();
    s1[10] = (s1[10] as number) ^ 0x40;
    tampered.set('weights-1.bin', s1);
    const e = await expectPackError(readPack(memorySource(tampered)), 'SHARD_HASH_MISMATCH', /weights-1\.bin/);
    expect(e.path).toBe('weights-1.bin');
  });

  it('names a shard with the wrong length', async () => {
    const { files } = await writePack(weights(), META);
    const cut = new Map(files);
    cut.set('weights-0.bin', (files.get('weights-0.bin') as Uint8Array).subarray(0, 100));
    await expectPackError(readPack(memorySource(cut)), 'SHARD_SIZE_MISMATCH', /weights-0\.bin.*100 bytes/);
  });

  it('names a missing shard file', async () => {
    const { files } = await writePack(weights(), META, { maxShardBytes: 4096 });
    const missing = new Map(files);
    missing.delete('weights-2.bin');
    const e = await expectPackError(readPack(memorySource(missing)), 'MISSING_SHARD', /weights-2\.bin/);
    expect(e.path).toBe('weights-2.bin');
  });

  it('reports a missing or malformed manifest', async () => {
    await expectPackError(readPack(memorySource(new Map())), 'MISSING_MANIFEST');
    await expectPackError(readPack(memorySource(new Map([[MANIFEST_FILE, new TextEncoder().encode('{"format": ')]]))), 'BAD_JSON');
  });
});

describe('validateManifest', () => {
  async function good(): Promise<PackManifest> {
    return (await writePack(weights(), META, { maxShardBytes: 4096 })).manifest;
  }
  const mutate = async (f: (m: Record<string, unknown>) => void): Promise<unknown> => {
    const m = JSON.parse(JSON.stringify(await good())) as Record<string, unknown>;
    f(m);
    return m;
  };
  const expectInvalid = (json: unknown, code: string, pattern?: RegExp): void => {
    let err: unknown = null;
    try {
      validateManifest(json);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PackError);
    expect((err as PackError).code).toBe(code);
    if (pattern) expect((err as PackError).message).toMatch(pattern);
  };

  it('accepts what the writer produces and drops unknown extra fields', async () => {
    const m = await good();
    expect(validateManifest(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(validateManifest({ ...JSON.parse(JSON.stringify(m)), futureField: 1 })).toEqual(m);
  });

  it('rejects unknown formats and versions', async () => {
    expectInvalid('hello', 'INVALID_FIELD');
    expectInvalid(await mutate((m) => (m.format = 'tfjs-layers')), 'UNKNOWN_FORMAT', /tfjs-layers/);
    expectInvalid(await mutate((m) => delete m.format), 'MISSING_FIELD', /'format'/);
    expectInvalid(await mutate((m) => (m.formatVersion = 3)), 'UNSUPPORTED_VERSION', /newer/);
    expectInvalid(await mutate((m) => (m.formatVersion = 0)), 'INVALID_FIELD', /formatVersion/);
    expectInvalid(await mutate((m) => delete m.formatVersion), 'MISSING_FIELD', /'formatVersion'/);
  });

  it('variant.encAActivation: a LeakyReLU E_attr makes a version-2 pack, which version-1 packs cannot claim', async () => {
    const plain = await good();
    expect(plain.formatVersion).toBe(1);
    expect(plain.variant).not.toHaveProperty('encAActivation');
    const leakyMeta: PackMetadata = { ...META, variant: { ...META.variant, concat: 0, encAActivation: 'leakyrelu' } };
    const leaky = (await writePack(weights(), leakyMeta)).manifest;
    expect(leaky.formatVersion).toBe(2);
    expect(leaky.variant.encAActivation).toBe('leakyrelu');
    expect(validateManifest(JSON.parse(JSON.stringify(leaky)))).toEqual(leaky);
    const v = (m: Record<string, unknown>): Record<string, unknown> => m.variant as Record<string, unknown>;
    // 'relu' spelled out is the default, in either version
    expect(validateManifest(await mutate((m) => (v(m).encAActivation = 'relu'))).variant).toEqual(plain.variant);
    expectInvalid(await mutate((m) => (v(m).encAActivation = 'leakyrelu')), 'INVALID_FIELD', /needs formatVersion 2/);
    expectInvalid(await mutate((m) => (v(m).encAActivation = 'gelu')), 'INVALID_FIELD', /variant\.encAActivation/);
    const concat1 = await mutate((m) => {
      m.formatVersion = 2;
      v(m).concat = 1;
      v(m).encAActivation = 'leakyrelu';
    });
    expectInvalid(concat1, 'INVALID_FIELD', /\(concat = 0\) only/);
    // and the writer never produces what the reader refuses
    await expect(writePack(weights(), { ...META, variant: { ...META.variant, encAActivation: 'leakyrelu' } })).rejects.toThrow(/\(concat = 0\) only/);
  });

  it('names missing and invalid fields', async () => {
    expectInvalid(await mutate((m) => delete m.nz), 'MISSING_FIELD', /'nz'/);
    expectInvalid(await mutate((m) => delete (m.preprocess as Record<string, unknown>).crop), 'MISSING_FIELD', /'preprocess\.crop'/);
    expectInvalid(await mutate((m) => ((m.variant as Record<string, unknown>).concat = 2)), 'INVALID_FIELD', /variant\.concat/);
    expectInvalid(await mutate((m) => (m.dtype = 'int8')), 'INVALID_FIELD', /'dtype'/);
    expectInvalid(await mutate((m) => delete ((m.weights as Array<Record<string, unknown>>)[1] as Record<string, unknown>).shape), 'MISSING_FIELD', /weights\.1\.shape/);
    expectInvalid(await mutate((m) => (((m.weights as Array<Record<string, unknown>>)[0] as Record<string, unknown>).shard = 99)), 'INVALID_FIELD', /shard 99/);
    expectInvalid(await mutate((m) => (((m.weights as Array<Record<string, unknown>>)[0] as Record<string, unknown>).byteOffset = 1e6)), 'INVALID_FIELD', /ends at byte/);
    expectInvalid(await mutate((m) => (((m.shards as Array<Record<string, unknown>>)[0] as Record<string, unknown>).sha256 = 'abc')), 'INVALID_FIELD', /sha256/);
    expectInvalid(await mutate((m) => (m.weights = [...(m.weights as unknown[]), (m.weights as unknown[])[0]])), 'INVALID_FIELD', /repeats/);
  });

  it('bounds every number a manifest declares, naming the field', async () => {
    type M = Record<string, unknown>;
    const pre = (m: M): M => m.preprocess as M;
    const shard0 = (m: M): M => (m.shards as M[])[0] as M;
    const cases: Array<[(m: M) => void, RegExp]> = [
      [(m) => (pre(m).resize = 30000), /'preprocess\.resize' must be an integer in \[1, 4096\]/],
      [(m) => ((pre(m).resize = 100), (pre(m).crop = 200)), /'preprocess\.crop' \(200\) must not exceed preprocess\.resize \(100\)/],
      [(m) => (pre(m).std = [0.5, 1e-6, 0.5]), /'preprocess\.std' must be 3 numbers in \[0\.01, 10\]/],
      [(m) => (pre(m).mean = [0.5, 1e9, 0.5]), /'preprocess\.mean'/],
      [(m) => (m.nz = 1e9), /'nz' must be an integer in \[1, 1024\]/],
      [(m) => ((m.channels as M).a = 4), /'channels\.a' must be one of 1, 3/],
      [(m) => ((m.widths as M).contentChannels = 1e7), /'widths\.contentChannels'/],
      [(m) => (shard0(m).byteLength = 2 ** 40), /'shards\.0\.byteLength'/],
      [(m) => (m.shards = Array.from({ length: 3 }, (_, i) => ({ ...shard0(m), path: `w${i}.bin`, byteLength: 512 * 1024 * 1024 }))), /'shards' declare \d+ bytes in all/],
    ];
    for (const [f, pattern] of cases) expectInvalid(await mutate(f), 'INVALID_FIELD', pattern);
  });

  it('refuses shard paths that leave the pack folder', async () => {
    for (const bad of ['../x.bin', '/etc/passwd', 'a/../../b', 'C:\\x', '.hidden', 'manifest.json', '']) {
      expectInvalid(await mutate((m) => (((m.shards as Array<Record<string, unknown>>)[0] as Record<string, unknown>).path = bad)), 'INVALID_FIELD', /path/);
    }
  });
});
