/**
 * Animated GIF (GIF89a) from RGBA frames, written here rather than taken from a library: one
 * global palette for every frame (so colours never flicker between frames, which per-frame
 * palettes do), median-cut quantisation, variable-width LZW, the NETSCAPE2.0 loop extension.
 * Tested against an independent decoder (omggif) in gif.test.ts.
 *
 * Frames are treated as opaque (the model's outputs always are): alpha is ignored.
 */
import type { RgbaFrame } from '../worker/protocol';
import { checkFrames, throwIfAborted, yieldToUi, type EncodeOptions } from './common';

export interface Palette {
  /** r, g, b per entry; length = 3 * size. */
  colors: Uint8Array;
  size: number;
  /** Palette index of each pixel colour (0xRRGGBB). */
  indexOf(rgb: number): number;
}

const MAX_COLORS = 256;

// ------------------------------------------------------------------------------------- palette

/** The exact colours when there are at most 256 of them, else null. */
function exactColors(frames: readonly RgbaFrame[]): number[] | null {
  const seen = new Set<number>();
  for (const f of frames) {
    const d = f.data;
    for (let i = 0; i < d.length; i += 4) {
      seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      if (seen.size > MAX_COLORS) return null;
    }
  }
  return [...seen];
}

/** 5 bits per channel: the histogram the median cut works on. */
const BIN_BITS = 5;
const BINS = 1 << (3 * BIN_BITS);

function binOf(r: number, g: number, b: number): number {
  const s = 8 - BIN_BITS;
  return ((r >> s) << (2 * BIN_BITS)) | ((g >> s) << BIN_BITS) | (b >> s);
}

interface Box {
  /** bins[start, end) of the shared bin list. */
  start: number;
  end: number;
  count: number;
  /** The channel (0 r, 1 g, 2 b) with the largest spread and that spread, in bin units. */
  axis: number;
  spread: number;
}

/**
 * Median cut over a 15-bit colour histogram: the box with the most pixels times spread is split
 * at the pixel-weighted median of its longest axis until there are `maxColors` boxes; each
 * palette entry is the mean of the real colours in its box.
 */
