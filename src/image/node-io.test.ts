/** decodeImageFile / encodePng vs PIL `Image.open(...).convert('RGB')`, and decode errors. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS, ImageError, decodeImageFile, encodePng, readImageHeader } from './node-io';
import { exifOrientation } from './orientation';
import {
  PNG_SIG,
  REPO_ROOT,
  SKIP_PIL,
  SKIP_PIL_REASON,
  concatBytes,
  craftPng,
  firstDiff,
  ihdr,
  makeTempDir,
  makeTestImage,
  pngChunk,
  rawInput,
  readBytes,
  rng,
  runPil,
  type CraftPng,
  type PilJob,
  type PilResults,
} from './test-utils';

const DATASET = join(REPO_ROOT, '../shared/datasets/cat2dog');

function expectImageError(fn: () => unknown, code: string, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ImageError);
  expect((err as ImageError).code).toBe(code);
  expect((err as ImageError).message).toMatch(message);
}

/** Packed samples for craftPng: `f(x, y, channel)` -> sample value, `bits` per sample. */
function pack(w: number, h: number, ch: number, bits: number, f: (x: number, y: number, c: number) => number): Uint8Array {
  const rowBytes = Math.ceil((w * ch * bits) / 8);
  const out = new Uint8Array(rowBytes * h);
  for (let y = 0; y < h; y++) {
    let bit = 0;
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < ch; c++) {
        const v = f(x, y, c);
        if (bits === 16) {
          out[y * rowBytes + bit / 8] = v >> 8;
          out[y * rowBytes + bit / 8 + 1] = v & 255;
        } else if (bits === 8) {
          out[y * rowBytes + bit / 8] = v;
        } else {
          const byte = y * rowBytes + (bit >> 3);
          out[byte] = out[byte]! | (v << (8 - bits - (bit & 7)));
        }
        bit += bits;
      }
    }
  }
  return out;
}

const W = 23;
const H = 17;
const r = rng(99);
const noise16 = Array.from({ length: W * H * 4 }, () => Math.floor(r() * 65536));
const n16 = (x: number, y: number, c: number) => noise16[(y * W + x) * 4 + c]!;
const n8 = (x: number, y: number, c: number) => n16(x, y, c) >> 8;
const palette = new Uint8Array(Array.from({ length: 256 * 3 }, (_, i) => (i * 37) & 255));

/** Crafted PNG variants covering every colour type / bit depth PIL distinguishes. */
const CRAFTED: Record<string, CraftPng> = {
  rgb8: { width: W, height: H, bitDepth: 8, colorType: 2, rows: pack(W, H, 3, 8, n8) },
  rgba8: { width: W, height: H, bitDepth: 8, colorType: 6, rows: pack(W, H, 4, 8, n8) },
  gray8: { width: W, height: H, bitDepth: 8, colorType: 0, rows: pack(W, H, 1, 8, n8) },
  gray4: { width: W, height: H, bitDepth: 4, colorType: 0, rows: pack(W, H, 1, 4, (x, y) => (x + y) & 15) },
  gray2: { width: W, height: H, bitDepth: 2, colorType: 0, rows: pack(W, H, 1, 2, (x, y) => (x * y) & 3) },
  gray1: { width: W, height: H, bitDepth: 1, colorType: 0, rows: pack(W, H, 1, 1, (x, y) => (x ^ y) & 1) },
  graya8: { width: W, height: H, bitDepth: 8, colorType: 4, rows: pack(W, H, 2, 8, n8) },
  pal8trns: {
    width: W, height: H, bitDepth: 8, colorType: 3, rows: pack(W, H, 1, 8, (x, y) => (x * 7 + y) & 255),
    palette, trns: new Uint8Array([0, 128, 255, 7]),
  },
  pal4: { width: W, height: H, bitDepth: 4, colorType: 3, rows: pack(W, H, 1, 4, (x, y) => (x + 2 * y) & 15), palette: palette.subarray(0, 48) },
  pal1: { width: W, height: H, bitDepth: 1, colorType: 3, rows: pack(W, H, 1, 1, (x) => x & 1), palette: new Uint8Array([10, 20, 30, 200, 210, 220]) },
  // colour key: PIL's convert('RGB') keeps the keyed colour (pngjs alone would zero it)
  rgb8trns: { width: W, height: H, bitDepth: 8, colorType: 2, rows: pack(W, H, 3, 8, (x, y, c) => ((x + y) % 3 === 0 ? [1, 2, 3][c]! : n8(x, y, c))), trns: new Uint8Array([0, 1, 0, 2, 0, 3]) },
  gray8trns: { width: W, height: H, bitDepth: 8, colorType: 0, rows: pack(W, H, 1, 8, (x) => x * 10), trns: new Uint8Array([0, 50]) },
  rgb16: { width: W, height: H, bitDepth: 16, colorType: 2, rows: pack(W, H, 3, 16, n16) },
  rgba16: { width: W, height: H, bitDepth: 16, colorType: 6, rows: pack(W, H, 4, 16, n16) },
  graya16: { width: W, height: H, bitDepth: 16, colorType: 4, rows: pack(W, H, 2, 16, n16) },
  // PIL mode "I": convert('RGB') clamps to [0, 255]; use small values too so it is not all white
  gray16: { width: W, height: H, bitDepth: 16, colorType: 0, rows: pack(W, H, 1, 16, (x, y, c) => (x < 10 ? (x * 31 + y) : n16(x, y, c))) },
};

