/**
 * The attribute encoders (docs/drit-reference.md §3.2, §3.3). concat = 0: E_attr, a deterministic attribute code.
 * concat = 1: E_attr_concat, a Gaussian (mu, logvar). Input NHWC in [-1, 1] of the image's domain.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Domain, EncAActivation } from '../pack/manifest';
import { conv, linear, type Padding } from './layers';
import type { WeightStore } from './weights';

export interface AttributeCode {
  /** The attribute (concat = 0) or the mean of its Gaussian (concat = 1), (N, nz). */
  mu: tf.Tensor2D;
  /** concat = 1 only: log-variance (N, nz). */
  logvar?: tf.Tensor2D;
}

/**
 * E_attr: 4 stride-2 convs with ReLU after a 7×7 stem, global mean, 1×1 conv to nz. With
 * `activation` 'leakyrelu' (our trainer's variant, `variant.encAActivation`) every ReLU is a
 * LeakyReLU(0.2).
 */
export function encodeAttributeMlp(
  x: tf.Tensor4D,
  w: WeightStore,
  domain: Domain,
  mode: Padding,
  activation: EncAActivation = 'relu',
): AttributeCode {
  const m = domain === 'a' ? 'model_a' : 'model_b';
  const act = activation === 'relu' ? ({ activation: 'relu' } as const) : ({ activation: 'leakyrelu', alpha: 0.2 } as const);
  let h = conv(x, w, `${m}.1`, 1, 3, mode, act);
  for (const idx of [4, 7, 10, 13]) h = conv(h, w, `${m}.${idx}`, 2, 1, mode, act);
  const pooled = tf.mean(h, [1, 2], true) as tf.Tensor4D;
  const out = conv(pooled, w, `${m}.16`, 1, 0, mode);
  return { mu: tf.reshape(out, [out.shape[0], out.shape[3]]) };
}

/** BasicBlock of E_attr_concat: conv path (pre-activated) plus an average-pooled 1×1 shortcut. */
function basicBlock(x: tf.Tensor4D, w: WeightStore, prefix: string, mode: Padding): tf.Tensor4D {
  let h = tf.leakyRelu(x, 0.2);
  h = conv(h, w, `${prefix}.conv.2`, 1, 1, mode, { activation: 'leakyrelu', alpha: 0.2 });
  h = tf.avgPool(conv(h, w, `${prefix}.conv.4.1`, 1, 1, mode), 2, 2, 'valid');
  const shortcut = conv(tf.avgPool(x, 2, 2, 'valid'), w, `${prefix}.shortcut.1`, 1, 0, mode);
  return tf.add(h, shortcut);
}

/** E_attr_concat: 4×4 stride-2 stem, BasicBlocks, LReLU(0.2), global mean, fc -> mu, fcVar -> logvar. */
export function encodeAttributeConcat(x: tf.Tensor4D, w: WeightStore, domain: Domain, mode: Padding): AttributeCode {
  const X = domain === 'a' ? 'A' : 'B';
  let h = conv(x, w, `conv_${X}.1`, 2, 1, mode);
  const blocks = w.countFrom(2, (i) => `conv_${X}.${i}.conv.2.weight`);
  for (let i = 2; i < 2 + blocks; i++) h = basicBlock(h, w, `conv_${X}.${i}`, mode);
  const pooled = tf.mean(tf.leakyRelu(h, 0.2), [1, 2]) as tf.Tensor2D;
  return { mu: linear(pooled, w, `fc_${X}.0`), logvar: linear(pooled, w, `fcVar_${X}.0`) };
}

/** concat = 1: the standard deviation exp(logvar / 2) of the attribute's Gaussian; null for concat = 0. */
export function attributeSigma(a: AttributeCode): tf.Tensor2D | null {
  const { logvar } = a;
  return logvar ? tf.tidy(() => tf.exp(tf.mul<tf.Tensor2D>(logvar, 0.5))) : null;
}
