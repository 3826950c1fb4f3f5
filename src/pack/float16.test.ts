import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Array, float32ToFloat16Bits } from './float16';

const enc = float32ToFloat16Bits;
const dec = float16BitsToFloat32;

describe('float16', () => {
  it('encodes exact values, signed zeros, the extremes and infinities', () => {
    expect(enc(0)).toBe(0x0000);
    expect(enc(-0)).toBe(0x8000);
    expect(enc(1)).toBe(0x3c00);
    expect(enc(-2)).toBe(0xc000);
    expect(enc(0.5)).toBe(0x3800);
    expect(enc(65504)).toBe(0x7bff); // largest finite half
    expect(enc(2 ** -14)).toBe(0x0400); // smallest normal
    expect(enc(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(enc(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(enc(Infinity)).toBe(0x7c00);
    expect(enc(-Infinity)).toBe(0xfc00);
    expect(enc(1e10)).toBe(0x7c00);
    expect(enc(-1e10)).toBe(0xfc00);
    expect(enc(1e-10)).toBe(0x0000);
    expect(enc(-1e-10)).toBe(0x8000);
  });

  it('rounds to nearest, ties to even', () => {
    expect(enc(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10 -> even (1)
    expect(enc(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 1+2^-10 and 1+2^-9 -> even (1+2^-9)
    expect(enc(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie -> up
    expect(enc(65519)).toBe(0x7bff); // below the midpoint to infinity
    expect(enc(65520)).toBe(0x7c00); // the midpoint: ties to even = Infinity
    expect(enc(2 ** -25)).toBe(0x0000); // half the smallest subnormal ties to even zero
    expect(enc(1.5 * 2 ** -25)).toBe(0x0001);
    expect(enc(3 * 2 ** -25)).toBe(0x0002); // tie between subnormals 1 and 2 -> 2
    expect(enc(5 * 2 ** -25)).toBe(0x0002); // tie between 2 and 3 -> 2
    expect(enc(2047 * 2 ** -25)).toBe(0x0400); // rounds up out of the subnormal range
  });

  it('keeps NaN a NaN', () => {
    const h = enc(NaN);
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x03ff).not.toBe(0);
    expect(Number.isNaN(dec(h))).toBe(true);
    expect(Number.isNaN(dec(0xfe00))).toBe(true);
  });

  it('decodes every half exactly and re-encodes it to the same bits', () => {
    for (let h = 0; h < 0x10000; h++) {
      const f = dec(h);
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) {
        expect(Number.isNaN(f)).toBe(true);
        continue;
      }
      if (enc(f) !== h) throw new Error(`round trip of 0x${h.toString(16)} gave 0x${enc(f).toString(16)}`);
    }
    expect(dec(0x3555)).toBeCloseTo(0.33325195, 7);
    expect(dec(0x0001)).toBe(2 ** -24);
    expect(dec(0xfbff)).toBe(-65504);
  });

  it('picks the nearest half for random float32 values', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const src = new Float32Array(20000);
    for (let i = 0; i < src.length; i++) src[i] = (rnd() - 0.5) * 2 ** Math.floor(rnd() * 44 - 28);
    const h = float32ToFloat16Array(src);
    const back = float16ToFloat32Array(h);
    for (let i = 0; i < src.length; i++) {
      const x = src[i] as number;
      const bits = h[i] as number;
      const err = Math.abs((back[i] as number) - x);
      // neighbours (same sign) must not be closer
      for (const nb of [bits - 1, bits + 1]) {
        if ((nb & 0x7fff) > 0x7bff || (nb & 0x8000) !== (bits & 0x8000) || nb < 0) continue;
        const e2 = Math.abs(dec(nb) - x);
        if (e2 < err) throw new Error(`${x}: chose 0x${bits.toString(16)} but 0x${nb.toString(16)} is closer`);
      }
    }
  });
});
