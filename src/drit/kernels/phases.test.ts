/**
 * The four-phase transposed convolution + interleave kernel against tfjs's own conv2dTranspose
 * (PyTorch's ConvTranspose2d(k3, s2, p1, output_padding 1) = a 'valid' transposed conv to
 * 2H+1 cropped to 2H), on wasm and cpu, for odd sizes, batches and channel counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../../node/backend';
import { phaseConvTranspose, phaseKernels } from './phases';
import { expectClose, seeded } from './test-utils';

function reference(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    const out = filter.shape[2];
    const full = tf.conv2dTranspose(x, filter, [n, 2 * h + 1, 2 * w + 1, out], 2, 'valid');
    return tf.add(tf.slice(full, [0, 1, 1, 0], [n, 2 * h, 2 * w, out]), bias);
  });
}

const CASES = [
  { n: 1, h: 1, w: 1, cin: 2, cout: 3 },
  { n: 2, h: 3, w: 5, cin: 7, cout: 4 },
  { n: 1, h: 13, w: 13, cin: 40, cout: 24 },
];

for (const backend of ['cpu', 'wasm'] as NodeBackend[]) {
  describe(`phase transposed conv on ${backend}`, () => {
    for (const c of CASES) {
      it(`${c.n}x${c.h}x${c.w}x${c.cin} -> ${c.cout}`, async () => {
        await initNodeBackend(backend);
        const before = tf.memory().numTensors;
        const x = seeded([c.n, c.h, c.w, c.cin], 1) as tf.Tensor4D;
        const filter = seeded([3, 3, c.cout, c.cin], 2, 0.3) as tf.Tensor4D; // [kh, kw, out, in]
        const bias = seeded([c.cout], 3) as tf.Tensor1D;
        const kernels = phaseKernels(filter);
        const y = phaseConvTranspose(x, kernels, bias);
        const ref = reference(x, filter, bias);
        await expectClose(y, ref, 1e-6, 1e-5);
        tf.dispose([x, filter, bias, y, ref, ...kernels]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}
