/**
 * Baseline + progressive Huffman JPEG decoder that reproduces libjpeg-turbo 2.1 (what Pillow 9.4
 * links on Debian) with Pillow's default settings, so that `decodeJpeg` gives the same pixels as
 * `Image.open(f).convert('RGB')`:
 *  - "ISLOW" integer inverse DCT (jidctint.c: 13-bit constants, PASS1_BITS = 2, the
 *    mask-and-table range limiting of its output);
 *  - "fancy" chroma upsampling (jdsample.c): triangle filter for h2v1 and h2v2 (only when the
 *    subsampled width is > 2), h1v2, plain replication for other integer ratios; image edges use
 *    the first/last real sample row and column;
 *  - integer YCbCr -> RGB tables with 16 fraction bits (jdcolor.c); RGB JPEGs (Adobe transform 0
 *    or component ids 'R','G','B') are passed through; grayscale is replicated;
 *  - 4-component (CMYK / Adobe YCCK) files follow Pillow: libjpeg output read as inverted CMYK,
 *    then Pillow's cmyk2rgb.
 * Lenient where libjpeg is lenient (invalid Huffman code -> 0, bits after a marker read as 0),
 * strict where Pillow fails (data ending inside a scan -> truncated-file error).
 * Not supported (ImageError UNSUPPORTED_FORMAT): arithmetic coding, lossless and hierarchical
 * JPEG, 12-bit samples, non-integer sampling ratios.
 *
 * Pure TypeScript, no Node or DOM imports: runs in Web Workers too.
 */
import { ImageError, type RgbImage } from './types';

/** Zigzag index -> natural (row-major) index; 16 extra 63s absorb corrupt run lengths, as in libjpeg. */
const NATURAL_ORDER = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
  47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

function corrupt(msg: string): ImageError {
  return new ImageError('CORRUPT', `corrupt JPEG: ${msg}`);
}
function unsupported(msg: string): ImageError {
  return new ImageError('UNSUPPORTED_FORMAT', `unsupported JPEG: ${msg}`);
}

// ---------------------------------------------------------------- Huffman tables (jdhuff.c)

interface HuffTable {
  /** maxcode[l]: largest code of length l (-1 if none); maxcode[17] is a sentinel. */
  maxcode: Int32Array;
  /** valoffset[l]: huffval index of a length-l code = code + valoffset[l]. */
  valoffset: Int32Array;
  huffval: Uint8Array;
  /** 8-bit lookahead: (length << 8) | value, 0 when the code is longer than 8 bits. */
  look: Uint16Array;
}

function buildHuffTable(bits: Uint8Array, huffval: Uint8Array, isDc: boolean): HuffTable {
  if (isDc && huffval.some((v) => v > 15)) throw corrupt('bad Huffman table');
  const huffsize: number[] = [];
  for (let l = 1; l <= 16; l++) for (let i = 0; i < bits[l]!; i++) huffsize.push(l);
  const huffcode: number[] = [];
  let code = 0;
  let si = huffsize[0] ?? 0;
  let p = 0;
  while (p < huffsize.length) {
    while (p < huffsize.length && huffsize[p] === si) {
      huffcode.push(code++);
      p++;
    }
    if (code >= 1 << si) throw corrupt('bad Huffman table');
    code <<= 1;
    si++;
  }
  const maxcode = new Int32Array(18).fill(-1);
  const valoffset = new Int32Array(18);
  p = 0;
  for (let l = 1; l <= 16; l++) {
    if (bits[l]) {
      valoffset[l] = p - huffcode[p]!;
      p += bits[l]!;
      maxcode[l] = huffcode[p - 1]!;
    }
  }
  maxcode[17] = 0xfffff;
  const look = new Uint16Array(256);
  p = 0;
  for (let l = 1; l <= 8; l++) {
    for (let i = 0; i < bits[l]!; i++, p++) {
      const lookbits = huffcode[p]! << (8 - l);
      for (let ctr = 1 << (8 - l); ctr > 0; ctr--) look[lookbits + ctr - 1] = (l << 8) | huffval[p]!;
    }
  }
  return { maxcode, valoffset, huffval, look };
}

// ---------------------------------------------------------------- bit reader (jdhuff.c fill_bit_buffer)

