/**
 * The worker registers only the kernels of kernel-list.ts. This checks that list against what the
 * networks really dispatch: every network of every fixture variant (concat 0/1, old/new LayerNorm,
 * reflect/zero padding), both domains, batched generation and the reference's sigma, on the cpu,
 * wasm and WebGPU backends (Node), with our custom kernels and without (the path webgl takes),
 * recorded by tf.profile. A kernel missing from the list would be "not registered" in the browser;
 * one listed but never used is dead weight in the worker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { attributeSigma } from '../../drit/attribute-encoder';
import { createDritModel } from '../../drit/model';
import type { KernelChoice } from '../../drit/weights';
import { initNodeBackend, type NodeBackend } from '../../node/backend';
import { fixturePack, REPO } from '../../testing/fixtures';
import { GENERATED_PATH, kernelBundleSource } from './bundle-source';
import { WORKER_KERNELS } from './kernel-list';

const VARIANTS = ['c0', 'c0_zeropad', 'c0_leaky', 'c1', 'c1_oldln'];

/** The kernels dispatched while running every network of every variant once. */
async function kernelsUsed(kernels: KernelChoice): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const fixture of VARIANTS) {
    const { manifest, weights } = await fixturePack(fixture);
    // Inputs made outside the profile, so that it sees only what the networks dispatch.
    const inputs = {
      a: tf.randomUniform([1, 32, 32, manifest.channels.a], -1, 1) as tf.Tensor4D,
      b: tf.randomUniform([1, 32, 32, manifest.channels.b], -1, 1) as tf.Tensor4D,
    };
    const z = tf.randomNormal([3, manifest.nz]) as tf.Tensor2D;
    const info = await tf.profile(async () => {
      const model = createDritModel(manifest, weights, { kernels }); // includes its warm-up pass
      for (const d of ['a', 'b'] as const) {
        const x = inputs[d];
        const content = model.encodeContent(x, d);
        const attr = model.encodeAttribute(x, d);
        const sigma = attributeSigma(attr);
        const out = model.generate(content, z, d === 'a' ? 'b' : 'a');
        await out.data();
        tf.dispose([content, attr.mu, attr.logvar ?? [], sigma ?? [], out]);
      }
      model.dispose();
    });
    tf.dispose([inputs.a, inputs.b, z]);
    for (const name of info.kernelNames) {
      // tf.profile also lists op scopes ("fusedConv2d__op"); our own kernels (Drit*) are registered
      // by src/drit/kernels, not by the bundle.
      if (!name.endsWith('__op') && !name.startsWith('Drit')) seen.add(name);
    }
  }
  return seen;
}

describe('the worker kernel bundle', () => {
  it('the generated imports match kernel-list.ts (npm run kernels)', () => {
    expect(readFileSync(join(REPO, GENERATED_PATH), 'utf8')).toBe(kernelBundleSource(REPO));
  });

  it('lists exactly the kernels the networks dispatch on cpu, wasm and WebGPU', async () => {
    const union = new Set<string>();
    for (const backend of ['cpu', 'wasm', 'webgpu'] as NodeBackend[]) {
      await initNodeBackend(backend);
      for (const kernels of ['auto', 'stock'] as KernelChoice[]) {
        const used = await kernelsUsed(kernels);
        const missing = [...used].filter((k) => !(WORKER_KERNELS as readonly string[]).includes(k));
        expect(missing, `${backend}/${kernels} dispatches kernels the worker does not register`).toEqual([]);
        for (const k of used) union.add(k);
      }
    }
    expect([...union].sort()).toEqual([...WORKER_KERNELS].sort());
  }, 600_000);
});
