/**
 * The DRIT building blocks as tfjs ops in NHWC (docs/drit-reference.md §2, §4.4), using our custom
 * kernels (./kernels) where the store allows it and the active backend has them.
 * Every function takes and returns tensors without disposing its inputs: callers run them
 * inside tf.tidy. Weights come from a WeightStore already in the tfjs layout (docs/model-pack.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuKernelsAvailable } from './kernels/registry';
import { fusedInstanceNorm, fusedInstanceNormAvailable, type NormEpilogue } from './kernels/norm';
import { phaseConvTranspose, phaseKernels } from './kernels/phases';
import { winogradConv3x3, winogradKernel } from './kernels/winograd';
import type { WeightStore } from './weights';

export type Padding = 'reflect' | 'zero';
export type LayerNormKind = 'new' | 'old';

const NORM_EPS = 1e-5;

/** Pads H and W by p on all four sides (reflection = PyTorch ReflectionPad2d = TF REFLECT). */
export function pad2d(x: tf.Tensor4D, p: number, mode: Padding): tf.Tensor4D {
  if (p === 0) return x;
  const paddings: Array<[number, number]> = [[0, 0], [p, p], [p, p], [0, 0]];
  return mode === 'reflect' ? tf.mirrorPad(x, paddings, 'reflect') : tf.pad(x, paddings);
}

export type Activation = 'linear' | 'relu' | 'leakyrelu';

export interface ConvOptions {
  /** Activation fused into the convolution kernel (default linear). */
  activation?: Activation;
  /** Slope for 'leakyrelu'. */
  alpha?: number;
  /**
   * Skip the bias. Only for a conv followed by InstanceNorm: IN subtracts the per-channel mean,
   * which removes a per-channel bias exactly, so adding it is wasted work.
   */
  noBias?: boolean;
}

/**
 * Padded convolution: pad p (reflect or zero), unpadded conv with stride s, bias and activation
 * fused into one kernel (tf.fused.conv2d) on every backend.
 */
export function conv(
  x: tf.Tensor4D,
  w: WeightStore,
  prefix: string,
  stride: number,
  p: number,
  mode: Padding,
  opts: ConvOptions = {},
): tf.Tensor4D {
  return tf.tidy(() => tf.fused.conv2d({
    x: pad2d(x, p, mode),
    filter: w.get4d(`${prefix}.weight`),
    strides: stride,
    pad: 'valid',
    bias: opts.noBias ? undefined : w.get1d(`${prefix}.bias`),
    activation: opts.activation ?? 'linear',
    leakyreluAlpha: opts.alpha,
  }));
}

/**
 * conv (padding 1) -> InstanceNorm [-> ReLU] [+ residual]. The conv bias is dropped: IN cancels it.
 * With the custom kernels, stride-1 3×3 convs run as Winograd and the norm is one fused kernel.
 */
export function convIn(x: tf.Tensor4D, w: WeightStore, prefix: string, stride: number, mode: Padding, epi: NormEpilogue = {}): tf.Tensor4D {
  return tf.tidy(() => instanceNorm(
    useWinograd(w, prefix, stride) ? winogradConv3x3(x, winogradWeight(w, prefix), mode) : conv(x, w, prefix, stride, 1, mode, { noBias: true }),
    w,
    epi,
  ));
}

/** Whether this store's networks run our CPU-side kernels on the active backend. */
export function customKernels(w: WeightStore): boolean {
  return w.kernels === 'auto' && cpuKernelsAvailable();
}

/** Stride-1 3×3 filters run as Winograd F(4×4,3×3) where the custom kernels are on. */
function useWinograd(w: WeightStore, prefix: string, stride: number): boolean {
  if (stride !== 1) return false;
  const [kh, kw] = w.get4d(`${prefix}.weight`).shape;
  return kh === 3 && kw === 3 && customKernels(w);
}

/** The Winograd-transformed kernel of a 3×3 conv, built on first use and kept by the store. */
function winogradWeight(w: WeightStore, prefix: string): tf.Tensor2D[] {
  return w.derived(`${prefix}.weight#winograd`, () => winogradKernel(w.get4d(`${prefix}.weight`)));
}

/** Applies the epilogue with stock ops. */
function epilogue(y: tf.Tensor4D, epi: NormEpilogue): tf.Tensor4D {
  const r = epi.relu ? tf.relu(y) : y;
  return epi.residual ? tf.add(r, epi.residual) : r;
}

/**
 * InstanceNorm2d without affine parameters: per sample and channel over H, W, biased variance;
 * then the epilogue (ReLU, residual add).
 */
export function instanceNorm(x: tf.Tensor4D, w: WeightStore, epi: NormEpilogue = {}): tf.Tensor4D {
  if (w.kernels === 'auto' && fusedInstanceNormAvailable()) return fusedInstanceNorm(x, NORM_EPS, epi);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    return epilogue(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, NORM_EPS))), epi);
  });
}

/**
 * DRIT's custom LayerNorm: statistics per sample over all of H, W, C, then a per-channel affine,
 * then the epilogue. 'new' (HEAD): biased variance, eps inside the sqrt. 'old': unbiased std, eps
 * added to the std.
 */