/**
 * PIL-written files (PNG modes and JPEG flavours) of the hard-edged test pattern ('photo') or a
 * smooth image; all must decode bit-identically (the wider JPEG matrix is in jpeg.test.ts).
 */
const PIL_ENCODED: Array<{
  id: string;
  src: 'photo' | 'smooth';
  format: 'PNG' | 'JPEG';
  mode?: string;
  options?: Record<string, unknown>;
}> = [
  { id: 'pil-png-P', src: 'photo', format: 'PNG', mode: 'P' },
  { id: 'pil-png-L', src: 'photo', format: 'PNG', mode: 'L' },
  { id: 'pil-png-LA', src: 'photo', format: 'PNG', mode: 'LA' },
  { id: 'pil-png-1', src: 'photo', format: 'PNG', mode: '1' },
  { id: 'jpeg-pattern-q95-444', src: 'photo', format: 'JPEG', options: { quality: 95, subsampling: 0 } },
  { id: 'jpeg-pattern-q75-444-progressive', src: 'photo', format: 'JPEG', options: { quality: 75, subsampling: 0, progressive: true } },
  { id: 'jpeg-pattern-gray', src: 'photo', format: 'JPEG', mode: 'L', options: { quality: 90 } },
  { id: 'jpeg-pattern-q90-420', src: 'photo', format: 'JPEG', options: { quality: 90 } },
  { id: 'jpeg-smooth-q90-420', src: 'smooth', format: 'JPEG', options: { quality: 90 } },
  { id: 'jpeg-smooth-q75-420-progressive', src: 'smooth', format: 'JPEG', options: { quality: 75, progressive: true } },
  { id: 'jpeg-smooth-q90-422', src: 'smooth', format: 'JPEG', options: { quality: 90, subsampling: 1 } },
];

const DATASET_JPEGS = ['trainA/0.jpg', 'trainA/1.jpg', 'trainB/106.jpg', 'trainB/1060.jpg']
  .map((f) => join(DATASET, f))
  .filter((f) => existsSync(f));

