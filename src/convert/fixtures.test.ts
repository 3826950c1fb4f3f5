/**
 * The converter on the shared fixtures (fixtures/, written by fixtures/generate.py with the
 * independent PyTorch networks in training/drit): every fixture converts, variants are detected,
 * legacy and zip files of the same weights give byte-identical packs, and every converted tensor
 * equals the PyTorch tensor permuted by an independent Python implementation of the layout table.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../pack/float16';
import type { DritVariant, NamedWeight, PackManifest } from '../pack/manifest';
import { readPack } from '../pack/read';
import { convertCheckpoint, type ConvertResult } from './convert';
import { zeroEraKey, type DritModule } from './layout';
import { REPO, hasTorch, runPy } from './testing/helpers';

const FIX = join(REPO, 'fixtures');

const CASES: Array<{ dir: string; formats: Array<'legacy' | 'zip'>; variant: DritVariant; contentChannels: number }> = [
  { dir: 'c0', formats: ['legacy', 'zip'], variant: { concat: 0, layerNorm: 'new', padding: 'reflect' }, contentChannels: 8 },
  { dir: 'c1', formats: ['legacy', 'zip'], variant: { concat: 1, layerNorm: 'new', padding: 'reflect' }, contentChannels: 4 },
  { dir: 'c1_oldln', formats: ['legacy'], variant: { concat: 1, layerNorm: 'old', padding: 'reflect' }, contentChannels: 4 },
  { dir: 'c0_zeropad', formats: ['legacy'], variant: { concat: 0, layerNorm: 'old', padding: 'zero' }, contentChannels: 8 },
  // ours: checkpoint['arch'] says E_attr uses LeakyReLU(0.2); only the manifest can carry that on
  { dir: 'c0_leaky', formats: ['zip'], variant: { concat: 0, layerNorm: 'new', padding: 'reflect', encAActivation: 'leakyrelu' }, contentChannels: 8 },
];

const fixturePath = (dir: string, format: string): string => join(FIX, dir, `checkpoint_${format}.pth`);
const haveFixtures = CASES.every((c) => c.formats.every((f) => existsSync(fixturePath(c.dir, f))));

const source = (files: Map<string, Uint8Array>) => ({
  async readFile(p: string): Promise<Uint8Array> {
    const f = files.get(p);
    if (!f) throw new Error(`missing ${p}`);
    return f;
  },
});

function withoutSource(m: PackManifest): PackManifest {
  const c = JSON.parse(JSON.stringify(m)) as PackManifest;
  delete c.provenance?.sourceFormat;
  delete c.provenance?.sourceSha256;
  return c;
}

describe.skipIf(!haveFixtures)('converter on fixtures/', () => {
  const results = new Map<string, ConvertResult>();
  const get = (dir: string, format: string): ConvertResult => results.get(`${dir}/${format}`) as ConvertResult;

  beforeAll(async () => {
    for (const c of CASES) {
      for (const f of c.formats) results.set(`${c.dir}/${f}`, await convertCheckpoint(new Uint8Array(readFileSync(fixturePath(c.dir, f))), { name: c.dir }));
    }
  });

  for (const c of CASES) {
    for (const f of c.formats) {
      it(`${c.dir}/${f}: converts, with variant ${JSON.stringify(c.variant)}`, async () => {
        const r = get(c.dir, f);
        expect(r.report.variant).toEqual(c.variant);
        expect(r.manifest.variant).toEqual(c.variant);
        expect(r.report.sourceFormat).toBe(f);
        expect(r.report.widths.contentChannels).toBe(c.contentChannels);
        expect(r.manifest.nz).toBe(8);
        expect(r.manifest.channels).toEqual({ a: 3, b: 3 });
        expect(r.report.unexpectedKeys).toEqual([]);
        expect(r.report.ignoredEntries).toEqual(expect.arrayContaining(['disContent', 'enc_c_opt', 'ep', 'total_it']));
        expect(r.report.ignoredEntries).not.toContain('arch');
        expect(r.manifest.formatVersion).toBe(c.variant.encAActivation === 'leakyrelu' ? 2 : 1);
        expect(r.manifest.provenance?.epoch).toEqual(expect.any(Number));
        expect(r.manifest.provenance?.totalIterations).toEqual(expect.any(Number));
        expect(r.manifest.weights.length).toBe(c.variant.concat === 0 ? 40 + 24 + 128 : 40 + 48 + 48);
        const { weights } = await readPack(source(r.files));
        expect(weights.map((w) => w.name)).toEqual(r.manifest.weights.map((w) => w.name));
      });
    }
  }

  for (const c of CASES.filter((x) => x.formats.length === 2)) {
    it(`${c.dir}: legacy and zip give byte-identical shards and equal manifests apart from the source`, () => {
      const a = get(c.dir, 'legacy');
      const b = get(c.dir, 'zip');
      expect([...a.files.keys()]).toEqual([...b.files.keys()]);
      for (const [k, v] of a.files) {
        if (k === 'manifest.json') continue;
        expect(Buffer.compare(Buffer.from(v), Buffer.from(b.files.get(k) as Uint8Array)), k).toBe(0);
      }
      expect(withoutSource(a.manifest)).toEqual(withoutSource(b.manifest));
      expect(a.manifest.provenance?.sourceFormat).toBe('legacy');
      expect(b.manifest.provenance?.sourceFormat).toBe('zip');
      expect(a.manifest.provenance?.sourceSha256).not.toBe(b.manifest.provenance?.sourceSha256);
    });
  }

  it('float16 packs hold the float32 values rounded to nearest even', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('c1', 'zip')));
    const h = await convertCheckpoint(bytes, { dtype: 'float16' });
    const f = get('c1', 'zip');
    const [wh, wf] = [(await readPack(source(h.files))).weights, (await readPack(source(f.files))).weights];
    wh.forEach((w, i) => {
      const ref = (wf[i] as NamedWeight).data;
      expect(w.data).toEqual(Float32Array.from(ref, (x) => float16BitsToFloat32(float32ToFloat16Bits(x))));
    });
  });

  describe.skipIf(!hasTorch())('values against torch.load', () => {
    // Independent Python statement of the layout table in docs/model-pack.md, applied to the
    // tensors as torch.load returns them (keys as stored in the file).
    const DUMP = String.raw`
import json, re, sys, torch
out = {}
for path in sys.argv[2:]:
    ck = torch.load(path, map_location='cpu')
    d = {}
    for mod in ('enc_c', 'enc_a', 'gen'):
        for k, t in ck[mod].items():
            t = t.float()
            if t.dim() == 4 and re.match(r'^dec[AB](5\.2|4\.0)\.weight$', k) and mod == 'gen':
                p = t.permute(2, 3, 0, 1)      # 1x1 ConvTranspose2d (in,out,1,1) -> [1,1,in,out]
            elif t.dim() == 4:
                p = t.permute(2, 3, 1, 0)      # Conv2d / ConvTranspose2d -> [kh,kw,in,out] / [kh,kw,out,in]
            elif t.dim() == 2:
                p = t.t()                      # Linear (out,in) -> [in,out]
            else:
                p = t.reshape(-1)              # biases, LayerNorm (C,1,1) / (C,)
            d[mod + '.' + k] = {'shape': list(p.shape), 'values': p.contiguous().view(-1).tolist()}
    out[path] = d
json.dump(out, open(sys.argv[1], 'w'))
`;
    let torchValues: Record<string, Record<string, { shape: number[]; values: number[] }>> = {};
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'drit-fix-'));
      const paths = CASES.flatMap((c) => c.formats.map((f) => fixturePath(c.dir, f)));
      runPy(DUMP, { args: [join(dir, 'values.json'), ...paths] });
      torchValues = JSON.parse(readFileSync(join(dir, 'values.json'), 'utf8')) as typeof torchValues;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** Canonical pack name -> key as stored in the checkpoint. */
    const storedName = (name: string, v: DritVariant): string => {
      const dot = name.indexOf('.');
      const module = name.slice(0, dot) as DritModule;
      let key = name.slice(dot + 1);
      if (v.padding === 'zero') key = zeroEraKey(module, v.concat, key);
      if (v.layerNorm === 'old' && /^dec[AB]([25]\.[01]|3\.0)\.model\.1\.(weight|bias)$/.test(key) && module === 'gen') {
        key = key.replace(/weight$/, 'gamma').replace(/bias$/, 'beta');
      }
      return `${module}.${key}`;
    };

    for (const c of CASES) {
      for (const f of c.formats) {
        it(`${c.dir}/${f}: every converted tensor equals the permuted PyTorch tensor`, async () => {
          const r = get(c.dir, f);
          const { weights } = await readPack(source(r.files));
          const ref = torchValues[fixturePath(c.dir, f)] as Record<string, { shape: number[]; values: number[] }>;
          expect(weights.length).toBe(Object.keys(ref).length);
          for (const w of weights) {
            const t = ref[storedName(w.name, c.variant)];
            expect(t, w.name).toBeDefined();
            expect(w.shape, w.name).toEqual(t?.shape);
            expect(Array.from(w.data), w.name).toEqual(t?.values.map((x) => Math.fround(x)));
          }
        });
      }
    }

    it('c0_zeropad: hand-checked old key names (docs/drit-reference.md §12) map to the HEAD names', async () => {
      const { weights } = await readPack(source(get('c0_zeropad', 'legacy').files));
      const ref = torchValues[fixturePath('c0_zeropad', 'legacy')] as Record<string, { shape: number[]; values: number[] }>;
      const pairs: Array<[string, string]> = [
        ['enc_c.convA.0.model.1.weight', 'enc_c.convA.0.model.0.weight'],
        ['enc_c.convB.4.model.5.bias', 'enc_c.convB.4.model.3.bias'],
        ['enc_c.conv_share.0.model.1.weight', 'enc_c.conv_share.0.model.0.weight'],
        ['enc_a.model_a.16.weight', 'enc_a.model_a.11.weight'],
        ['enc_a.model_b.4.bias', 'enc_a.model_b.2.bias'],
        ['gen.decB2.conv2.0.1.weight', 'gen.decB2.conv2.0.weight'],
        ['gen.decA5.1.model.1.weight', 'gen.decA5.1.model.1.gamma'],
        ['gen.decA5.1.model.1.bias', 'gen.decA5.1.model.1.beta'],
        ['gen.mlpB.4.weight', 'gen.mlpB.4.weight'],
      ];
      for (const [head, old] of pairs) {
        const w = weights.find((x) => x.name === head);
        expect(w, head).toBeDefined();
        expect(Array.from(w?.data ?? []), head).toEqual(ref[old]?.values.map((x) => Math.fround(x)));
      }
    });
  });
});
