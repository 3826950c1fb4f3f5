/**
 * npm run translate -- --model <packDir> --input <image> --direction a2b|b2a --out <file.png>
 *   [--z v1,...,v8 | --seed S --samples K [--z-source normal|photos] | --reference <image> | --from-png <result.png>]
 *   [--backend cpu|wasm|webgpu]
 * npm run translate -- --model <packDir> --input <folder or image> [--input ...] --out <folder>
 *
 * Official pre-processing (from the pack's manifest) and post-processing; PNG/JPEG in, PNG out.
 * K samples write <out> with -0, -1, … before the extension. Several inputs (or a folder, as the
 * official test.py translates a test folder) load the model once and write <out>/<name>.png per
 * input with the same attribute(s); unreadable images are skipped and reported at the end (exit 1
 * when some were skipped, 2 when none could be translated). Every PNG written carries a `drit-result`
 * chunk (model, direction, z, seed: src/image/png-meta.ts); `--from-png` takes direction and z from
 * such a PNG to re-create it.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { sourceDomain, targetDomain, type Direction, type DritModel } from '../drit/model';
import { openModel } from '../lib/loader';
import type { KernelChoice } from '../drit/weights';
import { sampleFromPhotos, sampleNormal } from '../drit/random';
import { DEFAULT_MAX_PIXELS, ImageError, encodePng, maxImageFileBytes, readImageFile } from '../image/node-io';
import { toUint8Image } from '../image/postprocess';
import { readResultMeta, withResultMeta, type ResultMeta } from '../image/png-meta';
import { preprocessForModel } from '../image/preprocess';
import type { Domain } from '../pack/manifest';
import { readPack } from '../pack/read';
import { folderSource } from '../pack/folder-source';
import { NODE_BACKENDS, initNodeBackend, type NodeBackend } from '../node/backend';
import { FileError, readRegularFile } from '../node/read-file';
import { UsageError, runCli } from './run';

const USAGE = `usage: npm run translate -- --model <packDir> --input <image> --direction a2b|b2a --out <file.png>
       npm run translate -- --model <packDir> --input <folder|image> [--input ...] --out <folder>
       [--z v1,...,vN | --seed S --samples K [--z-source normal|photos] | --reference <image> | --from-png <result.png>]
       [--backend cpu|wasm|webgpu]
       [--kernels auto|stock]   (stock: tfjs's own kernels, e.g. to compare with PyTorch without Winograd's rounding)`;

interface Options {
  model: string;
  /** One or more image files (folders expanded). */
  inputs: string[];
  /** True when --out is a folder (several inputs, or a folder given). */
  batch: boolean;
  out: string;
  direction: Direction;
  backend: NodeBackend;
  kernels: KernelChoice;
  z?: number[];
  seed?: number;
  samples?: number;
  /** The model id a --from-png result was made with (checked against the pack). */
  fromModel?: string;
  /** Seeded z from N(0, I) (default) or from the Gaussian of the target domain's photo codes (the pack's statistics). */
  zSource?: 'normal' | 'photos';
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

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: glueNegativeValues(argv),
    options: {
      help: { type: 'boolean', short: 'h' },
      model: { type: 'string' },
      input: { type: 'string', multiple: true },
      out: { type: 'string' },
      direction: { type: 'string', default: 'a2b' },
      backend: { type: 'string', default: 'cpu' },
      kernels: { type: 'string', default: 'auto' },
      z: { type: 'string' },
      seed: { type: 'string' },
      samples: { type: 'string' },
      'z-source': { type: 'string' },
      'from-png': { type: 'string' },
      reference: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const { model, out } = values;
  if (!model || !values.input?.length || !out) throw new UsageError('--model, --input and --out are required');
  const { inputs, batch } = expandInputs(values.input);
  const direction = values.direction;
  if (direction !== 'a2b' && direction !== 'b2a') throw new UsageError(`--direction must be a2b or b2a, got '${direction}'`);
  const backend = values.backend as NodeBackend;
  if (!NODE_BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${NODE_BACKENDS.join(', ')}`);
  const modes = [values.z !== undefined, values.seed !== undefined || values.samples !== undefined, values.reference !== undefined, values['from-png'] !== undefined];
  if (modes.filter(Boolean).length > 1) throw new UsageError('use only one of --z, --seed/--samples, --reference, --from-png');
  const kernels = values.kernels as KernelChoice;
  if (kernels !== 'auto' && kernels !== 'stock') throw new UsageError(`--kernels must be auto or stock, got '${kernels}'`);
  const opts: Options = { model, inputs, batch, out, direction, backend, kernels };
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
  const zSource = values['z-source'];
  if (zSource !== undefined) {
    if (zSource !== 'normal' && zSource !== 'photos') throw new UsageError(`--z-source must be normal or photos, got '${zSource}'`);
    if (values.z !== undefined || values.reference !== undefined) throw new UsageError('--z-source goes with --seed/--samples, not with --z or --reference');
    opts.zSource = zSource;
  }
  if (values['from-png'] !== undefined) {
    const from = values['from-png'];
    const read = readResultMeta(new Uint8Array(readRegularFile(from, { what: 'result PNG', maxBytes: maxImageFileBytes(DEFAULT_MAX_PIXELS), why: 'a PNG this tool or the page wrote' })));
    if (read.status === 'none') throw new UsageError(`--from-png ${from}: the file carries no drit-result chunk (not a result of this tool or the page)`);
    if (read.status === 'invalid') throw new UsageError(`--from-png ${from}: its drit-result chunk is ignored: ${read.reason}`);
    if (argv.some((a) => a === '--direction' || a.startsWith('--direction=')) && values.direction !== read.meta.direction) {
      throw new UsageError(`--from-png ${from} was made ${read.meta.direction}; --direction ${values.direction} contradicts it`);
    }
    opts.direction = read.meta.direction;
    opts.z = read.meta.z;
    opts.fromModel = read.meta.model;
    if (read.meta.crop) console.error(`translate: note: ${from} was made from a cropped photo; the CLI uses the model's own pre-processing`);
  }
  refuseOverwritingInputs(opts);
  return opts;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** --input values -> image files; a folder contributes its PNG/JPEG files (sorted, not recursive). */
function expandInputs(values: string[]): { inputs: string[]; batch: boolean } {
  const inputs: string[] = [];
  let folder = false;
  for (const v of values) {
    let st;
    try {
      st = statSync(v);
    } catch {
      inputs.push(v); // reported as unreadable when it is read
      continue;
    }
    if (st.isDirectory()) {
      folder = true;
      const files = readdirSync(v).filter((f) => IMAGE_FILE.test(f)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      if (!files.length) throw new UsageError(`--input ${v}: the folder holds no PNG or JPEG images`);
      inputs.push(...files.map((f) => join(v, f)));
    } else inputs.push(v);
  }
  return { inputs, batch: folder || inputs.length > 1 };
}

/** Every file one input writes: <out> (single input) or <out>/<stem>.png, with -i per sample. */
function outputPaths(o: Options, input: string, k: number, suffixed: boolean): string[] {
  const base = o.batch ? join(o.out, `${basename(input, extname(input))}.png`) : o.out;
  return Array.from({ length: k }, (_, i) => outputPath(base, i, suffixed));
}

/** `--out cat.png --input cat.png` would replace the user's photo with the translation. */
function refuseOverwritingInputs(o: Options): void {
  const inputs = new Set([...o.inputs, o.reference].filter((p): p is string => p !== undefined).map((p) => resolve(p)));
  const k = o.samples ?? 1;
  const seen = new Map<string, string>();
  for (const input of o.inputs) {
    for (const path of outputPaths(o, input, k, o.samples !== undefined)) {
      const key = resolve(path);
      if (inputs.has(key)) throw new UsageError(`the output ${path} is also an input image: refusing to overwrite it (choose another --out)`);
      const other = seen.get(key);
      if (other !== undefined && other !== input) throw new UsageError(`${other} and ${input} would both write ${path}: give them different names`);
      seen.set(key, input);
    }
  }
}

function integer(s: string, flag: string, min: number, max: number): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got '${s}'`);
  return v;
}

async function imageTensor(model: DritModel, path: string, domain: Domain): Promise<tf.Tensor4D> {
  const img = readImageFile(path);
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
  if (o.zSource === 'photos') {
    const spread = model.manifest.attributeStats?.[target];
    if (!spread) {
      throw new UsageError(`--z-source photos: this pack has no attribute statistics for its ${target} photos (add them with npm run attr-stats)`);
    }
    return { z: tf.tensor2d(sampleFromPhotos(o.seed ?? 0, k, nz, spread), [k, nz]), suffixed: o.samples !== undefined };
  }
  return { z: tf.tensor2d(sampleNormal(o.seed ?? 0, k, nz), [k, nz]), suffixed: o.samples !== undefined };
}

function outputPath(out: string, i: number, suffixed: boolean): string {
  if (!suffixed) return out;
  const ext = extname(out);
  return `${out.slice(0, out.length - ext.length)}-${i}${ext || '.png'}`;
}

/** Translates one input with the attribute(s) `z` and writes its PNG(s); returns the paths. */
async function translateOne(model: DritModel, o: Options, input: string, z: tf.Tensor2D, suffixed: boolean): Promise<string[]> {
  const src = sourceDomain(o.direction);
  const dst = targetDomain(o.direction);
  const x = await imageTensor(model, input, src);
  const content = model.encodeContent(x, src);
  x.dispose();
  const images = model.generate(content, z, dst);
  const data = (await images.data()) as Float32Array;
  const [n, h, w, c] = images.shape;
  tf.dispose([content, images]);
  const paths = outputPaths(o, input, n, suffixed);
  await mkdir(dirname(paths[0]!) || '.', { recursive: true });
  const per = h * w * c;
  const zs = (await z.array()) as number[][];
  for (let i = 0; i < n; i++) {
    // each PNG remembers how it was made (src/image/png-meta.ts): `--from-png` re-creates it
    const meta: ResultMeta = { model: model.manifest.name, direction: o.direction, z: zs[i]! };
    if (o.seed !== undefined && n === 1) meta.seed = o.seed;
    await writeFile(paths[i]!, withResultMeta(encodePng(toUint8Image(data.subarray(i * per, (i + 1) * per), h, w, c)), meta));
  }
  return paths;
}

async function main(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  if (o === 'help') {
    console.log(USAGE);
    return 0;
  }
  const info = await initNodeBackend(o.backend);
  const pack = await readPack(folderSource(o.model));
  const { manifest } = pack;
  if (o.fromModel !== undefined && o.fromModel !== manifest.name) {
    throw new UsageError(`--from-png: the result was made with the model '${o.fromModel}', this pack is '${manifest.name}' (its z would mean something else)`);
  }
  // the one loader (src/lib/loader.ts); the CLI runs each network once anyway, so no warm-up pass
  const { model } = await openModel(pack, { kernels: o.kernels, warmUp: false });
  try {
    const src = sourceDomain(o.direction);
    const dst = targetDomain(o.direction);
    const t0 = performance.now();
    const { z, suffixed } = await attributes(model, o, dst);
    const skipped: string[] = [];
    let written = 0;
    try {
      for (const [i, input] of o.inputs.entries()) {
        try {
          const paths = await translateOne(model, o, input, z, suffixed);
          written += paths.length;
          console.log(`${o.batch ? `[${i + 1}/${o.inputs.length}] ${input} -> ` : 'wrote '}${paths.join(', ')}`);
        } catch (e) {
          // one bad file must not cost the whole folder; a single input fails as before
          if (!o.batch || !(e instanceof ImageError || e instanceof FileError)) throw e;
          skipped.push(`${input} (${e instanceof Error ? e.message : String(e)})`);
        }
      }
    } finally {
      z.dispose();
    }
    const ms = performance.now() - t0;
    const adapter = info.adapter ? ` (${info.adapter})` : '';
    console.log(
      `${manifest.name}: ${manifest.domains[src]} -> ${manifest.domains[dst]}, ${written} image(s) from ${o.inputs.length - skipped.length} input(s), backend ${info.backend}${adapter}, ${ms.toFixed(0)} ms`,
    );
    if (skipped.length) {
      console.error(`translate: skipped ${skipped.length} unreadable input(s): ${skipped.join('; ')}`);
      return skipped.length === o.inputs.length ? 2 : 1;
    }
    return 0;
  } finally {
    model.dispose();
  }
}

await runCli('translate', () => main(process.argv.slice(2)));
