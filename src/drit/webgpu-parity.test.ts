/**
 * Parity with PyTorch on the real WebGPU backend in Node (Dawn via the `webgpu` package; on
 * machines without a GPU it runs on SwiftShader, see ../shared/design/webgpu-on-these-machines.md).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useNodeBackend } from '../node/backend';
import { fixturePack, loadIo } from '../testing/fixtures';
import { createDritModel } from './model';
import { checkFixture } from '../testing/parity';

describe('PyTorch parity on webgpu (Node + Dawn)', () => {
  for (const name of ['c0', 'c1_oldln'] as const) {
    it(`${name}: every network, both directions`, async () => {
      const info = await useNodeBackend('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
      const { manifest, weights } = await fixturePack(name);
      const model = createDritModel(manifest, weights);
      const worst = await checkFixture(model, loadIo(name));
      model.dispose();
      console.log(`webgpu (${info.adapter}) ${name}: max relative error ${worst.toExponential(2)}`);
    });
  }
});
