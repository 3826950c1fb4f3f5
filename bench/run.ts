/**
 * npm run bench [-- --quick] [--backends wasm,cpu,webgpu] [--models paper-c0,paper-c1,cat2dog] [--all] [--reps N]
 *                  [--threads N] [--device cpu|cuda] [--kernels auto,stock] [--ort ort-wasm,ort-node]
 *                  [--workloads gen,full,enc_a,batch8]
 *
 * Times DRIT inference in one process so ratios are fair: the paper's widths at 216 px (random
 * weights, both variants) and the shipped default pack, on every tfjs backend available in Node and
 * on PyTorch with the same weights (the pack loaded back by training/drit/pack.py) and input.
 * Workloads (medians after warm-up): full translation (E_c + G), generator only (content cached:
 * the slider path), E_a alone, a batch of 8 samples. Each ends with a read-back of the result.
 * Ends with machine-readable lines `RATIO <tfjs-backend>/<reference> <workload>@<size>: <x>`.
 *
 * --quick (CI): narrow random models at 64 px, 2 repetitions: seconds, so the harness cannot rot.
 * By default the cpu backend and webgpu on a software adapter (SwiftShader) run only the shipped
 * model: at the paper's widths they take minutes per call. --all runs everything everywhere.
 * ONNX Runtime (--ort ort-wasm,ort-node; `--ort ''` skips it): the same networks exported to ONNX
 * (bench/export_onnx.py, checked against PyTorch's outputs before timing) on onnxruntime-web's
 * WebAssembly build and onnxruntime-node's CPU provider, same input and z, same thread count
 * (--threads). Each ORT call is interleaved with the tfjs wasm call of the same workload, round by
 * round, so load swings hit both; ends with `RATIO wasm/<ort-engine> <workload>@<size>: <x>` lines.
 * --kernels auto,stock: time with our custom CPU-side kernels ('auto': Winograd 3×3 convs, fused
 * norms, sub-pixel interleave on wasm/cpu; stock tfjs ops on GPUs) and/or with stock tfjs ops
 * only; 'stock' rows are named `<backend>:stock`, e.g. `RATIO wasm:stock/torch-cpu full@216: …`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { convertCheckpoint } from '../src/convert';
import { createDritModel, type DritModel } from '../src/drit/model';
import type { KernelChoice } from '../src/drit/weights';
import { sampleNormal } from '../src/drit/random';
import type { PackManifest } from '../src/pack/manifest';
import { readPack } from '../src/pack/read';
import { folderSource } from '../src/pack/folder-source';
import { initNodeBackend, type NodeBackend } from '../src/node/backend';
import type { RgbImage } from '../src/image/types';
import { framesFromOutput, prepareInput } from '../src/worker/crop-input';
import { BENCH_CACHE, inputFile } from './input';
import { ensureOnnx, loadOrt, nhwcToNchw, paritySummary, type OnnxExport, type OrtKind, type OrtModel } from './ort';

const REPO = join(import.meta.dirname, '..');
const CACHE = BENCH_CACHE;
const PY = join(REPO, 'scripts', 'py');

const WORKLOADS = ['full', 'gen', 'enc_a', 'batch8'] as const;
type Workload = (typeof WORKLOADS)[number];
/** `camera`: one live frame as the worker runs it (640×480 RGB -> crop + resize -> E_c + G -> RGBA), tfjs only. */
type Timings = Partial<Record<Workload | 'camera', { ms: number; reps: number }>>;

interface ModelSpec {
  id: string;
  /** Pack folder (created from a random checkpoint when `make` is given). */
  pack: string;
  make?: { concat: 0 | 1; encCBase: number; encABase: number };
  /** Input size; defaults to the pack's crop. */
  size?: number;
  /** Heavy: skipped on slow backends unless --all. */
  heavy: boolean;
}