class BitReader {
  pos: number;
  private buf = 0;
  private count = 0;
  /** A marker was reached: further bits read as zeros (libjpeg's "insufficient data"). */
  markerHit = false;

  constructor(
    private readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  private fill(): void {
    while (this.count <= 24) {
      let byte = 0;
      if (!this.markerHit) {
        if (this.pos >= this.data.length) throw new ImageError('CORRUPT', 'corrupt JPEG: file is truncated (data ends inside a scan)');
        byte = this.data[this.pos]!;
        if (byte === 0xff) {
          let q = this.pos + 1;
          while (q < this.data.length && this.data[q] === 0xff) q++;
          if (q >= this.data.length) throw new ImageError('CORRUPT', 'corrupt JPEG: file is truncated (data ends inside a scan)');
          if (this.data[q] === 0) {
            this.pos = q + 1; // FF 00 = data byte FF (extra FF fill bytes skipped)
          } else {
            this.markerHit = true; // leave pos on the marker's FF
            byte = 0;
          }
        } else {
          this.pos++;
        }
      }
      this.buf = ((this.buf << 8) | byte) >>> 0;
      this.count += 8;
    }
  }

  bit(): number {
    if (this.count === 0) this.fill();
    this.count--;
    return (this.buf >>> this.count) & 1;
  }

  bits(n: number): number {
    if (n === 0) return 0;
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.buf >>> this.count) & ((1 << n) - 1);
  }

  /** jpeg_huff_decode: invalid codes (17 bits without a match) decode as 0. */
  decode(t: HuffTable): number {
    if (this.count < 8) this.fill();
    const look = t.look[(this.buf >>> (this.count - 8)) & 0xff]!;
    if (look !== 0) {
      this.count -= look >> 8;
      return look & 0xff;
    }
    let code = this.bits(8);
    let l = 8;
    while (code > t.maxcode[l]!) {
      code = (code << 1) | this.bit();
      l++;
    }
    if (l > 16) return 0;
    return t.huffval[code + t.valoffset[l]!] ?? 0;
  }

  /** Drops buffered bits and returns the position of the next marker (skipping garbage). */
  alignToMarker(): number {
    this.buf = 0;
    this.count = 0;
    this.markerHit = false;
    let p = this.pos;
    for (;;) {
      while (p < this.data.length && this.data[p] !== 0xff) p++;
      if (p + 1 >= this.data.length) return this.data.length;
      let q = p + 1;
      while (q < this.data.length && this.data[q] === 0xff) q++;
      if (q < this.data.length && this.data[q] !== 0) {
        this.pos = q - 1;
        return this.pos;
      }
      p = q + 1;
    }
  }
}

/** HUFF_EXTEND: sign-extend an s-bit magnitude category value. */
function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

/**
 * A progressive JPEG can hold any number of scans, each a pass over its components' blocks; a small
 * file of thousands of empty refinement scans would cost minutes. Encoders write ~10 passes (every
 * scan of a standard progressive script counted with its components): 64 is far above any real file.
 */
const MAX_SCAN_PASSES = 64;

// ---------------------------------------------------------------- frame / components

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Latched quantisation table (natural order), set by the first scan that uses the component. */
  quant: Int32Array | null;
  /** Real (downsampled) size of the component plane. */
  dw: number;
  dh: number;
  /** Allocated blocks per row/column (padded to whole MCUs). */
  bw: number;
  bh: number;
  coefs: Int16Array;
  pred: number;
  dc: HuffTable | null;
  ac: HuffTable | null;
}

interface Frame {
  width: number;
  height: number;
  progressive: boolean;
  hmax: number;
  vmax: number;
  mcusX: number;
  mcusY: number;
  components: Component[];
}

export interface JpegDecodeOptions {
  /** Refuse frames with more pixels than this (checked on the frame header, before allocating). */
  maxPixels?: number;
}

// ---------------------------------------------------------------- inverse DCT (jidctint.c, ISLOW)

/** IDCT output range limit: index = value & 1023 (RANGE_MASK), as libjpeg's table. */
const IDCT_LIMIT = (() => {
  const t = new Uint8Array(1024);
  for (let v = 0; v < 1024; v++) t[v] = v < 128 ? v + 128 : v < 512 ? 255 : v < 896 ? 0 : v - 896;
  return t;
})();

