/**
 * IEEE 754 binary16 <-> binary32 conversion. float32 -> float16 rounds to nearest, ties to even,
 * produces subnormals, overflows to ±Infinity and keeps NaN a NaN (sign and top payload bits kept,
 * quiet bit forced). float16 -> float32 is exact.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Bits of the float16 nearest to `x` (ties to even). */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) {
    // Inf or NaN
    return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  }
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // subnormal half (or zero)
    if (e < -10) return sign; // < 2^-25: rounds to zero (2^-25 exactly ties to even zero)
    const m = mant | 0x800000;
    const shift = 14 - e; // 14..24
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h; // a carry into the exponent field gives the smallest normal, as it should
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // may carry up to 0x7c00 = Inf
  return sign | h;
}

let table: Float32Array | null = null;

function decodeTable(): Float32Array {
  if (table) return table;
  const t = new Float32Array(65536);
  const tu = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) {
      t[h] = (sign ? -1 : 1) * m * 2 ** -24;
    } else if (e === 0x1f) {
      tu[h] = (sign | 0x7f800000 | (m << 13)) >>> 0;
    } else {
      tu[h] = (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
    }
  }
  table = t;
  return t;
}

/** The float32 value of float16 bits `h` (exact). */
export function float16BitsToFloat32(h: number): number {
  return decodeTable()[h & 0xffff] as number;
}

export function float32ToFloat16Array(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float32ToFloat16Bits(src[i] as number);
  return out;
}

export function float16ToFloat32Array(src: Uint16Array): Float32Array {
  const t = decodeTable();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = t[src[i] as number] as number;
  return out;
}

/** Decode `count` little-endian float16 values starting at `byteOffset` of `bytes` (any alignment). */
export function decodeFloat16LE(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  const t = decodeTable();
  const out = new Float32Array(count);
  for (let i = 0, p = byteOffset; i < count; i++, p += 2) {
    out[i] = t[(bytes[p] as number) | ((bytes[p + 1] as number) << 8)] as number;
  }
  return out;
}

/** Encode float32 values as little-endian float16 bytes into `out` at `byteOffset`. */
export function encodeFloat16LE(src: Float32Array, out: Uint8Array, byteOffset: number): void {
  for (let i = 0, p = byteOffset; i < src.length; i++, p += 2) {
    const h = float32ToFloat16Bits(src[i] as number);
    out[p] = h & 0xff;
    out[p + 1] = h >>> 8;
  }
}
