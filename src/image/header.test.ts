/**
 * The shared header reader against files written by an independent encoder: Pillow (through
 * scripts/py) writes a PNG, JPEG (baseline and progressive), GIF, WebP (lossy and lossless) and
 * BMP of known odd sizes; the header alone must give those sizes. Plus the failure codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageHeader, sniffFormat } from './header';
import { ImageError } from './types';

const REPO = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'drit-header-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILES: Record<string, { w: number; h: number; format: string; save: string }> = {
  'a.png': { w: 37, h: 23, format: 'png', save: "'PNG'" },
  'a.jpg': { w: 41, h: 29, format: 'jpeg', save: "'JPEG', quality=90" },
  'p.jpg': { w: 43, h: 31, format: 'jpeg', save: "'JPEG', progressive=True, quality=80" },
  'a.gif': { w: 33, h: 17, format: 'gif', save: "'GIF'" },
  'a.webp': { w: 45, h: 27, format: 'webp', save: "'WEBP', quality=80" },
  'l.webp': { w: 19, h: 53, format: 'webp', save: "'WEBP', lossless=True" },
  'a.bmp': { w: 21, h: 11, format: 'bmp', save: "'BMP'" },
};

function writeWithPillow(): boolean {
  const lines = ['from PIL import Image', 'import sys', `d = sys.argv[1]`];
  for (const [name, f] of Object.entries(FILES)) {
    lines.push(`Image.new('RGB', (${f.w}, ${f.h}), (200, 30, 90)).save(d + '/${name}', ${f.save})`);
  }
  const r = spawnSync(join(REPO, 'scripts', 'py'), ['-c', lines.join('\n'), dir], { encoding: 'utf8' });
  return r.status === 0;
}

const havePillow = writeWithPillow();

function headerError(bytes: Uint8Array): ImageError {
  try {
    readImageHeader(bytes);
  } catch (e) {
    if (e instanceof ImageError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('readImageHeader', () => {
  it.skipIf(!havePillow)('reads the size of files Pillow wrote, in every format', () => {
    for (const [name, f] of Object.entries(FILES)) {
      const bytes = new Uint8Array(readFileSync(join(dir, name)));
      expect(readImageHeader(bytes), name).toEqual({ format: f.format, width: f.w, height: f.h });
    }
  });

  it('refuses what is not an image, an empty file and broken headers, each with its code', () => {
    expect(headerError(new Uint8Array(0)).code).toBe('EMPTY');
    expect(headerError(new TextEncoder().encode('hello, this is not an image')).code).toBe('UNSUPPORTED_FORMAT');
    expect(headerError(new Uint8Array(64).fill(7)).code).toBe('UNSUPPORTED_FORMAT');
    // a JPEG that ends before its frame header
    const e = headerError(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    expect([e.code, e.message]).toEqual(['CORRUPT', 'corrupt JPEG: no frame header before end of image']);
    // a PNG signature with no IHDR
    expect(headerError(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])).code).toBe('CORRUPT');
    // a GIF that says 0 pixels
    expect(headerError(new Uint8Array([...new TextEncoder().encode('GIF89a'), 0, 0, 5, 0])).message).toMatch(/invalid size 0x5/);
  });

  it('a huge declared size is read without touching pixel data', () => {
    const b = new Uint8Array(33);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(b.buffer).setUint32(16, 20000);
    new DataView(b.buffer).setUint32(20, 20000);
    expect(readImageHeader(b)).toEqual({ format: 'png', width: 20000, height: 20000 });
    expect(sniffFormat(b)).toBe('png');
  });
});
