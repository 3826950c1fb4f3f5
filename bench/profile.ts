/**
 * npm run bench:profile -- [--pack DIR] [--backend webgpu|wasm|cpu] [--size PX] [--workload gen|content|enc_a]
 *                          [--kernels auto|stock]
 *
 * Per-kernel profile of one DRIT call (after a warm-up), from tf.profile: every kernel's time
 * (GPU timestamp queries on webgpu when the adapter offers them, else wall time) summed by kernel
 * name, largest first. Guides the WebGPU optimisations recorded in docs/benchmarks.md.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createDritModel } from '../src/drit/model';
import type { KernelChoice } from '../src/drit/weights';
import { sampleNormal } from '../src/drit/random';
import { readPack } from '../src/pack/read';
import { folderSource } from '../src/pack/folder-source';
import { initNodeBackend, type NodeBackend } from '../src/node/backend';

const { values: args } = parseArgs({
  options: {
    pack: { type: 'string', default: join(import.meta.dirname, '..', '.cache', 'bench', 'tiny-c0') },
    backend: { type: 'string', default: 'webgpu' },
    size: { type: 'string' },
    workload: { type: 'string', default: 'gen' },
    kernels: { type: 'string', default: 'auto' },
  },
});

const info = await initNodeBackend(args.backend as NodeBackend);
const dir = args.pack!;
const { manifest, weights } = await readPack(folderSource(dir));
const model = createDritModel(manifest, weights, { kernels: args.kernels as KernelChoice });
const size = Number(args.size ?? manifest.preprocess.crop);
const x = tf.tensor4d(sampleNormal(size, size * size, 3).map(Math.tanh), [1, size, size, 3]);
const z = tf.tensor2d(sampleNormal(1, 1, manifest.nz), [1, manifest.nz]);
const content = model.encodeContent(x, 'a');
const call = (): tf.Tensor => {
  switch (args.workload) {
    case 'content':
      return model.encodeContent(x, 'a');
    case 'enc_a':
      return model.encodeAttribute(x, 'b').mu;
    default:
      return model.generate(content, z, 'b');
  }
};
for (let i = 0; i < 2; i++) {
  const y = call();
  await y.data();
  y.dispose();
}
const t0 = performance.now();
const profile = await tf.profile(async () => {
  const y = call();
  await y.data();
  return y;
});
const wall = performance.now() - t0;
const byKernel = new Map<string, { count: number; ms: number }>();
for (const k of profile.kernels) {
  const ms = Number(await k.kernelTimeMs) || 0;
  const e = byKernel.get(k.name) ?? { count: 0, ms: 0 };
  e.count++;
  e.ms += ms;
  byKernel.set(k.name, e);
}
const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
console.log(`${manifest.name} ${args.workload}@${size} on ${info.backend}${info.adapter ? ` (${info.adapter})` : ''}: ${profile.kernels.length} kernels, kernel time ${total.toFixed(1)} ms, wall ${wall.toFixed(0)} ms, peak ${(profile.peakBytes / 2 ** 20).toFixed(1)} MB`);
console.log('| kernel | calls | ms | share |\n|---|---|---|---|');
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`| ${name} | ${e.count} | ${e.ms.toFixed(1)} | ${((100 * e.ms) / total).toFixed(1)} % |`);
}
tf.dispose([x, z, content, profile.result as tf.Tensor]);
model.dispose();
process.exit(0);