interface Row {
  model: string;
  size: number;
  engine: string;
  timings: Timings;
  note?: string;
  peakMB?: number;
  liveTensorsAfter?: number;
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    backends: { type: 'string' },
    reps: { type: 'string' },
    threads: { type: 'string', default: '1' },
    device: { type: 'string', default: 'cpu' },
    'budget-s': { type: 'string', default: '40' },
    'leak-calls': { type: 'string' },
    models: { type: 'string' },
    kernels: { type: 'string', default: 'auto' },
    ort: { type: 'string', default: 'ort-wasm,ort-node' },
    // The generator first: "full" timed first after one warm-up call caught V8 still optimising our
    // kernels' JavaScript loops (docs/benchmarks.md); the order only changes when each is timed.
    workloads: { type: 'string', default: 'gen,full,enc_a,batch8' },
  },
});

const quick = args.quick ?? false;
const reps = Number(args.reps ?? (quick ? 2 : 5));
const budgetMs = Number(args['budget-s']) * 1000;
const torchThreads = Number(args.threads);
const backends = (args.backends ?? (quick ? 'wasm,cpu' : 'wasm,cpu,webgpu')).split(',').filter(Boolean) as NodeBackend[];
const leakCalls = Number(args['leak-calls'] ?? (quick ? 20 : 500));
const kernelChoices = args.kernels!.split(',').filter(Boolean) as KernelChoice[];
for (const k of kernelChoices) if (k !== 'auto' && k !== 'stock') throw new Error(`--kernels: unknown choice '${k}' (auto, stock)`);
const workloads = args.workloads!.split(',').filter(Boolean) as Workload[];
for (const w of workloads) if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--workloads: unknown workload '${w}' (${WORKLOADS.join(', ')})`);
const ortKinds = args.ort!.split(',').filter(Boolean) as OrtKind[];
for (const k of ortKinds) if (k !== 'ort-wasm' && k !== 'ort-node') throw new Error(`--ort: unknown engine '${k}' (ort-wasm, ort-node)`);
/**
 * Largest relative difference from PyTorch an ORT engine may show before its timings are refused.
 * Measured: onnxruntime-node 1e-5 to 4e-5, onnxruntime-web's wasm build up to 9.5e-4 at the paper's
 * widths; a wrong export (weight layout, padding, z split) differs by 0.1 to 1.
 */
const ORT_PARITY_LIMIT = 1e-2;

function models(): ModelSpec[] {
  if (quick) {
    return [
      { id: 'tiny-c0', pack: join(CACHE, 'tiny-c0'), make: { concat: 0, encCBase: 8, encABase: 8 }, size: 64, heavy: false },
      { id: 'tiny-c1', pack: join(CACHE, 'tiny-c1'), make: { concat: 1, encCBase: 8, encABase: 8 }, size: 64, heavy: false },
    ];
  }
  const list: ModelSpec[] = [
    { id: 'paper-c0', pack: join(CACHE, 'paper-c0'), make: { concat: 0, encCBase: 64, encABase: 64 }, size: 216, heavy: true },
    { id: 'paper-c1', pack: join(CACHE, 'paper-c1'), make: { concat: 1, encCBase: 64, encABase: 64 }, size: 216, heavy: true },
  ];
  const shipped = join(REPO, 'public', 'models', 'cat2dog');
  if (existsSync(join(shipped, 'manifest.json'))) list.push({ id: 'cat2dog', pack: shipped, heavy: false });
  else console.log('note: public/models/cat2dog is missing; the shipped model is not benchmarked');
  return list;
}

function run(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

async function ensurePack(m: ModelSpec): Promise<void> {
  if (!m.make || existsSync(join(m.pack, 'manifest.json'))) return;
  const ckpt = `${m.pack}.pth`;
  console.log(`making ${m.id}: random weights, concat=${m.make.concat}, E_c base ${m.make.encCBase}`);
  run(PY, ['-m', 'bench.make_checkpoint', '--concat', String(m.make.concat), '--enc-c-base', String(m.make.encCBase),
    '--enc-a-base', String(m.make.encABase), '--out', ckpt]);
  const { files } = await convertCheckpoint(new Uint8Array(readFileSync(ckpt)), { name: m.id, domains: ['A', 'B'] });
  rmSync(ckpt);
  mkdirSync(m.pack, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(m.pack, name), bytes);
}

async function loadPack(dir: string, kernels: KernelChoice): Promise<{ manifest: PackManifest; model: DritModel }> {
  const { manifest, weights } = await readPack(folderSource(dir));
  return { manifest, model: createDritModel(manifest, weights, { kernels }) };
}


type Timing = { ms: number; reps: number };
let loadStart = '';

function median(times: number[]): Timing {
  const t = [...times].sort((a, b) => a - b);
  return { ms: t[Math.floor((t.length - 1) / 2)]!, reps: t.length };
}

/**
 * Times several engines on one workload, interleaved: a warm-up call each (shader compilation, kernel
 * selection, allocations), then rounds of one call per engine until `reps` rounds or the budget
 * (scaled by the engine count) is spent. Medians per engine.
 */
async function timeEach(fns: Record<string, () => Promise<void>>): Promise<Record<string, Timing>> {
  const names = Object.keys(fns);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) await fns[n]!();
  const start = performance.now();
  for (let round = 0; round < reps && (round === 0 || performance.now() - start < budgetMs * names.length); round++) {
    for (const n of names) {
      const t0 = performance.now();
      await fns[n]!();
      times[n]!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]));
}

async function time(fn: () => Promise<void>): Promise<Timing> {
  return (await timeEach({ only: fn })).only!;
}

/** A deterministic 640×480 camera-sized RGB frame. */
function cameraFrame(): RgbImage {
  const w = 640;
  const h = 480;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  return { width: w, height: h, data };
}

/** The four workloads on one ONNX Runtime engine, on the same input (NCHW) and z as the tfjs path. */
async function ortWorkloads(ort: OrtModel, xNchw: Float32Array, z1: Float32Array, z8: Float32Array): Promise<Record<Workload, () => Promise<void>>> {
  const content = (await ort.encodeContent(xNchw, 1)).data.slice();
  const content8 = new Float32Array(content.length * 8);
  for (let i = 0; i < 8; i++) content8.set(content, i * content.length);
  return {
    full: async () => {
      const c = await ort.encodeContent(xNchw, 1);
      await ort.generate(c.data, z1, 1);
    },
    gen: async () => void (await ort.generate(content, z1, 1)),
    enc_a: async () => void (await ort.encodeAttribute(xNchw, 1)),
    batch8: async () => void (await ort.generate(content8, z8, 8)),
  };
}

/**
 * Times the tfjs model (and, interleaved with it, each ORT engine given) on every workload. Returns the
 * tfjs timings and peak bytes and the ORT engines' timings.
 */
async function benchTfjs(model: DritModel, x: tf.Tensor4D, orts: OrtModel[] = []): Promise<{ timings: Timings; peakMB: number; ortTimings: Map<OrtKind, Timings> }> {
  const nz = model.manifest.nz;
  const z1data = sampleNormal(1, 1, nz);
  const z8data = sampleNormal(2, 8, nz);
  const z1 = tf.tensor2d(z1data, [1, nz]);
  const z8 = tf.tensor2d(z8data, [8, nz]);
  const content = model.encodeContent(x, 'a');
  const readBack = async (t: tf.Tensor | tf.Tensor[]): Promise<void> => {
    const list = Array.isArray(t) ? t : [t];
    await Promise.all(list.map((u) => u.data()));
    tf.dispose(list);
  };
  const [, s, , ] = x.shape;
  const xNchw = nhwcToNchw((await x.data()) as Float32Array, 1, s, s, 3);
  const ortFns = new Map<OrtKind, Record<Workload, () => Promise<void>>>();
  for (const o of orts) ortFns.set(o.kind, await ortWorkloads(o, xNchw, z1data, z8data));
  const tfjsFns: Record<Workload, () => Promise<void>> = {
    full: async () => {
      const c = model.encodeContent(x, 'a');
      const y = model.generate(c, z1, 'b');
      c.dispose();
      await readBack(y);
    },
    gen: () => readBack(model.generate(content, z1, 'b')),
    enc_a: async () => {
      const code = model.encodeAttribute(x, 'b');
      await readBack([code.mu, ...(code.logvar ? [code.logvar] : [])]);
    },
    batch8: () => readBack(model.generate(content, z8, 'b')),
  };
  const timings: Timings = {};
  const ortTimings = new Map<OrtKind, Timings>([...ortFns.keys()].map((k) => [k, {}]));
  for (const w of workloads) {
    const res = await timeEach({ tfjs: tfjsFns[w], ...Object.fromEntries([...ortFns].map(([k, f]) => [k, f[w]])) });
    timings[w] = res.tfjs;
    for (const k of ortFns.keys()) ortTimings.get(k)![w] = res[k];
  }
  const frame = cameraFrame();
  const m = model.manifest;
  // The camera frame only when every workload is asked for (not with a --workloads subset).
  if (workloads.length === WORKLOADS.length) timings.camera = await time(async () => {
    const prep = prepareInput(frame, null, m.preprocess, m.channels.a);
    const y = tf.tidy(() => {
      const input = tf.tensor4d(prep.input.data, [1, prep.input.height, prep.input.width, prep.input.channels]);
      return model.generate(model.encodeContent(input, 'a'), z1, 'b');
    });
    const data = (await y.data()) as Float32Array;
    const [n, h, w, c] = y.shape;
    y.dispose();
    framesFromOutput(data, n, h, w, c);
  });
  const profile = await tf.profile(() => model.generate(content, z1, 'b'));
  tf.dispose([z1, z8, content, profile.result]);
  return { timings, peakMB: profile.peakBytes / 2 ** 20, ortTimings };
}

interface BufferStats {
  used: number;
  free: number;
}

function webgpuBuffers(): BufferStats | undefined {
  const backend = tf.backend() as unknown as { bufferManager?: { getNumUsedBuffers(): number; getNumFreeBuffers(): number } };
  const bm = backend.bufferManager;
  return bm ? { used: bm.getNumUsedBuffers(), free: bm.getNumFreeBuffers() } : undefined;
}

/** Runs the generator many times; tensors, bytes and (webgpu) buffers must not grow. */
async function leakCheck(model: DritModel, x: tf.Tensor4D, calls: number): Promise<string> {
  const nz = model.manifest.nz;
  const content = model.encodeContent(x, 'a');
  const z = tf.tensor2d(sampleNormal(3, 1, nz), [1, nz]);
  const once = async () => {
    const y = model.generate(content, z, 'b');
    await y.data();
    y.dispose();
  };
  await once();
  const before = { ...tf.memory(), buffers: webgpuBuffers() };
  for (let i = 0; i < calls; i++) await once();
  const after = { ...tf.memory(), buffers: webgpuBuffers() };
  tf.dispose([content, z]);
  const grew = after.numTensors !== before.numTensors || after.numBytes !== before.numBytes ||
    (after.buffers && before.buffers && after.buffers.used + after.buffers.free > before.buffers.used + before.buffers.free);
  const buf = after.buffers ? `, GPU buffers ${before.buffers?.used}+${before.buffers?.free} -> ${after.buffers.used}+${after.buffers.free}` : '';
  return `${grew ? 'GROWTH' : 'stable'} over ${calls} generator calls: tensors ${before.numTensors} -> ${after.numTensors}, bytes ${before.numBytes} -> ${after.numBytes}${buf}`;
}

function fmt(t?: { ms: number; reps: number }): string {
  return t ? `${t.ms < 100 ? t.ms.toFixed(1) : t.ms.toFixed(0)}` : '-';
}

async function main(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  loadStart = loadavg().map((v) => v.toFixed(1)).join(' ');
  const rows: Row[] = [];
  const leaks: string[] = [];
  const adapters: string[] = [];
  const torchEngine = `torch-${args.device}`;
  const only = args.models?.split(',');
  for (const m of models().filter((x) => !only || only.includes(x.id))) {
    await ensurePack(m);
    const manifest = JSON.parse(readFileSync(join(m.pack, 'manifest.json'), 'utf8')) as PackManifest;
    const size = m.size ?? manifest.preprocess.crop;
    const input = inputFile(size);
    // PyTorch on the same weights (the pack) and input.
    const torchOut = run(PY, ['-m', 'bench.torch_bench', '--pack', m.pack, '--input', input.path, '--size', String(size),
      '--reps', String(reps), '--threads', String(torchThreads), '--device', args.device ?? 'cpu',
      '--budget-s', String(budgetMs / 1000), '--workloads', workloads.join(',')]);
    const t = JSON.parse(torchOut.trim().split('\n').pop()!) as Timings & { peak_rss_mb: number; torch: string; threads: number; device_name?: string };
    rows.push({ model: m.id, size, engine: torchEngine, timings: t, peakMB: t.peak_rss_mb, note: `torch ${t.torch}, ${t.threads} thread(s)${t.device_name ? `, ${t.device_name}` : ''}` });
    const orts = await loadOrts(m, size, input);
    let ortTimed = false;
    for (const b of backends) {
      let info;
      try {
        info = await initNodeBackend(b);
      } catch (e) {
        rows.push({ model: m.id, size, engine: b, timings: {}, note: `unavailable: ${(e as Error).message}` });
        continue;
      }
      const slow = b === 'cpu' || (b === 'webgpu' && /swiftshader|llvmpipe|lavapipe/i.test(info.adapter ?? ''));
      if (m.heavy && slow && !args.all) {
        rows.push({ model: m.id, size, engine: b, timings: {}, note: 'skipped: minutes per call on this backend here (--all runs it)' });
        continue;
      }
      if (info.adapter && !adapters.includes(info.adapter)) adapters.push(info.adapter);
      for (const choice of kernelChoices) {
        const engine = choice === 'auto' ? b : `${b}:${choice}`;
        console.log(`timing ${m.id} @${size} on ${engine}…`);
        const start = tf.memory().numTensors;
        const { model } = await loadPack(m.pack, choice);
        const x = tf.tensor4d(input.data, [1, size, size, 3]);
        // ONNX Runtime is timed interleaved with the app's wasm path (the comparison the issue asks for).
        const withOrt = b === 'wasm' && choice === 'auto' ? orts.map((o) => o.model) : [];
        const { timings, peakMB, ortTimings } = await benchTfjs(model, x, withOrt);
        for (const o of orts) if (ortTimings.has(o.model.kind)) rows.push({ model: m.id, size, engine: o.model.kind, timings: ortTimings.get(o.model.kind)!, note: o.note });
        ortTimed ||= withOrt.length > 0;
        // 500 calls on fast engines; slow ones (cpu, software WebGPU: ~1 s per call) check 50.
        leaks.push(`${m.id} ${engine}: ${await leakCheck(model, x, m.heavy || slow ? Math.min(leakCalls, 50) : leakCalls)}`);
        x.dispose();
        model.dispose();
        const wasmThreads = b === 'wasm' ? ` threads=${await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') ? 'yes' : 'no'}` : '';
        rows.push({ model: m.id, size, engine, timings, peakMB, liveTensorsAfter: tf.memory().numTensors - start, note: `tfjs ${tf.version_core}${wasmThreads}` });
      }
    }
    if (orts.length && !ortTimed) {
      // No wasm row to interleave with: ONNX Runtime alone.
      const x = nhwcToNchw(input.data, 1, size, size, 3);
      const fns = await Promise.all(orts.map((o) => ortWorkloads(o.model, x, sampleNormal(1, 1, manifest.nz), sampleNormal(2, 8, manifest.nz))));
      const timings = orts.map((): Timings => ({}));
      for (const w of workloads) {
        const res = await timeEach(Object.fromEntries(orts.map((o, i) => [o.model.kind, fns[i]![w]])));
        orts.forEach((o, i) => (timings[i]![w] = res[o.model.kind]));
      }
      orts.forEach((o, i) => rows.push({ model: m.id, size, engine: o.model.kind, timings: timings[i]!, note: o.note }));
    }
    for (const o of orts) await o.model.release();
  }

  const header = `| model | px | engine | full ms | gen ms | E_a ms | batch8 ms | camera frame ms | peak MB | live tensors after | note |`;
  const lines = [header, '|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.model} | ${r.size} | ${r.engine} | ${fmt(r.timings.full)} | ${fmt(r.timings.gen)} | ${fmt(r.timings.enc_a)} | ${fmt(r.timings.batch8)} | ${fmt(r.timings.camera)} | ${r.peakMB?.toFixed(0) ?? '-'} | ${r.liveTensorsAfter ?? '-'} | ${r.note ?? ''} |`);
  }
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ${new Date().toISOString()}; load average ${loadStart} at the start, ${loadavg().map((v) => v.toFixed(1)).join(' ')} at the end`);
  if (adapters.length) console.log(`webgpu adapter: ${adapters.join('; ')}`);
  console.log(lines.join('\n'));
  console.log('\nleak check:');
  for (const l of leaks) console.log(`  ${l}`);
  console.log('');
  printRatios(rows, rows.filter((r) => r.engine !== torchEngine), torchEngine);
  // Live camera: frames per second one translation at a time allows (the app never queues frames).
  for (const r of rows) {
    const c = r.timings.camera;
    if (c) console.log(`CAMERA ${r.engine} ${r.model}@${r.size}: ${(1000 / c.ms).toFixed(1)} frames/s (${c.ms.toFixed(1)} ms per 640x480 frame)`);
  }
  // The app's wasm path against ONNX Runtime on the same workloads (timed interleaved, same threads).
  for (const kind of ortKinds) printRatios(rows, rows.filter((r) => r.engine === 'wasm'), kind);
  if (leaks.some((l) => l.includes('GROWTH'))) process.exitCode = 1;
}

/** `RATIO <row engine>/<ref> <workload>@<px>[/<model>]: <x>` for each row against the same model's `ref` row. */
function printRatios(rows: Row[], of: Row[], ref: string): void {
  for (const r of of) {
    const base = rows.find((q) => q.model === r.model && q.engine === ref);
    for (const w of WORKLOADS) {
      const a = r.timings[w];
      const b = base?.timings[w];
      if (!a || !b) continue;
      const ratio = (a.ms / b.ms).toFixed(2);
      // The first model (paper widths, concat=0) gives the plain `<workload>@<px>` line.
      if (r.model === rows[0]?.model) console.log(`RATIO ${r.engine}/${ref} ${w}@${r.size}: ${ratio}`);
      console.log(`RATIO ${r.engine}/${ref} ${w}@${r.size}/${r.model}: ${ratio}`);
    }
  }
}

/**
 * Exports the model to ONNX (cached in .cache/bench/onnx/<model>) and loads it on every --ort engine,
 * each checked against PyTorch's outputs on the bench input first: an engine that disagrees is not timed.
 */
async function loadOrts(m: ModelSpec, size: number, input: { path: string; data: Float32Array }): Promise<{ model: OrtModel; note: string }[]> {
  if (!ortKinds.length) return [];
  let exp: OnnxExport;
  try {
    exp = ensureOnnx(m.pack, join(CACHE, 'onnx', m.id), size, input.path);
  } catch (e) {
    console.log(`note: ${m.id} not exported to ONNX, no ONNX Runtime rows: ${(e as Error).message.split('\n')[0]}`);
    return [];
  }
  const out: { model: OrtModel; note: string }[] = [];
  for (const kind of ortKinds) {
    const model = await loadOrt(kind, exp, torchThreads);
    const diffs = await paritySummary(model, exp, nhwcToNchw(input.data, 1, size, size, 3));
    const worst = Math.max(...Object.values(diffs));
    if (!(worst < ORT_PARITY_LIMIT)) {
      await model.release();
      throw new Error(`${kind} on ${m.id}: outputs differ from PyTorch's (${JSON.stringify(diffs)})`);
    }
    const pkg = kind === 'ort-node' ? 'onnxruntime-node' : 'onnxruntime-web';
    const { version } = JSON.parse(readFileSync(join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string };
    out.push({ model, note: `${kind === 'ort-node' ? 'onnxruntime-node (CPU EP)' : 'onnxruntime-web (wasm EP, SIMD)'} ${version}, ${torchThreads} thread(s), opset ${exp.opset}; max rel diff vs PyTorch ${worst.toExponential(1)}` });
  }
  return out;
}

await main();
process.exit(process.exitCode ?? 0);
