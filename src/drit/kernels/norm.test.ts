/**
 * The fused InstanceNorm kernel against the textbook formula evaluated in float64 in plain JS
 * (stock tfjs float32 moments are themselves ~1e-5 off on large tensors), on wasm and cpu:
 * batches, channel counts, data far from zero mean, every epilogue; and the WebGPU version
 * (norm-webgpu.ts) in Node + Dawn. The stock-op path is checked against PyTorch in parity.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../../node/backend';
import { fusedInstanceNorm } from './norm';
import { expectClose, seeded } from './test-utils';

const EPS = 1e-5;

/** InstanceNorm of x (n, h, w, c) in float64 per (sample, channel), then ReLU, residual. */
async function reference(x: tf.Tensor4D, opts: { relu: boolean; residual?: Float32Array }): Promise<tf.Tensor4D> {
  const [n, h, w, c] = x.shape;
  const v = await x.data(); // not dataSync(): WebGPU in Node has no synchronous read-back
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

// Channel counts below, at and above the WebGPU kernel's 64-channel blocks.
const SHAPES = [[1, 5, 7, 3], [3, 9, 4, 16], [2, 27, 27, 33], [1, 6, 5, 130]];

// f32 on the GPU (shifted sums in 4 lanes, then a tree of 4): a looser bound than the CPU side's
// float64 statistics.
const TOLERANCE: Record<NodeBackend, { rel: number; abs: number }> = {
  cpu: { rel: 1e-6, abs: 1e-5 },
  wasm: { rel: 1e-6, abs: 1e-5 },
  webgpu: { rel: 1e-5, abs: 1e-4 },
};

for (const backend of ['cpu', 'wasm', 'webgpu'] as NodeBackend[]) {
  describe(`fused InstanceNorm on ${backend}`, () => {
    for (const shape of SHAPES) {
      for (const relu of [false, true]) {
        for (const withResidual of [false, true]) {
          const label = `[${shape}] relu=${relu} residual=${withResidual}`;
          it(`InstanceNorm ${label}`, async () => {
            await initNodeBackend(backend);
            const before = tf.memory().numTensors;
            const x = seeded(shape, 1, 3, 40) as tf.Tensor4D; // mean 40, std 3: tests the shifted sums
            const r = withResidual ? (seeded(shape, 2) as tf.Tensor4D) : undefined;
            const y = fusedInstanceNorm(x, EPS, { relu, residual: r });
            const ref = await reference(x, { relu, residual: r ? ((await r.data()) as Float32Array) : undefined });
            await expectClose(y, ref, TOLERANCE[backend].rel, TOLERANCE[backend].abs);
            tf.dispose([x, y, ref, r ?? []]);
            expect(tf.memory().numTensors).toBe(before);
          });
        }
      }
    }

    it('a constant image normalises to zeros (variance 0, no NaN)', async () => {
      await initNodeBackend(backend);
      const x = tf.fill([1, 4, 4, 2], 3.5) as tf.Tensor4D;
      const y = fusedInstanceNorm(x, EPS);
      expect(Array.from(await y.data()).every((v) => v === 0)).toBe(true);
      tf.dispose([x, y]);
    });

    it('rejects a residual of the wrong shape', async () => {
      await initNodeBackend(backend);
      const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
      const r = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
      expect(() => fusedInstanceNorm(x, EPS, { residual: r })).toThrow(/residual shape/);
      tf.dispose([x, r]);
    });
  });
}
