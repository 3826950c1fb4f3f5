/**
 * A/B timing of the networks in two source trees on the same pack and input, interleaved so load
 * drifts hit both alike: npx tsx bench/ab.ts <srcA> <srcB> <packDir> [backend] [rounds]
 * (srcX = a checkout's src/ folder, e.g. a git worktree of an older commit).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { sampleNormal } from '../src/drit/random';
import type { NamedWeight, PackManifest } from '../src/pack/manifest';
import { readPack } from '../src/pack/read';
import { folderSource } from '../src/pack/folder-source';
import { initNodeBackend, type NodeBackend } from '../src/node/backend';

interface Model {
  encodeContent(x: tf.Tensor4D, d: 'a' | 'b'): tf.Tensor4D;
  generate(c: tf.Tensor4D, z: tf.Tensor2D, d: 'a' | 'b'): tf.Tensor4D;
  dispose(): void;
}
type Factory = (m: PackManifest, w: NamedWeight[]) => Model;

const [srcA, srcB, packDir, backend = 'wasm', rounds = '5'] = process.argv.slice(2);
if (!srcA || !srcB || !packDir) throw new Error('usage: bench/ab.ts <srcA> <srcB> <packDir> [backend] [rounds]');
await initNodeBackend(backend as NodeBackend);
const { manifest, weights } = await readPack(folderSource(packDir));
const size = manifest.preprocess.crop;
const x = tf.tensor4d(sampleNormal(size, size * size, 3).map(Math.tanh), [1, size, size, 3]);
const z = tf.tensor2d(sampleNormal(1, 1, manifest.nz), [1, manifest.nz]);
const variants: Array<{ name: string; model: Model; full: number[]; gen: number[]; peak: number; kernels: number }> = [];
for (const src of [srcA, srcB]) {
  const { createDritModel } = (await import(join(src, 'drit', 'model.ts'))) as { createDritModel: Factory };
  const model = createDritModel(manifest, weights);
  const prof = await tf.profile(() => {
    const c = model.encodeContent(x, 'a');
    const y = model.generate(c, z, 'b');
    c.dispose();
    return y;
  });
  (prof.result as tf.Tensor).dispose();
  variants.push({ name: src, model, full: [], gen: [], peak: prof.peakBytes / 2 ** 20, kernels: prof.kernels.length });
}
const time = async (f: () => tf.Tensor): Promise<number> => {
  const t0 = performance.now();
  const y = f();
  await y.data();
  y.dispose();
  return performance.now() - t0;
};
for (let r = 0; r <= Number(rounds); r++) {
  for (const v of variants) {
    const c = v.model.encodeContent(x, 'a');
    const full = await time(() => {
      const c2 = v.model.encodeContent(x, 'a');
      const y = v.model.generate(c2, z, 'b');
      c2.dispose();
      return y;
    });
    const gen = await time(() => v.model.generate(c, z, 'b'));
    c.dispose();
    if (r > 0) {
      v.full.push(full);
      v.gen.push(gen);
    }
  }
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor((a.length - 1) / 2)]!;
for (const v of variants) {
  console.log(`${v.name}: full ${med(v.full).toFixed(0)} ms, gen ${med(v.gen).toFixed(0)} ms (median of ${v.full.length}), ${v.kernels} kernels, peak ${v.peak.toFixed(0)} MB`);
}
process.exit(0);
