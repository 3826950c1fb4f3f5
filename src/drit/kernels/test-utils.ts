/** Shared helpers of the kernel tests: seeded tensors and a relative-error comparison. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { sampleNormal } from '../random';

/** A seeded N(0, scale²) tensor, plus `offset` (to test statistics away from zero). */
export function seeded(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(sampleNormal(seed, n, 1).map((v) => v * scale + offset), shape);
}

/** Expects ||a - b|| / ||b|| below `rel` and every |a - b| below `abs`. */
export async function expectClose(a: tf.Tensor, b: tf.Tensor, rel: number, abs: number): Promise<void> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [await a.data(), await b.data()];
  let num = 0;
  let den = 0;
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i]! - y[i]!) ** 2;
    den += y[i]! ** 2;
    worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  }
  expect(Math.sqrt(num / den)).toBeLessThan(rel);
  expect(worst).toBeLessThan(abs);
}
