/**
 * Winograd F(4×4,3×3) against the backends' own direct convolution (itself checked against
 * PyTorch in parity.test.ts), on the two backends that run it: odd sizes that leave partial
 * tiles, the smallest reflect-padded image, batches, channel counts that are not multiples of 4,
 * both padding modes. The PyTorch parity tests run whole networks through this path too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../../node/backend';
import { pad2d } from '../layers';
import { expectClose, seeded } from './test-utils';
import { winogradConv3x3, winogradKernel } from './winograd';
import type { PadMode } from './winograd-math';

function direct(x: tf.Tensor4D, filter: tf.Tensor4D, mode: PadMode): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(pad2d(x, 1, mode), filter, 1, 'valid'));
}

const CASES: Array<{ n: number; h: number; w: number; cin: number; cout: number; mode: PadMode }> = [
  { n: 1, h: 8, w: 8, cin: 4, cout: 4, mode: 'reflect' }, // whole tiles
  { n: 1, h: 7, w: 9, cin: 3, cout: 5, mode: 'reflect' }, // partial tiles on both axes
  { n: 2, h: 2, w: 2, cin: 6, cout: 2, mode: 'reflect' }, // smallest reflectable image, batch
  { n: 3, h: 5, w: 1, cin: 2, cout: 7, mode: 'zero' }, // 1 pixel wide, zero padding
  { n: 1, h: 27, w: 13, cin: 33, cout: 17, mode: 'zero' },
  { n: 2, h: 54, w: 54, cin: 40, cout: 24, mode: 'reflect' },
];

for (const backend of ['cpu', 'wasm'] as NodeBackend[]) {
  describe(`Winograd F(4x4,3x3) on ${backend}`, () => {
    for (const c of CASES) {
      it(`${c.n}x${c.h}x${c.w}x${c.cin} -> ${c.cout}, ${c.mode}`, async () => {
        await initNodeBackend(backend);
        const before = tf.memory().numTensors;
        const x = seeded([c.n, c.h, c.w, c.cin], 1) as tf.Tensor4D;
        const filter = seeded([3, 3, c.cin, c.cout], 2, 1 / Math.sqrt(9 * c.cin)) as tf.Tensor4D;
        const kernel = winogradKernel(filter);
        expect(kernel).toHaveLength(36);
        const y = winogradConv3x3(x, kernel, c.mode);
        const ref = direct(x, filter, c.mode);
        await expectClose(y, ref, 2e-5, 1e-4);
        tf.dispose([x, filter, y, ref, ...kernel]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('refuses reflection padding of a 1-pixel image, and non-3x3 filters', async () => {
      await initNodeBackend(backend);
      const x = tf.zeros([1, 1, 4, 2]) as tf.Tensor4D;
      const kernel = winogradKernel(tf.zeros([3, 3, 2, 2]) as tf.Tensor4D);
      expect(() => winogradConv3x3(x, kernel, 'reflect')).toThrow(/at least 2x2/);
      expect(() => winogradKernel(tf.zeros([5, 5, 2, 2]) as tf.Tensor4D)).toThrow(/3x3 filter/);
      tf.dispose([x, ...kernel]);
    });
  });
}