describe.skipIf(SKIP_PIL)(`decodeImageFile vs PIL open().convert('RGB') ${SKIP_PIL ? SKIP_PIL_REASON : ''}`, () => {
  const tmp = makeTempDir('nodeio');
  const photo = makeTestImage(97, 61, 5);
  // A smooth image too (typical photo content; the pattern is all hard edges).
  const smooth = {
    width: 96,
    height: 64,
    data: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => {
      const p = Math.floor(i / 3);
      const x = p % 96;
      const y = Math.floor(p / 96);
      return Math.round(128 + 100 * Math.sin(x / 9 + (i % 3)) * Math.cos(y / 13));
    }),
  };
  let results: PilResults = {};
  const jpegStats: string[] = [];
  let worstJpeg = 0;

  beforeAll(() => {
    const jobs: PilJob[] = [];
    const src = rawInput(tmp.path('photo.raw'), photo);
    const srcSmooth = rawInput(tmp.path('smooth.raw'), smooth);
    for (const e of PIL_ENCODED) {
      const ext = e.format === 'PNG' ? 'png' : 'jpg';
      const input = e.src === 'photo' ? src : srcSmooth;
      jobs.push({ id: `enc-${e.id}`, op: 'encode', ...input, format: e.format, mode: e.mode ?? 'RGB', options: e.options ?? {}, out: tmp.path(`${e.id}.${ext}`) });
      jobs.push({ id: e.id, op: 'decode', src: tmp.path(`${e.id}.${ext}`), out: tmp.path(`${e.id}.rgb`) });
    }
    for (const [id, spec] of Object.entries(CRAFTED)) {
      writeFileSync(tmp.path(`${id}.png`), craftPng(spec));
      jobs.push({ id, op: 'decode', src: tmp.path(`${id}.png`), out: tmp.path(`${id}.rgb`) });
    }
    writeFileSync(tmp.path('ours.png'), encodePng(photo));
    jobs.push({ id: 'ours', op: 'decode', src: tmp.path('ours.png'), out: tmp.path('ours.rgb') });
    DATASET_JPEGS.forEach((f, i) => jobs.push({ id: `ds${i}`, op: 'decode', src: f, out: tmp.path(`ds${i}.rgb`) }));
    results = runPil(jobs, tmp.dir);
  });
  afterAll(() => {
    tmp.cleanup();
    if (jpegStats.length) console.info(`JPEG decode vs PIL (libjpeg-turbo):\n  ${jpegStats.join('\n  ')}\n  worst max |diff| = ${worstJpeg}`);
  });

  function decodeBoth(id: string, file: string): { ours: Uint8Array; ref: Uint8Array } {
    const res = results[id]!;
    expect(res.error, `PIL could not decode ${id}`).toBeUndefined();
    const img = decodeImageFile(readFileSync(file));
    expect([img.width, img.height]).toEqual(res.size);
    expect(readImageHeader(readFileSync(file))).toMatchObject({ width: img.width, height: img.height });
    return { ours: img.data, ref: readBytes(tmp.path(`${id}.rgb`)) };
  }

  it('encodePng output is read back by PIL unchanged', () => {
    const { ours, ref } = decodeBoth('ours', tmp.path('ours.png'));
    expect(firstDiff(ref, photo.data)).toBe(-1);
    expect(firstDiff(ours, photo.data)).toBe(-1);
  });

  it.each(Object.keys(CRAFTED))('crafted PNG %s decodes exactly like PIL', (id) => {
    const { ours, ref } = decodeBoth(id, tmp.path(`${id}.png`));
    const at = firstDiff(ours, ref);
    expect(at, `first difference at byte ${at}: ours ${ours[at]} PIL ${ref[at]}`).toBe(-1);
  });

  it.each(PIL_ENCODED.filter((e) => e.format === 'PNG').map((e) => e.id))('PIL-written %s decodes exactly like PIL', (id) => {
    const { ours, ref } = decodeBoth(id, tmp.path(`${id}.png`));
    expect(firstDiff(ours, ref)).toBe(-1);
  });

  const jpegCases = [
    ...PIL_ENCODED.filter((e) => e.format === 'JPEG').map((e) => ({ id: e.id, file: tmp.path(`${e.id}.jpg`) })),
    // real photos (4:2:0), read from ../shared if present
    ...DATASET_JPEGS.map((f, i) => ({ id: `ds${i}`, file: f })),
  ];
  it.each(jpegCases)('JPEG $id decodes exactly like PIL', ({ id, file }) => {
    const { ours, ref } = decodeBoth(id, file);
    let max = 0;
    for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - ref[i]!));
    const name = id.startsWith('ds') ? DATASET_JPEGS[Number(id.slice(2))]!.slice(DATASET.length + 1) : id;
    jpegStats.push(`${name}: max |diff| ${max}`);
    worstJpeg = Math.max(worstJpeg, max);
    expect(max).toBe(0);
  });
});

