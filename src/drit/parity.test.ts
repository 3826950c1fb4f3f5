/**
 * Parity with PyTorch: every fixture, every network, both directions, on the cpu and wasm
 * backends (webgpu in webgpu-parity.test.ts). Reference outputs come from fixtures/generate.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../node/backend';
import { fixturePack, loadIo } from '../testing/fixtures';
import { checkFixture } from '../testing/parity';
import { createDritModel } from './model';
import type { KernelChoice } from './weights';

const FIXTURE_NAMES = ['c0', 'c1', 'c1_oldln', 'c0_zeropad', 'c0_leaky'] as const;

const report: string[] = [];

// cpu and wasm run our custom kernels by default ('auto': Winograd 3x3 convs, fused norms,
// sub-pixel interleave); the stock-tfjs path (what GPU backends run) is checked on wasm too.
const RUNS: Array<{ backend: NodeBackend; kernels: KernelChoice }> = [
  { backend: 'cpu', kernels: 'auto' },
  { backend: 'wasm', kernels: 'auto' },
  { backend: 'wasm', kernels: 'stock' },
];

for (const { backend, kernels } of RUNS) {
  describe(`PyTorch parity on ${backend} (${kernels} kernels)`, () => {
    beforeAll(async () => {
      await initNodeBackend(backend);
    });
    for (const name of FIXTURE_NAMES) {
      it(`${name}: every network, both directions`, async () => {
        await initNodeBackend(backend);
        const io = loadIo(name);
        const { manifest, weights } = await fixturePack(name);
        const before = tf.memory().numTensors;
        const model = createDritModel(manifest, weights, { kernels });
        const worst = await checkFixture(model, io);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
        report.push(`${backend} (${kernels} kernels) ${name}: max relative error ${worst.toExponential(2)}`);
      });
    }
  });
}

afterAll(() => {
  if (report.length) console.log(['parity figures:', ...report].join('\n  '));
});
