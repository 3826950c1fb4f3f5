/**
 * The DRIT building blocks as pure tfjs ops in NHWC (architecture spec §2, §4.4).
 * Every function takes and returns tensors without disposing its inputs: callers run them
 * inside tf.tidy. Weights come from a WeightStore already in the tfjs layout (docs/model-pack.md).
 */
import * as tf from '@tensorflow/tfjs';
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

/** conv -> InstanceNorm (the conv bias is dropped: IN cancels it). */
export function convIn(x: tf.Tensor4D, w: WeightStore, prefix: string, stride: number, mode: Padding): tf.Tensor4D {
  return tf.tidy(() => instanceNorm(conv(x, w, prefix, stride, 1, mode, { noBias: true })));
}

/** InstanceNorm2d without affine parameters: per sample and channel over H, W, biased variance. */
export function instanceNorm(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, NORM_EPS)));
  });
}

/**
 * DRIT's custom LayerNorm: statistics per sample over all of H, W, C, then a per-channel affine.
 * 'new' (HEAD): biased variance, eps inside the sqrt. 'old': unbiased std, eps added to the std.
 */
export function layerNorm(x: tf.Tensor4D, w: WeightStore, prefix: string, kind: LayerNormKind): tf.Tensor4D {
  return tf.tidy(() => {
    const gamma = w.get1d(`${prefix}.weight`);
    const beta = w.get1d(`${prefix}.bias`);
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
    return tf.add(tf.mul(normed, gamma), beta);
  });
}

/**
 * ConvTranspose2d(k3, s2, padding 1, output_padding 1) as PyTorch computes it (spec §4.4): PyTorch
 * puts input pixel i, tap k at output 2i + k - 1. A tfjs transposed conv with explicit padding 1
 * on each side and output 2H x 2W places taps exactly there, so no 'valid' (2H+1) result has to be
 * cropped: one full-size copy less per up-sampling layer.
 */
export function convTransposeUp(x: tf.Tensor4D, w: WeightStore, prefix: string): tf.Tensor4D {
  const filter = w.get4d(`${prefix}.weight`); // [kh, kw, out, in]
  const bias = w.get1d(`${prefix}.bias`);
  const [n, h, wd] = x.shape;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];
  return tf.add(tf.conv2dTranspose(x, filter, [n, 2 * h, 2 * wd, filter.shape[2]], 2, pad), bias);
}

/** ReLUINSConvTranspose2d: transposed conv -> DRIT LayerNorm -> ReLU. */
export function upBlock(x: tf.Tensor4D, w: WeightStore, prefix: string, ln: LayerNormKind): tf.Tensor4D {
  return tf.tidy(() => tf.relu(layerNorm(convTransposeUp(x, w, `${prefix}.model.0`), w, `${prefix}.model.1`, ln)));
}

/** INSResBlock: x + IN(conv(pad(ReLU(IN(conv(pad(x))))))), no activation after the sum. */
export function insResBlock(x: tf.Tensor4D, w: WeightStore, prefix: string, mode: Padding): tf.Tensor4D {
  return tf.tidy(() => {
    const h = tf.relu(convIn(x, w, `${prefix}.model.1`, 1, mode));
    return tf.add(x, convIn(h, w, `${prefix}.model.5`, 1, mode));
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
