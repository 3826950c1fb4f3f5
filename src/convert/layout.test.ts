import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DritVariant } from '../pack/manifest';
import { CheckpointError, LayoutError } from './errors';
import { expectedKeys, mapDritLayout, toPackLayout, zeroEraKey, type ArchitectureShape, type DritStateDicts } from './layout';
import type { StateDict } from './pth';

// ---------------------------------------------------------------------------------------------
// The official key lists (docs/drit-reference.md §11) as test data
// ---------------------------------------------------------------------------------------------

interface Section {
  header: string;
  elements: number;
  keys: Array<[string, number[]]>;
}

function appendixA(): Map<string, Section> {
  const text = readFileSync(join(__dirname, 'testdata/appendix-a.txt'), 'utf8');
  const out = new Map<string, Section>();
  let cur: Section | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('# ') || !line.trim()) continue;
    const h = /^#### (A\.\d) .*— (\d+) tensors, ([\d,]+) elements/.exec(line);
    if (h) {
      cur = { header: h[1] as string, elements: Number((h[3] as string).replace(/,/g, '')), keys: [] };
      out.set(cur.header, cur);
      continue;
    }
    const m = /^(\S+)\s+\(([\d,]+)\)$/.exec(line.trim());
    if (!m || !cur) throw new Error(`unparsed line: ${line}`);
    cur.keys.push([m[1] as string, (m[2] as string).split(',').filter(Boolean).map(Number)]);
  }
  return out;
}

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function stateDict(keys: Array<[string, number[]]>, fill?: (key: string, n: number) => Float32Array): StateDict {
  return new Map(keys.map(([k, shape]) => [k, { shape, data: fill ? fill(k, numel(shape)) : new Float32Array(numel(shape)), sourceDtype: 'float32' as const }]));
}

const DEFAULT_WIDTHS_C0 = { contentChannels: 256, ecStem: 64, ecDown1: 128, eaConv1: 64, eaConv2: 128, eaConv3: 256, gMlpHidden: 256, gAttrChunk: 256, gUp1: 128, gUp2: 64 };
const DEFAULT_WIDTHS_C1 = { contentChannels: 256, ecStem: 64, ecDown1: 128, eaConv1: 64, eaBlock1: 128, eaBlock2: 192, eaBlock3: 256, gUp1: 136, gUp2: 72 };

describe('layout: the official key lists (docs/drit-reference.md §11)', () => {
  const A = appendixA();

  it('parses the key lists consistently with their headers', () => {
    expect([...A.keys()]).toEqual(['A.1', 'A.2', 'A.3', 'A.4', 'A.5']);
    for (const s of A.values()) expect(s.keys.reduce((a, [, sh]) => a + numel(sh), 0)).toBe(s.elements);
  });

  for (const concat of [0, 1] as const) {
    const arch: ArchitectureShape = {
      variant: { concat, layerNorm: 'new', padding: 'reflect' },
      widths: concat === 0 ? DEFAULT_WIDTHS_C0 : DEFAULT_WIDTHS_C1,
      channels: { a: 3, b: 3 },
      nz: 8,
    };

    it(`concat=${concat}: expectedKeys() reproduces the official key lists exactly (keys, shapes, order)`, () => {
      const specs = expectedKeys(arch);
      const official = [
        ...(A.get('A.1') as Section).keys.map(([k, s]) => ['enc_c', k, s]),
        ...(A.get(concat === 0 ? 'A.2' : 'A.3') as Section).keys.map(([k, s]) => ['enc_a', k, s]),
        ...(A.get(concat === 0 ? 'A.4' : 'A.5') as Section).keys.map(([k, s]) => ['gen', k, s]),
      ];
      expect(specs.map((s) => [s.module, s.key, s.shape])).toEqual(official);
      for (const s of specs) expect(s.sourceKey).toBe(s.key);
    });

    it(`concat=${concat}: accepts a full-size state dict and infers the paper widths`, () => {
      const sd: DritStateDicts = {
        enc_c: stateDict((A.get('A.1') as Section).keys),
        enc_a: stateDict((A.get(concat === 0 ? 'A.2' : 'A.3') as Section).keys),
        gen: stateDict((A.get(concat === 0 ? 'A.4' : 'A.5') as Section).keys),
      };
      const r = mapDritLayout(sd);
      expect(r.variant).toEqual({ concat, layerNorm: 'new', padding: 'reflect' });
      expect(r.widths).toEqual(arch.widths);
      expect(r.nz).toBe(8);
      expect(r.channels).toEqual({ a: 3, b: 3 });
      expect(r.unexpectedKeys).toEqual([]);
      expect(r.weights.length).toBe(sd.enc_c.size + sd.enc_a.size + sd.gen.size);
      expect(r.weights.reduce((a, w) => a + w.data.length, 0)).toBe(concat === 0 ? 31_694_358 : 21_270_982);
      const byName = new Map(r.weights.map((w) => [w.name, w.shape]));
      expect(byName.get('enc_c.convA.0.model.1.weight')).toEqual([7, 7, 3, 64]);
      if (concat === 0) {
        expect(byName.get('gen.decA5.0.model.0.weight')).toEqual([3, 3, 128, 256]);
        expect(byName.get('gen.decA5.0.model.1.weight')).toEqual([128]);
        expect(byName.get('gen.decA5.2.weight')).toEqual([1, 1, 64, 3]);
        expect(byName.get('gen.mlpA.4.weight')).toEqual([256, 1024]);
        expect(byName.get('enc_a.model_b.16.weight')).toEqual([1, 1, 256, 8]);
      } else {
        expect(byName.get('gen.decB2.0.model.0.weight')).toEqual([3, 3, 136, 272]);
        expect(byName.get('gen.decB4.0.weight')).toEqual([1, 1, 80, 3]);
        expect(byName.get('enc_a.fcVar_B.0.weight')).toEqual([256, 8]);
      }
    });
  }
});

