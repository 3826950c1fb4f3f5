/**
 * npx tsx bench/ort-profile.ts --model paper-c0 [--net gen|enc_c|enc_a] [--runs 3]
 *
 * ONNX Runtime's own per-node profile (session option enableProfiling) of one network of a model that
 * `npm run bench` has exported (.cache/bench/onnx/<model>), on onnxruntime-node's CPU provider, summed
 * by operator type over `--runs` calls after a warm-up call, largest first; the counterpart of
 * `npm run bench:profile` (tfjs, per kernel). onnxruntime-web's wasm build runs the same graph
 * optimiser and the same MLAS kernels compiled to wasm SIMD (its profile goes to the Emscripten
 * console, not a file, so it is not read here). Threads: 1 (as in the bench).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_CACHE } from './input';
import type { OnnxExport } from './ort';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'paper-c0' },
    net: { type: 'string', default: 'gen' },
    runs: { type: 'string', default: '3' },
  },
});

interface ProfileEvent { cat: string; name: string; dur: number; args?: { op_name?: string; provider?: string } }

const dir = join(BENCH_CACHE, 'onnx', args.model!);
const exp = { dir, ...(JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Omit<OnnxExport, 'dir'>) };
const s = exp.size;
const [, cc, ch, cw] = exp.contentShape as [number, number, number, number];
const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
const work = mkdtempSync(join(tmpdir(), 'ort-profile-'));
process.chdir(work); // onnxruntime-node writes the profile JSON into the working folder
const ort = await import('onnxruntime-node');
const session = await ort.InferenceSession.create(join(dir, `${args.net}.onnx`),
  { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: 'ort' });
const feeds: Record<string, InstanceType<typeof ort.Tensor>> = args.net === 'gen'
  ? { content: new ort.Tensor('float32', fill(cc * ch * cw), [1, cc, ch, cw]), z: new ort.Tensor('float32', fill(exp.nz), [1, exp.nz]) }
  : { x: new ort.Tensor('float32', fill(3 * s * s), [1, 3, s, s]) };
const runs = Number(args.runs);
const t0 = performance.now();
for (let i = 0; i <= runs; i++) await session.run(feeds);
const wall = performance.now() - t0;
session.endProfiling();
await session.release();
const file = readdirSync(work).find((f) => f.startsWith('ort') && f.endsWith('.json'));
if (!file) throw new Error('onnxruntime-node wrote no profile file');
const events = JSON.parse(readFileSync(join(work, file), 'utf8')) as ProfileEvent[];
rmSync(work, { recursive: true, force: true });
// Node events: '<node>_kernel_time' per node and call; the first (warm-up) call is dropped.
const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
const perCall = kernels.length / (runs + 1);
const by = new Map<string, { count: number; us: number }>();
for (const e of kernels.slice(perCall)) {
  const op = e.args?.op_name ?? '?';
  const v = by.get(op) ?? { count: 0, us: 0 };
  v.count++;
  v.us += e.dur;
  by.set(op, v);
}
const total = [...by.values()].reduce((a, b) => a + b.us, 0);
console.log(`${args.model} ${args.net}@${s} on onnxruntime-node (CPU EP, 1 thread): ${perCall} nodes per call after graph optimisation, kernel time ${(total / 1000 / runs).toFixed(1)} ms per call (mean of ${runs}), wall ${(wall / (runs + 1)).toFixed(0)} ms per call incl. warm-up`);
console.log('| operator | nodes per call | ms per call | share |\n|---|---|---|---|');
for (const [op, v] of [...by].sort((a, b) => b[1].us - a[1].us)) {
  console.log(`| ${op} | ${v.count / runs} | ${(v.us / 1000 / runs).toFixed(1)} | ${((100 * v.us) / total).toFixed(1)} % |`);
}
process.exit(0);
