/**
 * Test inputs for the browser suite, written once by the global setup into e2e/.packs/assets:
 * real image files (PNG, JPEG), broken ones (text named .jpg, a JPEG with garbage scan data, a
 * 20000×20000 PNG), and bad checkpoints (random bytes, a PyTorch zip that is not DRIT, one whose
 * pickle calls os.system). Everything is generated locally; nothing is downloaded.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDeflate } from 'node:zlib';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { pngChunk } from '../src/image/test-utils';
import { writeCameraVideo } from './camera-video';

export const ROOT = resolve(import.meta.dirname, '..');
export const PACKS = join(ROOT, 'e2e/.packs');
export const ASSETS = join(PACKS, 'assets');

export const asset = (name: string): string => join(ASSETS, name);

const chunk = (type: string, data: Buffer): Buffer => Buffer.from(pngChunk(type, data));

/** A valid, well-compressed PNG of width × height grey pixels, streamed through zlib. */
async function writeHugePng(path: string, width: number, height: number): Promise<void> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  const done = new Promise<void>((res, rej) => {
    deflate.on('end', res);
    deflate.on('error', rej);
  });
  const row = Buffer.alloc(width + 1, 0x80);
  row[0] = 0; // filter: none
  const rowsPerChunk = 256;
  const block = Buffer.concat(new Array<Buffer>(rowsPerChunk).fill(row));
  for (let y = 0; y < height; y += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, height - y);
    const ok = deflate.write(n === rowsPerChunk ? block : block.subarray(0, n * row.length));
    if (!ok) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  writeFileSync(path, Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(out)), chunk('IEND', Buffer.alloc(0))]));
}

function pngToJpeg(src: string, dst: string, quality = 92): Buffer {
  const png = PNG.sync.read(readFileSync(src));
  const data = jpeg.encode({ data: png.data, width: png.width, height: png.height }, quality).data;
  writeFileSync(dst, data);
  return data;
}

/** A second content photo: the first one mirrored and tinted (a different real PNG). */
function writeVariant(src: string, dst: string): void {
  const png = PNG.sync.read(readFileSync(src));
  const out = new PNG({ width: png.width, height: png.height });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const s = (y * png.width + (png.width - 1 - x)) * 4;
      const d = (y * png.width + x) * 4;
      out.data[d] = 255 - png.data[s]!;
      out.data[d + 1] = png.data[s + 1]!;
      out.data[d + 2] = (png.data[s + 2]! + 80) & 0xff;
      out.data[d + 3] = 255;
    }
  }
  writeFileSync(dst, PNG.sync.write(out));
}

// Pickle opcodes (protocol 2) for the hand-made checkpoints.
const PROTO2 = [0x80, 0x02];
function binunicode(s: string): number[] {
  const b = Buffer.from(s, 'utf8');
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b];
}

function torchZip(pickle: number[]): Uint8Array {
  return zipSync(
    {
      'archive/data.pkl': new Uint8Array(pickle),
      'archive/version': new TextEncoder().encode('3\n'),
      'archive/byteorder': new TextEncoder().encode('little'),
    },
    { level: 0 },
  );
}

export async function writeAssets(): Promise<void> {
  mkdirSync(ASSETS, { recursive: true });
  const input = join(ROOT, 'fixtures/translate/input.png');
  const reference = join(ROOT, 'fixtures/translate/reference.png');
  copyFileSync(input, asset('cat.png'));
  copyFileSync(reference, asset('dog.png'));
  writeVariant(input, asset('cat2.png'));
  const jpg = pngToJpeg(input, asset('cat.jpg'));

  writeCameraVideo(ROOT, asset('chelsea.y4m'));

  writeFileSync(asset('not-an-image.jpg'), 'These are my holiday notes, not a photo.\n'.repeat(20));
  // A JPEG with valid headers whose entropy-coded data is garbage.
  let sos = -1;
  for (let i = 2; i < jpg.length - 1; i++) {
    if (jpg[i] === 0xff && jpg[i + 1] === 0xda) {
      sos = i;
      break;
    }
  }
  const corrupt = Buffer.from(jpg);
  for (let i = sos + 14; i < corrupt.length - 2; i++) corrupt[i] = (i * 7919) & 0xff;
  writeFileSync(asset('corrupt.jpg'), corrupt);

  // Wider than the 4096 px kept after decoding: accepted, downscaled with a notice.
  const wide = new PNG({ width: 6000, height: 500 });
  for (let i = 0; i < wide.data.length; i += 4) {
    const x = (i / 4) % 6000;
    wide.data[i] = x % 256;
    wide.data[i + 1] = (x >> 4) % 256;
    wide.data[i + 2] = 128;
    wide.data[i + 3] = 255;
  }
  writeFileSync(asset('wide-6000x500.png'), PNG.sync.write(wide));

  const huge = asset('huge-20000x20000.png');
  if (!existsSync(huge) || statSync(huge).size < 1000) await writeHugePng(huge, 20000, 20000);

  // Checkpoints that must be refused.
  const random = Buffer.alloc(4096);
  for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
  writeFileSync(asset('garbage.pth'), random);
  // {'model': {}}: a valid PyTorch zip checkpoint of something that is not DRIT.
  writeFileSync(asset('not-drit.pth'), torchZip([...PROTO2, 0x7d, ...binunicode('model'), 0x7d, 0x73, 0x2e]));
  // os.system('true') via GLOBAL + REDUCE: the unpickler must refuse it before anything runs.
  writeFileSync(
    asset('evil.pth'),
    torchZip([...PROTO2, 0x63, ...Buffer.from('os\nsystem\n'), ...binunicode('true'), 0x85, 0x52, 0x2e]),
  );
}