function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/**
 * The even/odd butterfly of jidctint.c's ISLOW IDCT on one column or row, s0…s7 in natural order
 * (already dequantized / from pass 1). Writes the 8 outputs before descaling to r[0…7]. Products
 * reach ~2^41: plain (double) numbers hold them exactly.
 */
function idctButterfly(s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, s6: number, s7: number, r: Float64Array): void {
  const z1e = (s2 + s6) * 4433;
  const tmp2e = z1e + s6 * -15137;
  const tmp3e = z1e + s2 * 6270;
  const tmp0e = (s0 + s4) * 8192;
  const tmp1e = (s0 - s4) * 8192;
  const tmp10 = tmp0e + tmp3e;
  const tmp13 = tmp0e - tmp3e;
  const tmp11 = tmp1e + tmp2e;
  const tmp12 = tmp1e - tmp2e;
  let t0 = s7;
  let t1 = s5;
  let t2 = s3;
  let t3 = s1;
  let z1 = t0 + t3;
  let z2 = t1 + t2;
  let z3 = t0 + t2;
  let z4 = t1 + t3;
  const z5 = (z3 + z4) * 9633;
  t0 *= 2446;
  t1 *= 16819;
  t2 *= 25172;
  t3 *= 12299;
  z1 *= -7373;
  z2 *= -20995;
  z3 *= -16069;
  z4 *= -3196;
  z3 += z5;
  z4 += z5;
  t0 += z1 + z3;
  t1 += z2 + z4;
  t2 += z2 + z3;
  t3 += z1 + z4;
  r[0] = tmp10 + t3;
  r[7] = tmp10 - t3;
  r[1] = tmp11 + t2;
  r[6] = tmp11 - t2;
  r[2] = tmp12 + t1;
  r[5] = tmp12 - t1;
  r[3] = tmp13 + t0;
  r[4] = tmp13 - t0;
}

const butterfly = new Float64Array(8);

function idctIslow(blk: Int16Array, bo: number, q: Int32Array, ws: Int32Array, out: Uint8Array, oo: number, stride: number): void {
  const r = butterfly;
  // Pass 1: columns -> workspace (scaled by 2^PASS1_BITS).
  for (let c = 0; c < 8; c++) {
    if (
      blk[bo + 8 + c] === 0 && blk[bo + 16 + c] === 0 && blk[bo + 24 + c] === 0 && blk[bo + 32 + c] === 0 &&
      blk[bo + 40 + c] === 0 && blk[bo + 48 + c] === 0 && blk[bo + 56 + c] === 0
    ) {
      const dc = blk[bo + c]! * q[c]! * 4;
      for (let k = 0; k < 64; k += 8) ws[k + c] = dc;
      continue;
    }
    const dq = (k: number): number => blk[bo + 8 * k + c]! * q[8 * k + c]!;
    idctButterfly(dq(0), dq(1), dq(2), dq(3), dq(4), dq(5), dq(6), dq(7), r);
    for (let k = 0; k < 8; k++) ws[8 * k + c] = descale(r[k]!, 11);
  }
  // Pass 2: rows -> samples (descale by 2^(CONST_BITS + PASS1_BITS + 3)).
  for (let row = 0; row < 8; row++) {
    const w = row * 8;
    const o = oo + row * stride;
    if (ws[w + 1] === 0 && ws[w + 2] === 0 && ws[w + 3] === 0 && ws[w + 4] === 0 && ws[w + 5] === 0 && ws[w + 6] === 0 && ws[w + 7] === 0) {
      const v = IDCT_LIMIT[descale(ws[w]!, 5) & 1023]!;
      out.fill(v, o, o + 8);
      continue;
    }
    idctButterfly(ws[w]!, ws[w + 1]!, ws[w + 2]!, ws[w + 3]!, ws[w + 4]!, ws[w + 5]!, ws[w + 6]!, ws[w + 7]!, r);
    for (let k = 0; k < 8; k++) out[o + k] = IDCT_LIMIT[descale(r[k]!, 18) & 1023]!;
  }
}

// ---------------------------------------------------------------- upsampling (jdsample.c, fancy)

/**
 * Upsamples a component plane (stride `stride`, real size dw x dh) by integer factors (hx, vy)
 * to (dw * hx) x (dh * vy), libjpeg-turbo's method choice and edge handling.
 */