describe('EXIF orientation (the browsers\' policy; reference: Pillow\'s ImageOps.exif_transpose)', () => {
  const tmp = makeTempDir('exif');
  let results: PilResults = {};
  const cases = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((o) => [
    { id: `jpeg-o${o}`, format: 'JPEG', ext: 'jpg', o, options: { quality: 95 } },
    { id: `png-o${o}`, format: 'PNG', ext: 'png', o, options: {} },
  ]);
  beforeAll(() => {
    const raw = rawInput(tmp.path('src.raw'), makeTestImage(13, 7, 5));
    const jobs: PilJob[] = [];
    for (const c of cases) {
      const file = tmp.path(`${c.id}.${c.ext}`);
      jobs.push({ id: `enc-${c.id}`, op: 'encode', ...raw, format: c.format, options: c.options, orientation: c.o, out: file });
      jobs.push({ id: c.id, op: 'decode', src: file, exif_transpose: true, out: tmp.path(`${c.id}.rgb`) });
      jobs.push({ id: `${c.id}-raw`, op: 'decode', src: file, out: tmp.path(`${c.id}-raw.rgb`) });
    }
    results = runPil(jobs, tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  it.skipIf(SKIP_PIL)('every orientation 1-8, JPEG and PNG, is upright and bit-exact; "ignore" gives the raw pixels', () => {
    for (const c of cases) {
      const bytes = readBytes(tmp.path(`${c.id}.${c.ext}`));
      expect(exifOrientation(bytes), c.id).toBe(c.o);
      const img = decodeImageFile(bytes);
      expect([img.width, img.height], c.id).toEqual(results[c.id]!.size);
      expect(firstDiff(img.data, readBytes(tmp.path(`${c.id}.rgb`))), c.id).toBe(-1);
      const raw = decodeImageFile(bytes, { orientation: 'ignore' });
      expect([raw.width, raw.height], c.id).toEqual([13, 7]);
      expect(firstDiff(raw.data, readBytes(tmp.path(`${c.id}-raw.rgb`))), c.id).toBe(-1);
    }
  });

  it('a malformed EXIF block means "as is"', () => {
    const jpeg = concatBytes([new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x0c]), new TextEncoder().encode('Exif\0\0'), new Uint8Array([0x49, 0x49, 0x2a, 0x00])]);
    expect(exifOrientation(jpeg)).toBe(1);
    expect(exifOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]))).toBe(1);
  });
});