describe('layout: permutations into the tfjs layout', () => {
  const arange = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

  it('Conv2d (out,in,kh,kw) -> [kh,kw,in,out]', () => {
    const [O, I, KH, KW] = [2, 3, 4, 5];
    const src = arange(O * I * KH * KW);
    const r = toPackLayout('conv', [O, I, KH, KW], src);
    expect(r.shape).toEqual([KH, KW, I, O]);
    for (let o = 0; o < O; o++)
      for (let i = 0; i < I; i++)
        for (let y = 0; y < KH; y++)
          for (let x = 0; x < KW; x++) expect(r.data[((y * KW + x) * I + i) * O + o]).toBe(src[((o * I + i) * KH + y) * KW + x]);
  });

  it('ConvTranspose2d (in,out,kh,kw) -> [kh,kw,out,in], no flip', () => {
    const [I, O, K] = [3, 2, 3];
    const src = arange(I * O * K * K);
    const r = toPackLayout('convT', [I, O, K, K], src);
    expect(r.shape).toEqual([K, K, O, I]);
    for (let i = 0; i < I; i++)
      for (let o = 0; o < O; o++)
        for (let y = 0; y < K; y++)
          for (let x = 0; x < K; x++) expect(r.data[((y * K + x) * O + o) * I + i]).toBe(src[((i * O + o) * K + y) * K + x]);
  });

  it('1x1 ConvTranspose2d (in,out,1,1) -> [1,1,in,out]; Linear (out,in) -> [in,out]; LN/bias -> [C]', () => {
    const t = toPackLayout('convT1x1', [4, 3, 1, 1], arange(12));
    expect(t.shape).toEqual([1, 1, 4, 3]);
    expect(Array.from(t.data)).toEqual(Array.from(arange(12))); // [i][o] = W[i,o,0,0]
    const l = toPackLayout('linear', [2, 3], arange(6));
    expect(l.shape).toEqual([3, 2]);
    expect(Array.from(l.data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(toPackLayout('ln', [5, 1, 1], arange(5)).shape).toEqual([5]);
    expect(toPackLayout('ln', [5], arange(5)).shape).toEqual([5]);
    expect(toPackLayout('bias', [7], arange(7)).shape).toEqual([7]);
  });
});

// ---------------------------------------------------------------------------------------------
// Narrow / variant state dicts built from a given architecture
// ---------------------------------------------------------------------------------------------

function build(arch: ArchitectureShape): DritStateDicts {
  const sd: DritStateDicts = { enc_c: new Map(), enc_a: new Map(), gen: new Map() };
  let v = 0;
  for (const s of expectedKeys(arch)) {
    const data = Float32Array.from({ length: numel(s.shape) }, () => (v++ % 97) / 10 - 4.5);
    sd[s.module].set(s.sourceKey, { shape: s.shape, data, sourceDtype: 'float32' });
  }
  return sd;
}

const NARROW_C0 = { contentChannels: 16, ecStem: 4, ecDown1: 8, eaConv1: 4, eaConv2: 6, eaConv3: 10, gMlpHidden: 12, gAttrChunk: 5, gUp1: 8, gUp2: 3 };
const NARROW_C1 = { contentChannels: 16, ecStem: 4, ecDown1: 8, eaConv1: 2, eaBlock1: 4, eaBlock2: 6, eaBlock3: 8, gUp1: 9, gUp2: 17 };

describe('layout: variants and inferred widths', () => {
  const variants: DritVariant[] = [
    { concat: 0, layerNorm: 'new', padding: 'reflect' },
    { concat: 1, layerNorm: 'new', padding: 'reflect' },
    { concat: 0, layerNorm: 'old', padding: 'reflect' },
    { concat: 1, layerNorm: 'old', padding: 'reflect' },
    { concat: 0, layerNorm: 'old', padding: 'zero' },
    { concat: 1, layerNorm: 'old', padding: 'zero' },
  ];
  for (const variant of variants) {
    it(`detects ${JSON.stringify(variant)} and infers narrow widths, nz and grayscale channels`, () => {
      const arch: ArchitectureShape = { variant, widths: variant.concat === 0 ? NARROW_C0 : NARROW_C1, channels: { a: 1, b: 3 }, nz: 4 };
      const sd = build(arch);
      const r = mapDritLayout(sd);
      expect(r.variant).toEqual(variant);
      expect(r.widths).toEqual(arch.widths);
      expect(r.nz).toBe(4);
      expect(r.channels).toEqual({ a: 1, b: 3 });
      // names are HEAD keys whatever the source layout; values follow the source keys
      const specs = expectedKeys(arch);
      expect(r.weights.map((w) => w.name)).toEqual(specs.map((s) => `${s.module}.${s.key}`));
      r.weights.forEach((w, i) => {
        const s = specs[i] as (typeof specs)[number];
        const src = sd[s.module].get(s.sourceKey);
        expect(w.data).toEqual(toPackLayout(s.kind, s.shape, src?.data as Float32Array).data);
      });
      if (variant.layerNorm === 'old') {
        const lnKey = variant.concat === 0 ? 'decA5.0.model.1' : 'decA2.0.model.1';
        expect(sd.gen.has(`${lnKey}.gamma`)).toBe(true);
        expect(r.weights.find((w) => w.name === `gen.${lnKey}.weight`)?.shape).toEqual([variant.concat === 0 ? 8 : 9]);
      }
    });
  }

  it('maps zero-padding-era keys as in docs/drit-reference.md §12', () => {
    const cases: Array<[Parameters<typeof zeroEraKey>, string]> = [
      [['enc_c', 0, 'convA.0.model.1.weight'], 'convA.0.model.0.weight'],
      [['enc_c', 0, 'convB.2.model.1.bias'], 'convB.2.model.0.bias'],
      [['enc_c', 1, 'convA.3.model.1.weight'], 'convA.3.model.0.weight'],
      [['enc_c', 1, 'convA.5.model.5.bias'], 'convA.5.model.3.bias'],
      [['enc_c', 0, 'conv_share.0.model.5.weight'], 'conv_share.0.model.3.weight'],
      [['enc_a', 0, 'model_a.1.weight'], 'model_a.0.weight'],
      [['enc_a', 0, 'model_b.10.bias'], 'model_b.6.bias'],
      [['enc_a', 0, 'model_a.16.weight'], 'model_a.11.weight'],
      [['enc_a', 1, 'conv_A.1.weight'], 'conv_A.0.weight'],
      [['enc_a', 1, 'conv_B.2.conv.2.weight'], 'conv_B.1.conv.1.weight'],
      [['enc_a', 1, 'conv_A.4.conv.4.1.bias'], 'conv_A.3.conv.3.0.bias'],
      [['enc_a', 1, 'conv_A.3.shortcut.1.weight'], 'conv_A.2.shortcut.1.weight'],
      [['enc_a', 1, 'fc_A.0.weight'], 'fc_A.0.weight'],
      [['gen', 0, 'decA1.conv1.0.1.weight'], 'decA1.conv1.0.weight'],
      [['gen', 0, 'decB4.conv2.0.1.bias'], 'decB4.conv2.0.bias'],
      [['gen', 0, 'decA1.blk1.0.weight'], 'decA1.blk1.0.weight'],
      [['gen', 0, 'decA5.0.model.0.weight'], 'decA5.0.model.0.weight'],
      [['gen', 0, 'mlpB.4.bias'], 'mlpB.4.bias'],
      [['gen', 1, 'dec_share.0.model.1.weight'], 'dec_share.0.model.0.weight'],
      [['gen', 1, 'decB1.2.model.5.bias'], 'decB1.2.model.3.bias'],
      [['gen', 1, 'decA2.0.model.0.weight'], 'decA2.0.model.0.weight'],
      [['gen', 1, 'decA4.0.weight'], 'decA4.0.weight'],
    ];
    for (const [args, old] of cases) expect(zeroEraKey(...args), args.join(' ')).toBe(old);
  });
});

describe('layout: errors name the keys', () => {
  const arch: ArchitectureShape = { variant: { concat: 0, layerNorm: 'new', padding: 'reflect' }, widths: NARROW_C0, channels: { a: 3, b: 3 }, nz: 8 };

  const layoutError = (sd: DritStateDicts): LayoutError => {
    try {
      mapDritLayout(sd);
    } catch (e) {
      expect(e).toBeInstanceOf(LayoutError);
      expect((e as LayoutError).code).toBe('LAYOUT_MISMATCH');
      return e as LayoutError;
    }
    throw new Error('expected a LayoutError');
  };

  it('a missing key', () => {
    const sd = build(arch);
    sd.gen.delete('decB3.blk2.0.bias');
    const e = layoutError(sd);
    expect(e.missing).toEqual(['gen.decB3.blk2.0.bias']);
    expect(e.message).toContain('gen.decB3.blk2.0.bias');
    expect(e.misshaped).toEqual([]);
  });

  it('a misshaped key', () => {
    const sd = build(arch);
    sd.enc_c.set('convA.4.model.5.weight', { shape: [16, 15, 3, 3], data: new Float32Array(16 * 15 * 9), sourceDtype: 'float32' });
    const e = layoutError(sd);
    expect(e.misshaped.map((m) => m.name)).toEqual(['enc_c.convA.4.model.5.weight']);
    expect(e.message).toContain('enc_c.convA.4.model.5.weight is (16,15,3,3), expected (16,16,3,3)');
  });

  it('an inconsistent width is reported on the keys that disagree with the anchors', () => {
    const sd = build(arch);
    sd.gen.set('decA2.conv1.0.1.weight', { shape: [17, 17, 3, 3], data: new Float32Array(17 * 17 * 9), sourceDtype: 'float32' });
    expect(layoutError(sd).misshaped.map((m) => m.name)).toEqual(['gen.decA2.conv1.0.1.weight']);
  });

  it('a missing key of a zero-era checkpoint also names the stored key', () => {
    const sd = build({ ...arch, variant: { concat: 0, layerNorm: 'old', padding: 'zero' } });
    sd.enc_a.delete('model_b.6.weight');
    const e = layoutError(sd);
    expect(e.missing).toEqual(['enc_a.model_b.10.weight (stored as enc_a.model_b.6.weight)']);
  });

  it('unexpected keys: an error, except harmless buffers; strict=false reports them', () => {
    const sd = build(arch);
    sd.gen.set('decA1.extra.weight', { shape: [1], data: new Float32Array(1), sourceDtype: 'float32' });
    expect(layoutError(sd).unexpected).toEqual(['gen.decA1.extra.weight']);
    expect(mapDritLayout(sd, { strict: false }).unexpectedKeys).toEqual(['gen.decA1.extra.weight']);
    sd.gen.delete('decA1.extra.weight');
    sd.enc_c.set('convA.1.norm.num_batches_tracked', { shape: [], data: new Float32Array(1), sourceDtype: 'float32' });
    expect(mapDritLayout(sd).unexpectedKeys).toEqual(['enc_c.convA.1.norm.num_batches_tracked']);
  });

  it('several problems at once are all listed', () => {
    const sd = build(arch);
    sd.enc_c.delete('convB.0.model.1.bias');
    sd.enc_a.delete('model_a.13.weight');
    sd.gen.set('mlpA.2.weight', { shape: [12, 11], data: new Float32Array(132), sourceDtype: 'float32' });
    const e = layoutError(sd);
    expect(e.missing).toEqual(['enc_c.convB.0.model.1.bias', 'enc_a.model_a.13.weight']);
    expect(e.misshaped.map((m) => m.name)).toEqual(['gen.mlpA.2.weight']);
  });

  it('a state dict of another network is an unknown variant', () => {
    const other: DritStateDicts = { enc_c: new Map(), enc_a: new Map(), gen: stateDict([['fc.weight', [2, 2]]]) };
    const e = (() => {
      try {
        mapDritLayout(other);
      } catch (err) {
        return err as CheckpointError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('UNKNOWN_VARIANT');
    expect(e.message).toContain('fc.weight');
  });

  it('enc_a and gen of different variants', () => {
    const c0 = build(arch);
    const c1 = build({ ...arch, variant: { concat: 1, layerNorm: 'new', padding: 'reflect' }, widths: NARROW_C1 });
    expect(() => mapDritLayout({ enc_c: c0.enc_c, enc_a: c1.enc_a, gen: c0.gen })).toThrow(/gen looks like concat=0 but enc_a looks like concat=1/);
  });
});
