/**
 * Parity with PyTorch: every fixture, every network, both directions, on the cpu and wasm
 * backends (webgpu in webgpu-parity.test.ts). Reference outputs come from training/make_fixtures.py.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend, type NodeBackend } from '../node/backend';
import { fixturePack, loadIo } from '../testing/fixtures';
import { checkFixture } from '../testing/parity';
import { createDritModel } from './model';
import type { Conv3x3Algorithm } from './weights';

const FIXTURE_NAMES = ['c0', 'c1', 'c1_oldln', 'c0_zeropad'] as const;

const report: string[] = [];

// cpu and wasm run stride-1 3x3 convs as Winograd by default ('auto'); the direct path (what
// GPU backends run) is checked on wasm too.
const RUNS: Array<{ backend: NodeBackend; conv3x3: Conv3x3Algorithm }> = [
  { backend: 'cpu', conv3x3: 'auto' },
  { backend: 'wasm', conv3x3: 'auto' },
  { backend: 'wasm', conv3x3: 'direct' },
];

for (const { backend, conv3x3 } of RUNS) {
  describe(`PyTorch parity on ${backend} (3x3 convs: ${conv3x3})`, () => {
    beforeAll(async () => {
      await useNodeBackend(backend);
    });
    for (const name of FIXTURE_NAMES) {
      it(`${name}: every network, both directions`, async () => {
        await useNodeBackend(backend);
        const io = loadIo(name);
        const { manifest, weights } = await fixturePack(name);
        const before = tf.memory().numTensors;
        const model = createDritModel(manifest, weights, { conv3x3 });
        const worst = await checkFixture(model, io);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
        report.push(`${backend} (${conv3x3}) ${name}: max relative error ${worst.toExponential(2)}`);
      });
    }
  });
}

afterAll(() => {
  if (report.length) console.log(['parity figures:', ...report].join('\n  '));
});