function upsample(src: Uint8Array, stride: number, dw: number, dh: number, hx: number, vy: number): { data: Uint8Array; width: number } {
  const ow = dw * hx;
  const oh = dh * vy;
  const out = new Uint8Array(ow * oh);
  const row = (y: number) => (y < 0 ? 0 : y >= dh ? dh - 1 : y) * stride;
  if (hx === 2 && vy === 1 && dw > 2) {
    for (let y = 0; y < dh; y++) {
      const i = y * stride;
      let o = y * ow;
      out[o++] = src[i]!;
      out[o++] = (src[i]! * 3 + src[i + 1]! + 2) >> 2;
      for (let x = 1; x < dw - 1; x++) {
        const v = src[i + x]! * 3;
        out[o++] = (v + src[i + x - 1]! + 1) >> 2;
        out[o++] = (v + src[i + x + 1]! + 2) >> 2;
      }
      out[o++] = (src[i + dw - 1]! * 3 + src[i + dw - 2]! + 1) >> 2;
      out[o++] = src[i + dw - 1]!;
    }
  } else if (hx === 1 && vy === 2) {
    for (let y = 0; y < dh; y++) {
      for (let v = 0; v < 2; v++) {
        const i0 = row(y);
        const i1 = row(v === 0 ? y - 1 : y + 1);
        const bias = v === 0 ? 1 : 2;
        let o = (y * 2 + v) * ow;
        for (let x = 0; x < dw; x++) out[o++] = (src[i0 + x]! * 3 + src[i1 + x]! + bias) >> 2;
      }
    }
  } else if (hx === 2 && vy === 2 && dw > 2) {
    for (let y = 0; y < dh; y++) {
      for (let v = 0; v < 2; v++) {
        const i0 = row(y);
        const i1 = row(v === 0 ? y - 1 : y + 1);
        let o = (y * 2 + v) * ow;
        let thiscolsum = src[i0]! * 3 + src[i1]!;
        let nextcolsum = src[i0 + 1]! * 3 + src[i1 + 1]!;
        out[o++] = (thiscolsum * 4 + 8) >> 4;
        out[o++] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
        let lastcolsum = thiscolsum;
        thiscolsum = nextcolsum;
        for (let x = 2; x < dw; x++) {
          nextcolsum = src[i0 + x]! * 3 + src[i1 + x]!;
          out[o++] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
          out[o++] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
          lastcolsum = thiscolsum;
          thiscolsum = nextcolsum;
        }
        out[o++] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
        out[o++] = (thiscolsum * 4 + 7) >> 4;
      }
    }
  } else {
    // replication (int_upsample / h2v1_upsample / h2v2_upsample / fullsize)
    for (let y = 0; y < oh; y++) {
      const i = Math.floor(y / vy) * stride;
      let o = y * ow;
      for (let x = 0; x < dw; x++) {
        const s = src[i + x]!;
        for (let k = 0; k < hx; k++) out[o++] = s;
      }
    }
  }
  return { data: out, width: ow };
}

// ---------------------------------------------------------------- colour conversion (jdcolor.c)

const YCC = (() => {
  const FIX = (x: number) => Math.floor(x * 65536 + 0.5);
  const crr = new Int32Array(256);
  const cbb = new Int32Array(256);
  const crg = new Float64Array(256);
  const cbg = new Float64Array(256);
  for (let i = 0; i < 256; i++) {
    const x = i - 128;
    crr[i] = Math.floor((FIX(1.402) * x + 32768) / 65536);
    cbb[i] = Math.floor((FIX(1.772) * x + 32768) / 65536);
    crg[i] = -FIX(0.71414) * x;
    cbg[i] = -FIX(0.34414) * x + 32768;
  }
  return { crr, cbb, crg, cbg };
})();

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

// ---------------------------------------------------------------- decoder

/**
 * Decodes a JPEG file to RGB exactly like Pillow 9.4 + libjpeg-turbo 2.1 `open().convert('RGB')`.
 * Throws ImageError CORRUPT / UNSUPPORTED_FORMAT / TOO_LARGE.
 */