function medianCut(frames: readonly RgbaFrame[], maxColors: number): Palette {
  const count = new Float64Array(BINS);
  const sum = new Float64Array(BINS * 3);
  for (const f of frames) {
    const d = f.data;
    for (let i = 0; i < d.length; i += 4) {
      const k = binOf(d[i]!, d[i + 1]!, d[i + 2]!);
      count[k]!++;
      sum[3 * k] = sum[3 * k]! + d[i]!;
      sum[3 * k + 1] = sum[3 * k + 1]! + d[i + 1]!;
      sum[3 * k + 2] = sum[3 * k + 2]! + d[i + 2]!;
    }
  }
  const bins: number[] = [];
  for (let k = 0; k < BINS; k++) if (count[k]! > 0) bins.push(k);
  const chan = (k: number, c: number): number => (k >> ((2 - c) * BIN_BITS)) & ((1 << BIN_BITS) - 1);
  const measure = (start: number, end: number): Box => {
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    let n = 0;
    for (let j = start; j < end; j++) {
      const k = bins[j]!;
      n += count[k]!;
      for (let c = 0; c < 3; c++) {
        const v = chan(k, c);
        if (v < lo[c]!) lo[c] = v;
        if (v > hi[c]!) hi[c] = v;
      }
    }
    const spreads = [hi[0]! - lo[0]!, hi[1]! - lo[1]!, hi[2]! - lo[2]!];
    const axis = spreads.indexOf(Math.max(...spreads));
    return { start, end, count: n, axis, spread: spreads[axis]! };
  };
  const boxes: Box[] = [measure(0, bins.length)];
  while (boxes.length < maxColors) {
    let best = -1;
    let bestScore = 0;
    boxes.forEach((b, i) => {
      const score = b.end - b.start > 1 ? b.count * b.spread : 0;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    if (best < 0) break;
    const box = boxes[best]!;
    const part = bins.slice(box.start, box.end).sort((x, y) => chan(x, box.axis) - chan(y, box.axis));
    for (let j = 0; j < part.length; j++) bins[box.start + j] = part[j]!;
    // The weighted median, kept strictly inside the box so that both halves are non-empty.
    let acc = 0;
    let cut = box.start + 1;
    for (let j = box.start; j < box.end - 1; j++) {
      acc += count[bins[j]!]!;
      cut = j + 1;
      if (acc >= box.count / 2) break;
    }
    boxes.splice(best, 1, measure(box.start, cut), measure(cut, box.end));
  }
  const colors = new Uint8Array(boxes.length * 3);
  boxes.forEach((b, i) => {
    const s = [0, 0, 0];
    for (let j = b.start; j < b.end; j++) for (let c = 0; c < 3; c++) s[c] = s[c]! + sum[3 * bins[j]! + c]!;
    for (let c = 0; c < 3; c++) colors[3 * i + c] = Math.round(s[c]! / b.count);
  });
  // Each bin maps to the palette entry nearest to the bin's mean colour.
  const lookup = new Int16Array(BINS).fill(-1);
  const nearest = (r: number, g: number, b: number): number => {
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < boxes.length; i++) {
      const dr = colors[3 * i]! - r;
      const dg = colors[3 * i + 1]! - g;
      const db = colors[3 * i + 2]! - b;
      const dist = dr * dr + dg * dg + db * db;
      if (dist < bestD) {
        bestD = dist;
        best = i;
      }
    }
    return best;
  };
  return {
    colors,
    size: boxes.length,
    indexOf(rgb) {
      const r = rgb >> 16;
      const g = (rgb >> 8) & 255;
      const b = rgb & 255;
      const k = binOf(r, g, b);
      let idx = lookup[k]!;
      if (idx < 0) {
        const n = count[k]!;
        idx = n > 0 ? nearest(sum[3 * k]! / n, sum[3 * k + 1]! / n, sum[3 * k + 2]! / n) : nearest(r, g, b);
        lookup[k] = idx;
      }
      return idx;
    },
  };
}

/** One palette for all frames: their exact colours when there are at most 256, else a median cut. */
export function buildPalette(frames: readonly RgbaFrame[], maxColors = MAX_COLORS): Palette {
  const exact = maxColors === MAX_COLORS ? exactColors(frames) : null;
  if (exact) {
    const colors = new Uint8Array(exact.length * 3);
    const index = new Map<number, number>();
    exact.forEach((rgb, i) => {
      colors.set([rgb >> 16, (rgb >> 8) & 255, rgb & 255], 3 * i);
      index.set(rgb, i);
    });
    return { colors, size: exact.length, indexOf: (rgb) => index.get(rgb) ?? 0 };
  }
  return medianCut(frames, maxColors);
}

export function indexFrame(frame: RgbaFrame, palette: Palette): Uint8Array {
  const d = frame.data;
  const out = new Uint8Array(frame.width * frame.height);
  for (let p = 0, i = 0; p < out.length; p++, i += 4) out[p] = palette.indexOf((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
  return out;
}

// ------------------------------------------------------------------------------------- LZW

/** Growing byte buffer. */
class Bytes {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(4096);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  push(...values: number[]): void {
    this.ensure(values.length);
    for (const v of values) this.buf[this.length++] = v & 255;
  }
  append(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  u16(v: number): void {
    this.push(v & 255, v >> 8);
  }
  result(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

/**
 * GIF's variable-width LZW (codes LSB first, widths minCodeSize + 1 … 12 bits, a clear code when
 * the 4096-entry table is full). Returns the raw code stream, not yet cut into sub-blocks.
 */
export function lzwEncode(indices: Uint8Array, minCodeSize: number): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  let codeSize = minCodeSize + 1;
  let next = eoi + 1;
  let table = new Map<number, number>();
  let bits = 0;
  let nbits = 0;
  const emit = (code: number): void => {
    bits |= code << nbits;
    nbits += codeSize;
    while (nbits >= 8) {
      out.push(bits & 255);
      bits >>>= 8;
      nbits -= 8;
    }
  };
  emit(clear);
  if (!indices.length) {
    emit(eoi);
    if (nbits > 0) out.push(bits & 255);
    return out.result();
  }
  let prefix = indices[0]!;
  for (let p = 1; p < indices.length; p++) {
    const k = indices[p]!;
    const key = (prefix << 8) | k;
    const hit = table.get(key);
    if (hit !== undefined) {
      prefix = hit;
      continue;
    }
    emit(prefix);
    if (next < 4096) {
      table.set(key, next++);
      // The decoder adds this entry one code later, and widens when its table reaches 2^codeSize.
      if (next - 1 >= 1 << codeSize && codeSize < 12) codeSize++;
    } else {
      emit(clear);
      table = new Map();
      next = eoi + 1;
      codeSize = minCodeSize + 1;
    }
    prefix = k;
  }
  emit(prefix);
  emit(eoi);
  if (nbits > 0) out.push(bits & 255);
  return out.result();
}

// ------------------------------------------------------------------------------------- file

export interface GifOptions extends EncodeOptions {
  /** Delay of each frame in milliseconds (rounded to GIF's centiseconds, at least 2 cs). */
  delayMs: number;
  /** 0 = loop forever (default). */
  loops?: number;
}

function bitsFor(size: number): number {
  let bits = 1;
  while (1 << bits < size) bits++;
  return bits;
}

/** The whole GIF file. Yields to the page between frames; rejects with an AbortError on cancel. */
export async function encodeGif(frames: readonly RgbaFrame[], opts: GifOptions): Promise<Uint8Array<ArrayBuffer>> {
  const { width, height } = checkFrames(frames);
  if (width > 0xffff || height > 0xffff) throw new Error(`a GIF frame is at most 65535 pixels wide and high, this one is ${width}×${height}`);
  throwIfAborted(opts.signal);
  const palette = buildPalette(frames);
  const tableBits = bitsFor(Math.max(2, palette.size));
  const out = new Bytes();
  for (const c of 'GIF89a') out.push(c.charCodeAt(0));
  out.u16(width);
  out.u16(height);
  out.push(0x80 | ((tableBits - 1) << 4) | (tableBits - 1), 0, 0); // global table, colour resolution, size
  const table = new Uint8Array(3 << tableBits);
  table.set(palette.colors);
  out.append(table);
  // NETSCAPE2.0 application extension: loop count.
  out.push(0x21, 0xff, 11);
  for (const c of 'NETSCAPE2.0') out.push(c.charCodeAt(0));
  out.push(3, 1);
  out.u16(opts.loops ?? 0);
  out.push(0);
  const delay = Math.max(2, Math.round(opts.delayMs / 10));
  const minCodeSize = Math.max(2, tableBits);
  for (let f = 0; f < frames.length; f++) {
    throwIfAborted(opts.signal);
    // Graphic control extension: disposal 1 (leave in place), no transparency.
    out.push(0x21, 0xf9, 4, 1 << 2);
    out.u16(delay);
    out.push(0, 0);
    // Image descriptor: full frame, no local table.
    out.push(0x2c);
    out.u16(0);
    out.u16(0);
    out.u16(width);
    out.u16(height);
    out.push(0);
    out.push(minCodeSize);
    const codes = lzwEncode(indexFrame(frames[f]!, palette), minCodeSize);
    for (let i = 0; i < codes.length; i += 255) {
      const block = codes.subarray(i, Math.min(codes.length, i + 255));
      out.push(block.length);
      out.append(block);
    }
    out.push(0);
    opts.onProgress?.((f + 1) / frames.length);
    await yieldToUi();
  }
  throwIfAborted(opts.signal);
  out.push(0x3b);
  return out.result();
}
