/**
 * Parity with PyTorch on the real WebGPU backend in Node (Dawn via the `webgpu` package; on
 * machines without a GPU it runs on SwiftShader, see docs/drit-reference.md §13).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { fixturePack, loadIo } from '../testing/fixtures';
import { createDritModel } from './model';
import type { KernelChoice } from './weights';
import { checkFixture } from '../testing/parity';

// 'auto' runs the fused InstanceNorm WebGPU kernel; 'stock' is the stock-op path (webgl runs it too).
const RUNS: Array<{ name: 'c0' | 'c1_oldln' | 'c0_leaky'; kernels: KernelChoice }> = [
  { name: 'c0', kernels: 'auto' },
  { name: 'c0_leaky', kernels: 'auto' },
  { name: 'c1_oldln', kernels: 'auto' },
  { name: 'c0', kernels: 'stock' },
];

describe('PyTorch parity on webgpu (Node + Dawn)', () => {
  for (const { name, kernels } of RUNS) {
    it(`${name} (${kernels} kernels): every network, both directions`, async () => {
      const info = await initNodeBackend('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
      const { manifest, weights } = await fixturePack(name);
      const model = createDritModel(manifest, weights, { kernels });
      const worst = await checkFixture(model, loadIo(name));
      model.dispose();
      console.log(`webgpu (${info.adapter}) ${name} (${kernels} kernels): max relative error ${worst.toExponential(2)}`);
    });
  }
});
