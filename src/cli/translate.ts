/**
 * npm run translate -- --model <packDir> --input <image> --direction a2b|b2a --out <file.png>
 *   [--z v1,...,v8 | --seed S --samples K | --reference <image>] [--backend cpu|wasm|webgpu]
 *
 * Official pre-processing (from the pack's manifest) and post-processing; PNG/JPEG in, PNG out.
 * K samples write <out> with -0, -1, … before the extension.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createDritModel, sourceDomain, targetDomain, type Direction, type DritModel } from '../drit/model';
import type { KernelChoice } from '../drit/weights';
import { sampleNormal } from '../drit/random';
import { decodeImageFile, encodePng } from '../image/node-io';
import { toUint8Image } from '../image/postprocess';
import { preprocessForModel } from '../image/preprocess';
import type { Domain } from '../pack/manifest';
import { readPack } from '../pack/read';
import { folderSource } from '../pack/folder-source';
import { NODE_BACKENDS, useNodeBackend, type NodeBackend } from '../node/backend';
import { UsageError, runCli } from './run';

const USAGE = `usage: npm run translate -- --model <packDir> --input <image> --direction a2b|b2a --out <file.png>
       [--z v1,...,vN | --seed S --samples K | --reference <image>] [--backend cpu|wasm|webgpu]
       [--kernels auto|stock]   (stock: tfjs's own kernels, e.g. to compare with PyTorch without Winograd's rounding)`;

interface Options {
  model: string;
  input: string;
  out: string;
  direction: Direction;
  backend: NodeBackend;
  kernels: KernelChoice;
  z?: number[];
  seed?: number;
  samples?: number;
  reference?: string;
}

/** `--z -1.5,2` would read as an option: glue a numeric value that starts with '-' to its flag. */
function glueNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--z' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--z=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: glueNegativeValues(argv),
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      direction: { type: 'string', default: 'a2b' },
      backend: { type: 'string', default: 'cpu' },
      kernels: { type: 'string', default: 'auto' },
      z: { type: 'string' },
      seed: { type: 'string' },
      samples: { type: 'string' },
      reference: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const { model, input, out } = values;
  if (!model || !input || !out) throw new UsageError('--model, --input and --out are required');
  const direction = values.direction;
  if (direction !== 'a2b' && direction !== 'b2a') throw new UsageError(`--direction must be a2b or b2a, got '${direction}'`);
  const backend = values.backend as NodeBackend;
  if (!NODE_BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${NODE_BACKENDS.join(', ')}`);
  const modes = [values.z !== undefined, values.seed !== undefined || values.samples !== undefined, values.reference !== undefined];
  if (modes.filter(Boolean).length > 1) throw new UsageError('use only one of --z, --seed/--samples, --reference');
  const kernels = values.kernels as KernelChoice;
  if (kernels !== 'auto' && kernels !== 'stock') throw new UsageError(`--kernels must be auto or stock, got '${kernels}'`);
  const opts: Options = { model, input, out, direction, backend, kernels };
  if (values.z !== undefined) {
    opts.z = values.z.split(',').map((s) => {
      const v = Number(s);
      if (s.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--z: '${s}' is not a number`);
      return v;
    });
  }
  if (values.seed !== undefined || values.samples !== undefined) {
    opts.seed = integer(values.seed ?? '0', '--seed', 0, 2 ** 32 - 1);
    opts.samples = integer(values.samples ?? '1', '--samples', 1, 64);
  }
  if (values.reference !== undefined) opts.reference = values.reference;
  refuseOverwritingInputs(opts);
  return opts;
}

/** `--out cat.png --input cat.png` would replace the user's photo with the translation. */
function refuseOverwritingInputs(o: Options): void {
  const inputs = new Set([o.input, o.reference].filter((p): p is string => p !== undefined).map((p) => resolve(p)));
  const k = o.samples ?? 1;
  for (let i = 0; i < k; i++) {
    const path = outputPath(o.out, i, o.samples !== undefined);
    if (inputs.has(resolve(path))) throw new UsageError(`the output ${path} is also an input image: refusing to overwrite it (choose another --out)`);
  }
}

function integer(s: string, flag: string, min: number, max: number): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got '${s}'`);
  return v;
}

async function imageTensor(model: DritModel, path: string, domain: Domain): Promise<tf.Tensor4D> {
  const img = decodeImageFile(new Uint8Array(await readFile(path)));
  const channels = model.manifest.channels[domain];
  if (channels !== 1 && channels !== 3) throw new Error(`unsupported channel count ${channels}`);
  const { input } = preprocessForModel(img, model.manifest.preprocess, channels);
  return tf.tensor4d(input.data, [1, input.height, input.width, input.channels]);
}

/** The attribute vectors (N × nz) the options ask for. */
async function attributes(model: DritModel, o: Options, target: Domain): Promise<{ z: tf.Tensor2D; suffixed: boolean }> {
  const nz = model.manifest.nz;
  if (o.z) {
    if (o.z.length !== nz) throw new UsageError(`--z needs ${nz} values for this model, got ${o.z.length}`);
    return { z: tf.tensor2d(o.z, [1, nz]), suffixed: false };
  }
  if (o.reference) {
    const ref = await imageTensor(model, o.reference, target);
    const code = model.encodeAttribute(ref, target);
    ref.dispose();
    code.logvar?.dispose();
    return { z: code.mu, suffixed: false };
  }
  const k = o.samples ?? 1;
  return { z: tf.tensor2d(sampleNormal(o.seed ?? 0, k, nz), [k, nz]), suffixed: o.samples !== undefined };
}

function outputPath(out: string, i: number, suffixed: boolean): string {
  if (!suffixed) return out;
  const ext = extname(out);
  return `${out.slice(0, out.length - ext.length)}-${i}${ext || '.png'}`;
}

async function main(argv: string[]): Promise<void> {
  const o = parseOptions(argv);
  const info = await useNodeBackend(o.backend);
  const { manifest, weights } = await readPack(folderSource(o.model));
  const model = createDritModel(manifest, weights, { kernels: o.kernels });
  try {
    const src = sourceDomain(o.direction);
    const dst = targetDomain(o.direction);
    const t0 = performance.now();
    const x = await imageTensor(model, o.input, src);
    const content = model.encodeContent(x, src);
    x.dispose();
    const { z, suffixed } = await attributes(model, o, dst);
    const images = model.generate(content, z, dst);
    const data = (await images.data()) as Float32Array;
    const [n, h, w, c] = images.shape;
    tf.dispose([content, z, images]);
    const ms = performance.now() - t0;
    await mkdir(dirname(o.out) || '.', { recursive: true });
    const per = h * w * c;
    for (let i = 0; i < n; i++) {
      const path = outputPath(o.out, i, suffixed);
      await writeFile(path, encodePng(toUint8Image(data.subarray(i * per, (i + 1) * per), h, w, c)));
      console.log(`wrote ${path}`);
    }
    const adapter = info.adapter ? ` (${info.adapter})` : '';
    console.log(
      `${manifest.name}: ${manifest.domains[src]} -> ${manifest.domains[dst]}, ${n} image(s) ${w}x${h}, backend ${info.backend}${adapter}, ${ms.toFixed(0)} ms`,
    );
  } finally {
    model.dispose();
  }
}

await runCli('translate', USAGE, () => main(process.argv.slice(2)));
