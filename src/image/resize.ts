/**
 * Bicubic resize, bit-identical with Pillow 9.4's `Image.resize((w, h), Image.BICUBIC)` on an
 * RGB image (libImaging/Resample.c, 8 bits per channel path), plus the model's resize step
 * (`resizeForModel`: DRIT's square 256x256 resize or the older shorter-side resize).
 *
 * What Pillow does, and this file reproduces operation by operation:
 *  - Per axis, `precompute_coeffs`: scale = in/out; filterscale = max(scale, 1) (the kernel is
 *    widened when downscaling = antialiasing); support = 2 * filterscale; for every output
 *    index the window [trunc(center - support + 0.5), trunc(center + support + 0.5)) clamped to
 *    the image, weights = bicubic(a = -0.5)((i - center + 0.5) / filterscale) computed in double
 *    and normalised by their sum.
 *  - The normalised weights are converted to fixed point with PRECISION_BITS = 32 - 8 - 2 = 22
 *    (round half away from zero), pixels are accumulated in int32 starting from
 *    1 << (PRECISION_BITS - 1) (rounding), and the result is `clip8`-ed (arithmetic shift right
 *    then clamp to [0, 255]).
 *  - Horizontal pass first (only over the source rows the vertical pass needs), result stored
 *    as uint8, then the vertical pass. A pass is skipped when its dimension is unchanged;
 *    resizing to the same size returns a copy.
 *
 * No Node or DOM imports: runs in Web Workers too.
 */
import type { Preprocess } from '../pack/manifest';
import { ImageError, assertRgbImage, cloneRgbImage, type RgbImage } from './types';

const PRECISION_BITS = 32 - 8 - 2;
const FIXED_ONE = 1 << PRECISION_BITS;
const FIXED_HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2.0;