export function decodeJpeg(data: Uint8Array, opts: JpegDecodeOptions = {}): RgbImage {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw corrupt('missing start-of-image marker');
  const qtables: Array<Int32Array | undefined> = [];
  const dcTables: Array<HuffTable | undefined> = [];
  const acTables: Array<HuffTable | undefined> = [];
  let frame: Frame | null = null;
  let restartInterval = 0;
  let jfif = false;
  let adobeTransform = -1;
  let scans = 0;
  /** Blocks visited by all scans so far: bounds the work a small file can ask for (see MAX_SCAN_PASSES). */
  let blockVisits = 0;
  let sawEoi = false;
  let firstScanAllComponents = false;
  let pos = 2;

  const u16 = (p: number) => {
    if (p + 2 > data.length) throw new ImageError('CORRUPT', 'corrupt JPEG: file is truncated (inside a marker segment)');
    return (data[p]! << 8) | data[p + 1]!;
  };

  markers: while (pos < data.length) {
    // find the next marker (libjpeg skips garbage with a warning)
    while (pos < data.length && data[pos] !== 0xff) pos++;
    while (pos < data.length && data[pos] === 0xff) pos++;
    if (pos >= data.length) break;
    const marker = data[pos++]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (marker === 0xd9) {
      sawEoi = true;
      break;
    }
    const len = u16(pos);
    if (len < 2) throw corrupt(`bad segment length at offset ${pos}`);
    const seg = pos + 2;
    const end = pos + len;
    if (end > data.length) throw new ImageError('CORRUPT', 'corrupt JPEG: file is truncated (inside a marker segment)');
    switch (marker) {
      case 0xc0:
      case 0xc1:
      case 0xc2: {
        if (frame) throw unsupported('more than one frame');
        const precision = data[seg]!;
        if (precision !== 8) throw unsupported(`${precision}-bit samples`);
        const height = u16(seg + 1);
        const width = u16(seg + 3);
        const n = data[seg + 5]!;
        if (height === 0 || width === 0) throw unsupported(`frame size ${width}x${height} (DNL)`);
        if (opts.maxPixels !== undefined && width * height > opts.maxPixels) {
          throw new ImageError('TOO_LARGE', `image is ${width}x${height}, larger than the pixel limit`);
        }
        if (n !== 1 && n !== 3 && n !== 4) throw unsupported(`${n} components`);
        if (len < 8 + 3 * n) throw corrupt('short frame header');
        const comps: Component[] = [];
        for (let i = 0; i < n; i++) {
          const o = seg + 6 + i * 3;
          const h = data[o + 1]! >> 4;
          const v = data[o + 1]! & 15;
          if (h < 1 || h > 4 || v < 1 || v > 4) throw corrupt(`bad sampling factors ${h}x${v}`);
          comps.push({ id: data[o]!, h, v, tq: data[o + 2]! & 3, quant: null, dw: 0, dh: 0, bw: 0, bh: 0, coefs: new Int16Array(0), pred: 0, dc: null, ac: null });
        }
        const hmax = Math.max(...comps.map((c) => c.h));
        const vmax = Math.max(...comps.map((c) => c.v));
        const mcusX = Math.ceil(width / (8 * hmax));
        const mcusY = Math.ceil(height / (8 * vmax));
        for (const c of comps) {
          if (hmax % c.h !== 0 || vmax % c.v !== 0) throw unsupported('fractional sampling ratios');
          c.dw = Math.ceil((width * c.h) / hmax);
          c.dh = Math.ceil((height * c.v) / vmax);
          c.bw = mcusX * c.h;
          c.bh = mcusY * c.v;
          c.coefs = new Int16Array(c.bw * c.bh * 64);
        }
        frame = { width, height, progressive: marker === 0xc2, hmax, vmax, mcusX, mcusY, components: comps };
        break;
      }
      case 0xc3:
      case 0xc5:
      case 0xc6:
      case 0xc7:
      case 0xc9:
      case 0xca:
      case 0xcb:
      case 0xcd:
      case 0xce:
      case 0xcf:
        throw unsupported(`SOF${marker - 0xc0} (${marker >= 0xc9 ? 'arithmetic coding' : marker === 0xc3 ? 'lossless' : 'hierarchical'})`);
      case 0xc4: {
        let p = seg;
        while (p < end) {
          const tc = data[p]! >> 4;
          const th = data[p]! & 15;
          if (tc > 1 || th > 3) throw corrupt('bad Huffman table id');
          const bits = new Uint8Array(17);
          let count = 0;
          for (let l = 1; l <= 16; l++) count += bits[l] = data[p + l]!;
          if (count > 256 || p + 17 + count > end) throw corrupt('bad Huffman table');
          const table = buildHuffTable(bits, data.slice(p + 17, p + 17 + count), tc === 0);
          (tc === 0 ? dcTables : acTables)[th] = table;
          p += 17 + count;
        }
        break;
      }
      case 0xdb: {
        let p = seg;
        while (p < end) {
          const pq = data[p]! >> 4;
          const tq = data[p]! & 15;
          if (tq > 3 || pq > 1) throw corrupt('bad quantisation table');
          const q = new Int32Array(64);
          for (let k = 0; k < 64; k++) q[NATURAL_ORDER[k]!] = pq ? u16(p + 1 + 2 * k) : data[p + 1 + k]!;
          qtables[tq] = q;
          p += 1 + (pq ? 128 : 64);
        }
        break;
      }
      case 0xdd:
        restartInterval = u16(seg);
        break;
      case 0xe0:
        if (len >= 16 && data[seg] === 0x4a && data[seg + 1] === 0x46 && data[seg + 2] === 0x49 && data[seg + 3] === 0x46 && data[seg + 4] === 0) jfif = true;
        break;
      case 0xee:
        if (len >= 14 && data[seg] === 0x41 && data[seg + 1] === 0x64 && data[seg + 2] === 0x6f && data[seg + 3] === 0x62 && data[seg + 4] === 0x65) {
          adobeTransform = data[seg + 11]!;
        }
        break;
      case 0xda: {
        if (!frame) throw corrupt('scan before the frame header');
        const ns = data[seg]!;
        if (ns < 1 || ns > 4 || len < 6 + 2 * ns) throw corrupt('bad scan header');
        const comps: Component[] = [];
        for (let i = 0; i < ns; i++) {
          const id = data[seg + 1 + 2 * i]!;
          const c = frame.components.find((k) => k.id === id);
          if (!c) throw corrupt(`scan references unknown component ${id}`);
          const td = data[seg + 2 + 2 * i]! >> 4;
          const ta = data[seg + 2 + 2 * i]! & 15;
          c.dc = dcTables[td] ?? null;
          c.ac = acTables[ta] ?? null;
          if (!c.quant) {
            const q = qtables[c.tq];
            if (!q) throw corrupt(`missing quantisation table ${c.tq}`);
            c.quant = q.slice();
          }
          comps.push(c);
        }
        const sp = seg + 1 + 2 * ns;
        const ss = data[sp]!;
        const se = data[sp + 1]!;
        const ah = data[sp + 2]! >> 4;
        const al = data[sp + 2]! & 15;
        if (scans === 0) firstScanAllComponents = ns === frame.components.length;
        scans++;
        blockVisits += comps.reduce((a, c) => a + c.bw * c.bh, 0);
        const frameBlocks = frame.components.reduce((a, c) => a + c.bw * c.bh, 0);
        if (blockVisits > MAX_SCAN_PASSES * frameBlocks) {
          throw corrupt(`too many scans (${scans}: more than ${MAX_SCAN_PASSES} passes over the image; real progressive files use about 10)`);
        }
        pos = decodeScan(data, end, frame, comps, restartInterval, ss, se, ah, al);
        continue markers;
      }
      default:
        break; // APPn, COM, DNL, ...: skipped
    }
    pos = end;
  }

  if (!frame) throw corrupt('file is truncated (no frame header)');
  if (scans === 0) throw new ImageError('CORRUPT', 'corrupt JPEG: file is truncated (no image data)');
  // Multi-scan files are buffered to EOI by libjpeg before any output: Pillow then reports a
  // missing EOI as a truncated file. A single-scan file whose scan is complete and followed by
  // another marker is accepted without it, as by Pillow (data simply ending inside the scan has
  // already failed in the bit reader, which reads ahead like libjpeg).
  if (!sawEoi && (frame.progressive || !firstScanAllComponents || scans > 1)) {
    throw new ImageError('CORRUPT', 'corrupt JPEG: file is truncated (no end-of-image marker)');
  }
  return outputImage(frame, jfif, adobeTransform);
}

