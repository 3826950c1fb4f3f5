/**
 * ONNX Runtime side of `npm run bench`: the networks of a pack exported to ONNX (bench/export_onnx.py)
 * and run by onnxruntime-node (native CPU execution provider) or onnxruntime-web (its WebAssembly
 * build, here in Node), with the thread count the bench matches to tfjs-wasm and PyTorch.
 *
 * The ONNX files are generated on demand into .cache/bench/onnx/<model> (ignored by git), with
 * PyTorch's outputs on the bench's input so every engine is checked against PyTorch before it is timed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..');
const PY = join(REPO, 'scripts', 'py');

export type OrtKind = 'ort-node' | 'ort-wasm';

export interface OnnxExport {
  dir: string;
  size: number;
  nz: number;
  concat: 0 | 1;
  contentShape: number[];
  attrOutputs: string[];
  opset: number;
  golden?: Record<string, { file: string; shape: number[] }>;
}

/** The goldens every export carries (plus mu / logvar). */
const GOLDENS = ['z8', 'content', 'y', 'y2'];

/** Exports the pack's networks (with PyTorch goldens on `inputPath`) unless an export newer than the pack exists. */
export function ensureOnnx(pack: string, dir: string, size: number, inputPath: string): OnnxExport {
  const meta = join(dir, 'golden.json');
  const fresh = existsSync(meta) && statSync(meta).mtimeMs > statSync(join(pack, 'manifest.json')).mtimeMs &&
    statSync(meta).mtimeMs > statSync(inputPath).mtimeMs && GOLDENS.every((g) => g in ((JSON.parse(readFileSync(meta, 'utf8')) as OnnxExport).golden ?? {}));
  const manifest = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as { variant: { layerNorm: string } };
  if (manifest.variant.layerNorm !== 'new') throw new Error(`${pack}: only packs with the current LayerNorm ('new') are exported (this one: '${manifest.variant.layerNorm}')`);
  if (!fresh) {
    const r = spawnSync(PY, ['-m', 'bench.export_onnx', '--pack', pack, '--out', dir, '--golden', inputPath, '--size', String(size)],
      { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench.export_onnx failed for ${pack}:\n${r.stderr}`);
  }
  return { dir, ...(JSON.parse(readFileSync(meta, 'utf8')) as Omit<OnnxExport, 'dir'>) };
}

export function readGolden(exp: OnnxExport, name: string): Float32Array {
  const g = exp.golden?.[name];
  if (!g) throw new Error(`${exp.dir}: no golden '${name}' (export with --golden)`);
  const b = readFileSync(join(exp.dir, g.file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** NHWC (the bench's and the app's layout) -> NCHW (the ONNX graphs' layout). */
export function nhwcToNchw(data: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k]!;
      }
    }
  }
  return out;
}

/** One network's output: data plus NCHW / [N, nz] shape. */
export interface OrtOut {
  data: Float32Array;
  dims: readonly number[];
}

/** The three networks of one export on one ONNX Runtime engine; inputs and outputs are plain float32 arrays. */
export interface OrtModel {
  kind: OrtKind;
  encodeContent(x: Float32Array, n: number): Promise<OrtOut>;
  generate(content: Float32Array, z: Float32Array, n: number): Promise<OrtOut>;
  encodeAttribute(x: Float32Array, n: number): Promise<OrtOut[]>;
  release(): Promise<void>;
}

interface OrtApi {
  InferenceSession: { create(path: string | Uint8Array, options: object): Promise<Session> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  env: { wasm: { numThreads?: number; simd?: boolean }; logLevel?: string };
}

interface Session {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

async function loadApi(kind: OrtKind, threads: number): Promise<OrtApi> {
  if (kind === 'ort-node') return (await import('onnxruntime-node')) as unknown as OrtApi;
  const ort = (await import('onnxruntime-web')) as unknown as OrtApi;
  ort.env.wasm.numThreads = threads; // must be set before the first session starts the runtime
  return ort;
}

export async function loadOrt(kind: OrtKind, exp: OnnxExport, threads: number): Promise<OrtModel> {
  const ort = await loadApi(kind, threads);
  const options = kind === 'ort-node'
    ? { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }
    : { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  // onnxruntime-web takes the model's bytes; onnxruntime-node a path.
  const open = (name: string) => ort.InferenceSession.create(kind === 'ort-node' ? join(exp.dir, name) : new Uint8Array(readFileSync(join(exp.dir, name))), options);
  const [encC, gen, encA] = [await open('enc_c.onnx'), await open('gen.onnx'), await open('enc_a.onnx')];
  const s = exp.size;
  const [, cc, ch, cw] = exp.contentShape as [number, number, number, number];
  const out = (t: { data: unknown; dims: readonly number[] }): OrtOut => ({ data: t.data as Float32Array, dims: t.dims });
  return {
    kind,
    async encodeContent(x, n) {
      const r = await encC.run({ x: new ort.Tensor('float32', x, [n, 3, s, s]) });
      return out(r.content!);
    },
    async generate(content, z, n) {
      const r = await gen.run({ content: new ort.Tensor('float32', content, [n, cc, ch, cw]), z: new ort.Tensor('float32', z, [n, exp.nz]) });
      return out(r.y!);
    },
    async encodeAttribute(x, n) {
      const r = await encA.run({ x: new ort.Tensor('float32', x, [n, 3, s, s]) });
      return exp.attrOutputs.map((name) => out(r[name]!));
    },
    async release() {
      await Promise.all([encC.release(), gen.release(), encA.release()]);
    },
  };
}

/** Largest |a - b| relative to max(1, max |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  let m = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

/**
 * Runs every network of `model` on the export's golden input (`inputNchw`) and compares with PyTorch's
 * outputs. Returns the largest relative difference per output.
 */
export async function paritySummary(model: OrtModel, exp: OnnxExport, inputNchw: Float32Array): Promise<Record<string, number>> {
  const z8 = readGolden(exp, 'z8');
  const content = await model.encodeContent(inputNchw, 1);
  const per = content.data.length;
  const content2 = new Float32Array(per * 2);
  for (let i = 0; i < 2; i++) content2.set(content.data, i * per);
  const y = await model.generate(content.data, z8.subarray(0, exp.nz), 1);
  const y2 = await model.generate(content2, z8.subarray(0, 2 * exp.nz), 2);
  const attr = await model.encodeAttribute(inputNchw, 1);
  const res: Record<string, number> = {
    content: maxRelDiff(content.data, readGolden(exp, 'content')),
    y: maxRelDiff(y.data, readGolden(exp, 'y')),
    y2: maxRelDiff(y2.data, readGolden(exp, 'y2')),
  };
  exp.attrOutputs.forEach((name, i) => (res[name] = maxRelDiff(attr[i]!.data, readGolden(exp, name))));
  return res;
}