describe('decodeImageFile errors', () => {
  const smallPng = encodePng(makeTestImage(30, 20, 1));

  it('zero bytes -> EMPTY "empty file"', () => {
    expectImageError(() => decodeImageFile(new Uint8Array(0)), 'EMPTY', /^empty file$/);
  });

  it('random bytes / text / other formats -> UNSUPPORTED_FORMAT naming the first bytes', () => {
    const r = rng(3);
    const random = Uint8Array.from({ length: 1000 }, () => Math.floor(r() * 256));
    random[0] = 0x42; // make sure it cannot start with a PNG/JPEG signature
    expectImageError(() => decodeImageFile(random), 'UNSUPPORTED_FORMAT', /^not a PNG or JPEG image \(starts with 42 /);
    const text = new TextEncoder().encode('hello, this is a text file\n');
    expectImageError(() => decodeImageFile(text), 'UNSUPPORTED_FORMAT', /starts with 68 65 6c 6c 6f 2c 20 74 \.\.\. "hello, t"/);
    expectImageError(() => decodeImageFile(new TextEncoder().encode('GIF89a\x01\x00')), 'UNSUPPORTED_FORMAT', /"GIF89a\.\."/);
    expectImageError(() => decodeImageFile(new Uint8Array([0xff, 0xd8])), 'UNSUPPORTED_FORMAT', /ff d8/);
  });

  it('truncated PNG -> CORRUPT with the reason', () => {
    expectImageError(() => decodeImageFile(smallPng.subarray(0, Math.floor(smallPng.length / 2))), 'CORRUPT', /corrupt PNG: file is truncated/);
    expectImageError(() => decodeImageFile(smallPng.subarray(0, 20)), 'CORRUPT', /corrupt PNG/);
    expectImageError(() => decodeImageFile(smallPng.subarray(0, 33)), 'CORRUPT', /no image data/);
    // only the IEND chunk missing: accepted, like PIL
    expect(decodeImageFile(smallPng.subarray(0, smallPng.length - 12)).data).toEqual(decodeImageFile(smallPng).data);
  });

  it('corrupt PNG data -> CORRUPT', () => {
    const bad = smallPng.slice();
    bad[bad.length - 20] = bad[bad.length - 20]! ^ 0xff; // inside IDAT (CRC now wrong too)
    expectImageError(() => decodeImageFile(bad), 'CORRUPT', /^corrupt PNG \(.+\)$/);
  });

  it('truncated JPEG -> CORRUPT with the reason', () => {
    const img = makeTestImage(40, 30, 2);
    const rgba = new Uint8Array(40 * 30 * 4);
    for (let i = 0; i < 40 * 30; i++) rgba.set([...img.data.subarray(i * 3, i * 3 + 3), 255], i * 4);
    const jpeg = new Uint8Array(encodeJpeg({ width: 40, height: 30, data: rgba }, 90).data);
    expect(decodeImageFile(jpeg).width).toBe(40);
    for (const frac of [0.3, 0.6, 0.95]) {
      expectImageError(
        () => decodeImageFile(jpeg.subarray(0, Math.floor(jpeg.length * frac))),
        'CORRUPT',
        /^corrupt JPEG: file is truncated \(.+\)$/,
      );
    }
    const headerOnly = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
    expectImageError(() => decodeImageFile(headerOnly), 'CORRUPT', /corrupt JPEG: file truncated before the frame header/);
  });

  it('a 20000x20000 PNG is refused from its header, fast, without decoding', () => {
    // signature + IHDR + the start of an IDAT (the full image would be 1.6 GB of RGBA)
    const huge = concatBytes([PNG_SIG, ihdr(20000, 20000, 1, 0), pngChunk('IDAT', new Uint8Array([0x78, 0x9c, 0x01, 0x02]))]);
    const t0 = performance.now();
    expectImageError(() => decodeImageFile(huge), 'TOO_LARGE', /^image is 20000x20000 \(400 MP\), larger than the 50 MP limit$/);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(readImageHeader(huge)).toEqual({ format: 'png', width: 20000, height: 20000 });
    expect(DEFAULT_MAX_PIXELS).toBe(50_000_000);
  });

  it('an interlaced PNG whose data inflates far past its size is refused, small and fast', () => {
    const interlacedIhdr = (w: number, h: number): Uint8Array => {
      const d = ihdr(w, h, 8, 2).slice(8, 8 + 13); // IHDR data of an 8-bit RGB image
      d[12] = 1; // Adam7
      return pngChunk('IHDR', d);
    };
    const png = (w: number, h: number, raw: Uint8Array): Uint8Array =>
      concatBytes([PNG_SIG, interlacedIhdr(w, h), pngChunk('IDAT', new Uint8Array(deflateSync(raw))), pngChunk('IEND', new Uint8Array(0))]);
    // a real 1x1 interlaced image: pass 1 holds the pixel (filter byte + RGB)
    const ok = decodeImageFile(png(1, 1, new Uint8Array([0, 10, 200, 30])));
    expect(Array.from(ok.data)).toEqual([10, 200, 30]);
    // the same header with 64 MiB of (highly compressible) image data
    const bomb = png(1, 1, new Uint8Array(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200_000);
    expectImageError(() => decodeImageFile(bomb), 'CORRUPT', /inflates past the 4 bytes a 1x1 interlaced image needs/);
  });

  it('a 20000x20000 JPEG is refused from its SOF header', () => {
    const sof = [0xff, 0xc0, 0x00, 0x0b, 0x08, 0x4e, 0x20, 0x4e, 0x20, 0x01, 0x01, 0x11, 0x00];
    const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
    const huge = new Uint8Array([0xff, 0xd8, ...app0, ...sof]);
    const t0 = performance.now();
    expectImageError(() => decodeImageFile(huge), 'TOO_LARGE', /^image is 20000x20000 \(400 MP\), larger than the 50 MP limit$/);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('maxPixels is configurable', () => {
    expectImageError(() => decodeImageFile(smallPng, { maxPixels: 100 }), 'TOO_LARGE', /^image is 30x20 \(0\.0006 MP\), larger than the 0\.0001 MP limit$/);
    expect(decodeImageFile(smallPng, { maxPixels: 600 }).width).toBe(30);
  });

  it('the dataset\'s zero-byte 1352.jpg is reported as empty', () => {
    const f = join(DATASET, 'trainB/1352.jpg');
    if (!existsSync(f)) return; // dataset not present on this machine
    expectImageError(() => decodeImageFile(readFileSync(f)), 'EMPTY', /empty file/);
  });
});