function decodeScan(
  data: Uint8Array,
  start: number,
  frame: Frame,
  comps: Component[],
  restartInterval: number,
  ss: number,
  se: number,
  ah: number,
  al: number,
): number {
  const br = new BitReader(data, start);
  const progressive = frame.progressive;
  if (comps.length > 1 && comps.reduce((n, c) => n + c.h * c.v, 0) > 10) {
    throw corrupt('sampling factors too large for an interleaved scan');
  }
  if (progressive) {
    const bad = ss > se || se > 63 || ah > 13 || al > 13 || (ss === 0 && se !== 0) || (ss !== 0 && comps.length !== 1);
    if (bad) throw corrupt('bad progressive scan parameters');
  }
  for (const c of comps) {
    const needDc = !progressive || (ss === 0 && ah === 0);
    const needAc = !progressive ? true : ss !== 0;
    if ((needDc && !c.dc) || (needAc && !c.ac)) throw corrupt('missing Huffman table');
    c.pred = 0;
  }
  let eobrun = 0;
  const p1 = 1 << al;
  const m1 = -1 << al;

  const decodeBlock = (c: Component, off: number) => {
    const blk = c.coefs;
    if (!progressive) {
      const t = br.decode(c.dc!);
      const diff = t ? extend(br.bits(t), t) : 0;
      c.pred += diff;
      blk[off] = c.pred;
      for (let k = 1; k < 64; k++) {
        const rs = br.decode(c.ac!);
        const s = rs & 15;
        const r = rs >> 4;
        if (s) {
          k += r;
          blk[off + NATURAL_ORDER[k]!] = extend(br.bits(s), s);
        } else {
          if (r !== 15) break;
          k += 15;
        }
      }
      return;
    }
    if (ss === 0) {
      if (ah === 0) {
        const t = br.decode(c.dc!);
        const diff = t ? extend(br.bits(t), t) : 0;
        c.pred += diff;
        blk[off] = c.pred * p1;
      } else if (br.bit()) {
        blk[off] = blk[off]! | p1;
      }
      return;
    }
    if (ah === 0) {
      if (eobrun > 0) {
        eobrun--;
        return;
      }
      for (let k = ss; k <= se; k++) {
        const rs = br.decode(c.ac!);
        const s = rs & 15;
        const r = rs >> 4;
        if (s) {
          k += r;
          blk[off + NATURAL_ORDER[k]!] = extend(br.bits(s), s) * p1;
        } else if (r === 15) {
          k += 15;
        } else {
          eobrun = 1 << r;
          if (r) eobrun += br.bits(r);
          eobrun--;
          break;
        }
      }
      return;
    }
    // AC refinement (jdphuff.c decode_mcu_AC_refine)
    let k = ss;
    if (eobrun === 0) {
      for (; k <= se; k++) {
        const rs = br.decode(c.ac!);
        let s = rs & 15;
        let r = rs >> 4;
        if (s) {
          s = br.bit() ? p1 : m1;
        } else if (r !== 15) {
          eobrun = 1 << r;
          if (r) eobrun += br.bits(r);
          break;
        }
        do {
          const idx = off + NATURAL_ORDER[k]!;
          const coef = blk[idx]!;
          if (coef !== 0) {
            if (br.bit() && (coef & p1) === 0) blk[idx] = coef >= 0 ? coef + p1 : coef + m1;
          } else {
            if (--r < 0) break;
          }
          k++;
        } while (k <= se);
        if (s) blk[off + NATURAL_ORDER[k]!] = s;
      }
    }
    if (eobrun > 0) {
      for (; k <= se; k++) {
        const idx = off + NATURAL_ORDER[k]!;
        const coef = blk[idx]!;
        if (coef !== 0 && br.bit() && (coef & p1) === 0) blk[idx] = coef >= 0 ? coef + p1 : coef + m1;
      }
      eobrun--;
    }
  };

  const restart = () => {
    const p = br.alignToMarker();
    if (p + 1 < data.length && data[p + 1]! >= 0xd0 && data[p + 1]! <= 0xd7) br.pos = p + 2;
    for (const c of comps) c.pred = 0;
    eobrun = 0;
  };

  if (comps.length === 1) {
    const c = comps[0]!;
    const bw = Math.ceil(c.dw / 8);
    const bh = Math.ceil(c.dh / 8);
    const total = bw * bh;
    for (let n = 0; n < total; n++) {
      if (restartInterval && n > 0 && n % restartInterval === 0) restart();
      const row = Math.floor(n / bw);
      const col = n % bw;
      decodeBlock(c, (row * c.bw + col) * 64);
    }
  } else {
    const total = frame.mcusX * frame.mcusY;
    for (let n = 0; n < total; n++) {
      if (restartInterval && n > 0 && n % restartInterval === 0) restart();
      const my = Math.floor(n / frame.mcusX);
      const mx = n % frame.mcusX;
      for (const c of comps) {
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) decodeBlock(c, ((my * c.v + v) * c.bw + mx * c.h + h) * 64);
        }
      }
    }
  }
  return br.alignToMarker();
}