/** Pillow's bicubic_filter with a = -0.5 (same expression order, all in double). */
function bicubicFilter(x: number): number {
  const a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

interface Coeffs {
  /** Max taps per output sample. */
  ksize: number;
  /** Per output index: [first source index, number of taps]. */
  bounds: Int32Array;
  /** Fixed-point weights, `ksize` per output index (unused tail is 0). */
  kk: Int32Array;
}

/** Pillow's precompute_coeffs (box = [0, inSize]) followed by normalize_coeffs_8bpc. */
function precomputeCoeffs(inSize: number, outSize: number): Coeffs {
  const in0 = 0;
  const in1 = inSize;
  const scale = (in1 - in0) / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = BICUBIC_SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    let ww = 0.0;
    const ss = 1.0 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    for (let x = 0; x < xmax; x++) {
      const w = bicubicFilter((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      let w = k[x]!;
      if (ww !== 0.0) w /= ww;
      // normalize_coeffs_8bpc: (int)(±0.5 + w * (1 << PRECISION_BITS)), C truncation
      kk[base + x] = w < 0 ? Math.trunc(-0.5 + w * FIXED_ONE) : Math.trunc(0.5 + w * FIXED_ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

/** Pillow's clip8: arithmetic shift by PRECISION_BITS, then clamp to [0, 255]. */
function clip8(v: number): number {
  const t = v >> PRECISION_BITS;
  return t < 0 ? 0 : t > 255 ? 255 : t;
}

/** Horizontal pass over source rows [rowStart, rowStart + rows). */
function resampleHorizontal(
  src: Uint8Array,
  srcWidth: number,
  rowStart: number,
  rows: number,
  outWidth: number,
  c: Coeffs,
): Uint8Array {
  const out = new Uint8Array(outWidth * rows * 3);
  const { ksize, bounds, kk } = c;
  let o = 0;
  for (let yy = 0; yy < rows; yy++) {
    const rowOff = (yy + rowStart) * srcWidth * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = bounds[xx * 2]!;
      const xmax = bounds[xx * 2 + 1]!;
      const kOff = xx * ksize;
      let s0 = FIXED_HALF;
      let s1 = FIXED_HALF;
      let s2 = FIXED_HALF;
      let p = rowOff + xmin * 3;
      for (let x = 0; x < xmax; x++, p += 3) {
        const w = kk[kOff + x]!;
        s0 += src[p]! * w;
        s1 += src[p + 1]! * w;
        s2 += src[p + 2]! * w;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
    }
  }
  return out;
}

/** Vertical pass; `bounds` are relative to the first row of `src`. */
function resampleVertical(
  src: Uint8Array,
  width: number,
  outHeight: number,
  c: Coeffs,
  rowShift: number,
): Uint8Array {
  const out = new Uint8Array(width * outHeight * 3);
  const { ksize, bounds, kk } = c;
  const stride = width * 3;
  let o = 0;
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = bounds[yy * 2]! - rowShift;
    const ymax = bounds[yy * 2 + 1]!;
    const kOff = yy * ksize;
    for (let i = 0; i < stride; i++) {
      let s = FIXED_HALF;
      let p = ymin * stride + i;
      for (let y = 0; y < ymax; y++, p += stride) s += src[p]! * kk[kOff + y]!;
      out[o++] = clip8(s);
    }
  }
  return out;
}

/**
 * Bicubic resize of an RGB image, bit-identical with Pillow 9.4
 * `img.resize((width, height), Image.BICUBIC)` (default box, no reducing_gap).
 */
export function resizeBicubic(img: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(img, 'resizeBicubic');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError(
      'INVALID_ARGUMENT',
      `resizeBicubic: target size must be positive integers (got ${width}x${height})`,
    );
  }
  const needHorizontal = width !== img.width;
  const needVertical = height !== img.height;
  if (!needHorizontal && !needVertical) return cloneRgbImage(img);

  const horiz = precomputeCoeffs(img.width, width);
  const vert = precomputeCoeffs(img.height, height);
  // First and one-past-last source rows the vertical pass reads.
  const yFirst = vert.bounds[0]!;
  const yLast = vert.bounds[height * 2 - 2]! + vert.bounds[height * 2 - 1]!;

  let data = img.data;
  let rowShift = 0;
  if (needHorizontal) {
    data = resampleHorizontal(img.data, img.width, yFirst, yLast - yFirst, width, horiz);
    rowShift = yFirst;
    if (!needVertical) return { width, height, data };
  }
  return { width, height, data: resampleVertical(data, width, height, vert, rowShift) };
}

/**
 * Size after the model's resize step:
 *  - 'square': exactly resize x resize (DRIT HEAD, `transforms.Resize((256, 256))`);
 *  - 'shorter-side': shorter side = resize, long side = int(resize * long / short)
 *    (torchvision `Resize(256)`, DRIT before e26a45a). Square inputs give resize x resize.
 */
export function modelResizeSize(
  width: number,
  height: number,
  p: Pick<Preprocess, 'resize' | 'resizeMode'>,
): { width: number; height: number } {
  const size = p.resize;
  if (!Number.isInteger(size) || size < 1) {
    throw new ImageError('INVALID_ARGUMENT', `preprocess.resize must be a positive integer (got ${size})`);
  }
  if (p.resizeMode === 'square') return { width: size, height: size };
  if (p.resizeMode !== 'shorter-side') {
    throw new ImageError('INVALID_ARGUMENT', `unknown preprocess.resizeMode ${String(p.resizeMode)}`);
  }
  // Python: int(size * long / short); size * long is an exact integer, '/' is IEEE division.
  const out = width <= height ? { width: size, height: Math.floor((size * height) / width) } : { width: Math.floor((size * width) / height), height: size };
  // a legal but extreme aspect ratio (1x40000) would need a gigapixel intermediate: refuse it up front
  if (out.width * out.height > MAX_RESIZED_PIXELS) {
    throw new ImageError(
      'TOO_LARGE',
      `a ${width}x${height} image resized so its shorter side is ${size} would be ${out.width}x${out.height} pixels (more than ${MAX_RESIZED_PIXELS / 1e6} MP): crop it to a less extreme aspect ratio first`,
    );
  }
  return out;
}

/** Largest intermediate image the model's resize may produce (the same 50 MP as the input limit). */
export const MAX_RESIZED_PIXELS = 50_000_000;

/** The model's resize step (see `modelResizeSize`), always PIL bicubic. */
export function resizeForModel(
  img: RgbImage,
  p: Pick<Preprocess, 'resize' | 'resizeMode' | 'resample'>,
): RgbImage {
  if (p.resample !== 'bicubic') {
    throw new ImageError('INVALID_ARGUMENT', `unsupported preprocess.resample ${String(p.resample)}`);
  }
  const { width, height } = modelResizeSize(img.width, img.height, p);
  return resizeBicubic(img, width, height);
}