export function layerNorm(x: tf.Tensor4D, w: WeightStore, prefix: string, kind: LayerNormKind, epi: NormEpilogue = {}): tf.Tensor4D {
  const gamma = w.get1d(`${prefix}.weight`);
  const beta = w.get1d(`${prefix}.bias`);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2, 3], true);
    let normed: tf.Tensor4D;
    if (kind === 'new') {
      normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, NORM_EPS)));
    } else {
      const [, h, wd, c] = x.shape;
      const n = h * wd * c;
      const std = tf.sqrt(tf.mul(variance, n / (n - 1)));
      normed = tf.div(tf.sub(x, mean), tf.add(std, NORM_EPS));
    }
    return epilogue(tf.add(tf.mul(normed, gamma), beta), epi);
  });
}

/**
 * ConvTranspose2d(k3, s2, padding 1, output_padding 1) as PyTorch computes it (docs/drit-reference.md §4.4: input
 * pixel i, tap k lands on output 2i + k - 1), as a sub-pixel convolution: even output rows take tap
 * 1 of input row m, odd rows taps 2 (row m) and 0 (row m + 1); likewise for columns. So one 2×2
 * stride-1 conv over the input zero-padded by one row/column at the end, with 4·out channels
 * (one per output parity), followed by depthToSpace(2), gives exactly the 2H × 2W result. This runs
 * on the backends' fast conv paths (tfjs-wasm's transposed conv is a slow generic loop: half of the
 * concat-1 generator's time) at the cost of zero taps in the 2×2 kernel. With the custom CPU-side
 * kernels it runs as four per-phase convs and one interleave kernel instead (kernels/phases.ts).
 * Kernels are built once per weight.
 */
export function convTransposeUp(x: tf.Tensor4D, w: WeightStore, prefix: string): tf.Tensor4D {
  const bias = w.get1d(`${prefix}.bias`);
  if (customKernels(w)) return phaseConvTranspose(x, phaseWeights(w, prefix), bias);
  const kernel = subPixelWeight(w, prefix);
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]);
    const phases = tf.conv2d(padded, kernel, 1, 'valid');
    return tf.add(tf.depthToSpace(phases, 2, 'NHWC'), bias);
  });
}

/** Builds, at load, the re-laid-out kernel of a transposed conv for the path the backend takes. */
export function prepareConvTranspose(w: WeightStore, prefix: string): void {
  if (customKernels(w)) phaseWeights(w, prefix);
  else subPixelWeight(w, prefix);
}

function subPixelWeight(w: WeightStore, prefix: string): tf.Tensor4D {
  return w.derived(`${prefix}.weight#subpixel`, () => subPixelKernel(w.get4d(`${prefix}.weight`)));
}

function phaseWeights(w: WeightStore, prefix: string): tf.Tensor4D[] {
  return w.derived(`${prefix}.weight#phases`, () => phaseKernels(w.get4d(`${prefix}.weight`)));
}

/**
 * [3, 3, out, in] transposed-conv filter -> [2, 2, in, 4·out] sub-pixel kernel (order dy, dx, out):
 * the four per-parity kernels, each zero-padded at the bottom/right to 2×2.
 */
function subPixelKernel(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.concat(
    phaseKernels(filter).map((k) => tf.pad(k, [[0, 2 - k.shape[0]], [0, 2 - k.shape[1]], [0, 0], [0, 0]])),
    3,
  );
}

/** ReLUINSConvTranspose2d: transposed conv -> DRIT LayerNorm -> ReLU. */
export function upBlock(x: tf.Tensor4D, w: WeightStore, prefix: string, ln: LayerNormKind): tf.Tensor4D {
  return tf.tidy(() => layerNorm(convTransposeUp(x, w, `${prefix}.model.0`), w, `${prefix}.model.1`, ln, { relu: true }));
}

/** INSResBlock: x + IN(conv(pad(ReLU(IN(conv(pad(x))))))), no activation after the sum. */
export function insResBlock(x: tf.Tensor4D, w: WeightStore, prefix: string, mode: Padding): tf.Tensor4D {
  return tf.tidy(() => {
    const h = convIn(x, w, `${prefix}.model.1`, 1, mode, { relu: true });
    return convIn(h, w, `${prefix}.model.5`, 1, mode, { residual: x });
  });
}

/** Linear layer: x (N, in) · W [in, out] + b, with the activation fused. */
export function linear(x: tf.Tensor2D, w: WeightStore, prefix: string, activation: 'linear' | 'relu' = 'linear'): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w.get2d(`${prefix}.weight`), bias: w.get1d(`${prefix}.bias`), activation }) as tf.Tensor2D;
}

/** Concatenates a spatially broadcast vector z (N, k) after the features x (N, H, W, C). */
export function concatZ(x: tf.Tensor4D, z: tf.Tensor2D): tf.Tensor4D {
  const [n, h, wd] = x.shape;
  const k = z.shape[1];
  return tf.tidy(() => tf.concat<tf.Tensor4D>([x, tf.broadcastTo<tf.Rank.R4>(tf.reshape(z, [n, 1, 1, k]), [n, h, wd, k])], 3));
}

/** Repeats a batch-1 tensor n times along the batch axis (no-op for n = 1). */
export function repeatBatch<T extends tf.Tensor>(x: T, n: number): T {
  if (x.shape[0] === n) return x;
  if (x.shape[0] !== 1) throw new Error(`cannot broadcast a batch of ${x.shape[0]} to ${n}`);
  const reps = x.shape.map((_, i) => (i === 0 ? n : 1));
  return tf.tile(x, reps) as T;
}