function outputImage(frame: Frame, jfif: boolean, adobeTransform: number): RgbImage {
  const { width, height, components } = frame;
  const ws = new Int32Array(64);
  // IDCT + upsample every component to full resolution (cropped to width x height).
  const planes = components.map((c) => {
    const stride = c.bw * 8;
    const plane = new Uint8Array(stride * c.bh * 8);
    const q = c.quant ?? new Int32Array(64);
    for (let by = 0; by < c.bh; by++) {
      for (let bx = 0; bx < c.bw; bx++) idctIslow(c.coefs, (by * c.bw + bx) * 64, q, ws, plane, by * 8 * stride + bx * 8, stride);
    }
    const hx = frame.hmax / c.h;
    const vy = frame.vmax / c.v;
    if (hx === 1 && vy === 1) return { data: plane, stride };
    const up = upsample(plane, stride, c.dw, c.dh, hx, vy);
    return { data: up.data, stride: up.width };
  });
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const at = (p: { data: Uint8Array; stride: number }, x: number, y: number) => p.data[y * p.stride + x]!;

  if (components.length === 1) {
    const p = planes[0]!;
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0; x < width; x++, o += 3) {
        const v = at(p, x, y);
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
      }
    }
    return { width, height, data: out };
  }

  const ids = components.map((c) => c.id);
  const { crr, cbb, crg, cbg } = YCC;
  if (components.length === 3) {
    let rgb: boolean;
    if (jfif) rgb = false;
    else if (adobeTransform >= 0) rgb = adobeTransform === 0;
    else rgb = ids[0] === 82 && ids[1] === 71 && ids[2] === 66;
    const [p0, p1, p2] = planes as [(typeof planes)[0], (typeof planes)[0], (typeof planes)[0]];
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0; x < width; x++, o += 3) {
        const a = at(p0, x, y);
        const b = at(p1, x, y);
        const c = at(p2, x, y);
        if (rgb) {
          out[o] = a;
          out[o + 1] = b;
          out[o + 2] = c;
        } else {
          out[o] = clamp255(a + crr[c]!);
          out[o + 1] = clamp255(a + Math.floor((cbg[b]! + crg[c]!) / 65536));
          out[o + 2] = clamp255(a + cbb[b]!);
        }
      }
    }
    return { width, height, data: out };
  }

  // 4 components: libjpeg gives CMYK (converting YCCK when Adobe transform = 2); Pillow reads it
  // as inverted CMYK ("CMYK;I") and converts to RGB with cmyk2rgb.
  const ycck = adobeTransform > 0; // libjpeg: Adobe transform 0 = CMYK, anything else = YCCK
  const [p0, p1, p2, p3] = planes as [(typeof planes)[0], (typeof planes)[0], (typeof planes)[0], (typeof planes)[0]];
  const cmyk = new Uint8Array(4);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      const a = at(p0, x, y);
      const b = at(p1, x, y);
      const c = at(p2, x, y);
      if (ycck) {
        cmyk[0] = 255 - clamp255(a + crr[c]!);
        cmyk[1] = 255 - clamp255(a + Math.floor((cbg[b]! + crg[c]!) / 65536));
        cmyk[2] = 255 - clamp255(a + cbb[b]!);
      } else {
        cmyk[0] = a;
        cmyk[1] = b;
        cmyk[2] = c;
      }
      cmyk[3] = at(p3, x, y);
      // CMYK;I: inverted; cmyk2rgb: nk = 255 - k; out = clip(nk - muldiv255(c, nk))
      const k = 255 - cmyk[3]!;
      const nk = 255 - k;
      for (let i = 0; i < 3; i++) {
        const ci = 255 - cmyk[i]!;
        const t = ci * nk + 128;
        out[o + i] = clamp255(nk - (((t >> 8) + t) >> 8));
      }
    }
  }
  return { width, height, data: out };
}
