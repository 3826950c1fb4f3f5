/**
 * The fused InstanceNorm kernel against the textbook formula evaluated in float64 in plain JS
 * (stock tfjs float32 moments are themselves ~1e-5 off on large tensors), on wasm and cpu:
 * batches, channel counts, data far from zero mean, every epilogue. The stock-op path GPU
 * backends run is checked against PyTorch in parity.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useNodeBackend, type NodeBackend } from '../../node/backend';
import { fusedInstanceNorm } from './norm';
import { expectClose, seeded } from './test-utils';

const EPS = 1e-5;

/** InstanceNorm of x (n, h, w, c) in float64 per (sample, channel), then ReLU, residual. */
function reference(x: tf.Tensor4D, opts: { relu: boolean; residual?: Float32Array }): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const v = x.dataSync();
  const out = new Float32Array(v.length);
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < c; g++) {
      const idx: number[] = [];
      for (let p = 0; p < hw; p++) idx.push((b * hw + p) * c + g);
      const mean = idx.reduce((s, i) => s + v[i]!, 0) / idx.length;
      const ss = idx.reduce((s, i) => s + (v[i]! - mean) ** 2, 0);
      const denom = Math.sqrt(ss / idx.length + EPS);
      for (const i of idx) {
        let y = (v[i]! - mean) / denom;
        if (opts.relu) y = Math.max(y, 0);
        out[i] = y + (opts.residual ? opts.residual[i]! : 0);
      }
    }
  }
  return tf.tensor4d(out, [n, h, w, c]);
}

const SHAPES = [[1, 5, 7, 3], [3, 9, 4, 16], [2, 27, 27, 33]];

for (const backend of ['cpu', 'wasm'] as NodeBackend[]) {
  describe(`fused norms on ${backend}`, () => {
    for (const shape of SHAPES) {
      for (const relu of [false, true]) {
        for (const withResidual of [false, true]) {
          const label = `[${shape}] relu=${relu} residual=${withResidual}`;
          it(`InstanceNorm ${label}`, async () => {
            await useNodeBackend(backend);
            const before = tf.memory().numTensors;
            const x = seeded(shape, 1, 3, 40) as tf.Tensor4D; // mean 40, std 3: tests the shifted sums
            const r = withResidual ? (seeded(shape, 2) as tf.Tensor4D) : undefined;
            const y = fusedInstanceNorm(x, EPS, { relu, residual: r });
            const ref = reference(x, { relu, residual: r?.dataSync() as Float32Array | undefined });
            await expectClose(y, ref, 1e-6, 1e-5);
            tf.dispose([x, y, ref, r ?? []]);
            expect(tf.memory().numTensors).toBe(before);
          });
        }
      }
    }

    it('a constant image normalises to zeros (variance 0, no NaN)', async () => {
      await useNodeBackend(backend);
      const x = tf.fill([1, 4, 4, 2], 3.5) as tf.Tensor4D;
      const y = fusedInstanceNorm(x, EPS);
      expect(Array.from(await y.data()).every((v) => v === 0)).toBe(true);
      tf.dispose([x, y]);
    });

    it('rejects a residual of the wrong shape', async () => {
      await useNodeBackend(backend);
      const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
      const r = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
      expect(() => fusedInstanceNorm(x, EPS, { residual: r })).toThrow(/residual shape/);
      tf.dispose([x, r]);
    });
  });
}
