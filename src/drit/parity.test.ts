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

const FIXTURE_NAMES = ['c0', 'c1', 'c1_oldln', 'c0_zeropad'] as const;

const report: string[] = [];

for (const backend of ['cpu', 'wasm'] as NodeBackend[]) {
  describe(`PyTorch parity on ${backend}`, () => {
    beforeAll(async () => {
      await useNodeBackend(backend);
    });
    for (const name of FIXTURE_NAMES) {
      it(`${name}: every network, both directions`, async () => {
        await useNodeBackend(backend);
        const io = loadIo(name);
        const { manifest, weights } = await fixturePack(name);
        const before = tf.memory().numTensors;
        const model = createDritModel(manifest, weights);
        const worst = await checkFixture(model, io);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
        report.push(`${backend} ${name}: max relative error ${worst.toExponential(2)}`);
      });
    }
  });
}

afterAll(() => {
  if (report.length) console.log(['parity figures:', ...report].join('\n  '));
});
