/**
 * The library against the PyTorch references: a pack converted from the c0 fixture checkpoint is
 * loaded through `load()` from a folder, and the fixture photo translated with the fixture's z and
 * with its reference photo must match the PNGs PyTorch wrote (training/make_fixtures.py), as the
 * CLI's must. Plus the default model, the input kinds, and the errors.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleNormal } from '../drit/random';
import { decodeImageFile } from '../image/node-io';
import { makeTempDir } from '../image/test-utils';
import { toRgba } from '../image/postprocess';
import { FIXTURES, fixturePack } from '../testing/fixtures';
import { DEFAULT_MODEL_URL, DritError, load, type DritTranslator } from './index';

const tmp = makeTempDir('lib');
const packDir = tmp.path('c0');
const tfix = (f: string): string => join(FIXTURES, 'translate', f);
const spec = JSON.parse(readFileSync(tfix('translate.json'), 'utf8')) as { z: number[] };
const bytes = (f: string): Uint8Array => new Uint8Array(readFileSync(tfix(f)));
let drit: DritTranslator;

/** uint8 truncation may flip a value by one where the float lands on an integer (as the CLI test). */
function expectMatchesPng(img: ImageData, refFile: string): void {
  const ref = decodeImageFile(bytes(refFile));
  expect([img.width, img.height]).toEqual([ref.width, ref.height]);
  const want = toRgba(ref);
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(img.data[i]! - want[i]!);
    maxDiff = Math.max(maxDiff, d);
    if (d) differing++;
  }
  expect(maxDiff).toBeLessThanOrEqual(1);
  expect(differing / want.length).toBeLessThan(1e-3);
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DritError);
    return (e as DritError).code;
  }
  return undefined;
}

beforeAll(async () => {
  const { files } = await fixturePack('c0');
  mkdirSync(packDir);
  for (const [name, b] of files) writeFileSync(join(packDir, name), b);
  drit = await load({ model: packDir, backend: 'cpu' });
});

afterAll(() => {
  drit?.dispose();
  tmp.cleanup();
});

describe('load() + translate reproduce PyTorch', () => {
  it('explicit z, from PNG bytes', async () => {
    const { images, z } = await drit.translate(bytes('input.png'), { direction: 'a2b', z: spec.z });
    expect(images).toHaveLength(1);
    expect(z[0]).toEqual(spec.z.map((v) => Math.fround(v)));
    expectMatchesPng(images[0]!, 'out_z.png');
  });

  it('reference photo, from ImageData-shaped input and a content code', async () => {
    const input = decodeImageFile(bytes('input.png'));
    const rgba = { width: input.width, height: input.height, data: toRgba(input) };
    const code = await drit.encodeContent(rgba, 'a2b');
    expect(code.shape[0]).toBe(1);
    expect(code.input.width).toBe(drit.info.size);
    const { images } = await drit.translate(code, { reference: bytes('reference.png') });
    expectMatchesPng(images[0]!, 'out_ref.png');
    const attr = await drit.encodeAttribute(bytes('reference.png'), 'b');
    expect(attr.mu).toHaveLength(drit.info.nz);
  });

  it('seeded samples: the seed gives the same z as the page and the CLI', async () => {
    const a = await drit.translate(bytes('input.png'), { seed: 5, samples: 3 });
    expect(a.images).toHaveLength(3);
    expect(a.seed).toBe(5);
    expect(a.z.flat()).toEqual(Array.from(sampleNormal(5, 3, 8)));
    const b = await drit.translate(bytes('input.png'), { seed: 5 });
    expect(Buffer.from(b.images[0]!.data).equals(Buffer.from(a.images[0]!.data))).toBe(true);
    expect(Buffer.from(a.images[1]!.data).equals(Buffer.from(a.images[0]!.data))).toBe(false);
  });
});

describe('errors are DritErrors with a code', () => {
  it('bad options and images', async () => {
    expect(await codeOf(drit.translate(bytes('input.png'), { z: [1, 2, 3] }))).toBe('BAD_INPUT');
    expect(await codeOf(drit.translate(bytes('input.png'), { z: spec.z, seed: 1 }))).toBe('BAD_INPUT');
    expect(await codeOf(drit.translate(bytes('input.png'), { direction: 'x2y' as 'a2b' }))).toBe('BAD_INPUT');
    expect(await codeOf(drit.translate(bytes('input.png'), { samples: 0 }))).toBe('BAD_INPUT');
    expect(await codeOf(drit.translate(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])))).toBe('UNSUPPORTED_FORMAT');
    expect(await codeOf(drit.translate({ width: 2, height: 2, data: new Uint8ClampedArray(3) }))).toBe('BAD_INPUT');
  });

  it('missing, damaged and unusable packs', async () => {
    // the pack reader's code for a manifest it cannot read; the message says where and why
    expect(await codeOf(load({ model: tmp.path('nowhere') }))).toBe('MISSING_MANIFEST');
    await expect(load({ model: tmp.path('nowhere') })).rejects.toThrow(/nowhere: cannot read manifest\.json \(ENOENT/);
    const broken = tmp.path('broken');
    mkdirSync(broken);
    for (const f of ['manifest.json', 'weights-0.bin']) writeFileSync(join(broken, f), readFileSync(join(packDir, f)));
    const shard = readFileSync(join(broken, 'weights-0.bin'));
    shard[100]! ^= 0xff;
    writeFileSync(join(broken, 'weights-0.bin'), shard);
    expect(await codeOf(load({ model: broken }))).toBe('SHARD_HASH_MISMATCH');
    expect(await codeOf(load({ model: packDir, backend: 'webgl' }))).toBe('BACKEND');
    await expect(load({ model: 'http://127.0.0.1:9/pack/' })).rejects.toThrow(/http:\/\/127\.0\.0\.1:9\/pack\/manifest\.json could not be downloaded/);
  });

  it('a disposed model', async () => {
    const other = await load({ model: packDir, warmUp: false });
    other.dispose();
    expect(await codeOf(other.translate(bytes('input.png'), { seed: 1 }))).toBe('DISPOSED');
  });
});

it('the default model (cat ⇄ dog) loads from the package folder', async () => {
  expect(DEFAULT_MODEL_URL).toMatch(/^file:.*\/public\/models\/cat2dog\/$/);
  const cat2dog = await load();
  try {
    expect(cat2dog.info).toMatchObject({ name: 'cat2dog', domains: { a: 'cat', b: 'dog' }, nz: 8, size: 128, backend: 'cpu' });
    const { images } = await cat2dog.translate(new Uint8Array(readFileSync(join(FIXTURES, '..', 'public/examples/chelsea.png'))), { seed: 1 });
    expect([images[0]!.width, images[0]!.height]).toEqual([128, 128]);
  } finally {
    cat2dog.dispose();
  }
});
