/**
 * The object `load()` returns: a loaded DRIT model with image-in, ImageData-out methods. Every
 * image goes through the model's own pre-processing (src/image/preprocess.ts: PIL bicubic resize,
 * centre crop, normalisation, as the official test code) and post-processing (truncation to 8
 * bits, as the official saver). Tensors never leave: results are plain arrays and ImageData.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attributeSigma } from '../drit/attribute-encoder';
import { sourceDomain, targetDomain, type Direction, type DritModel } from '../drit/model';
import { freshSeed, sampleNormal } from '../drit/random';
import { DritError } from '../errors';
import { toUint8Image } from '../image/postprocess';
import { preprocessForModel } from '../image/preprocess';
import type { Domain, PackManifest } from '../pack/manifest';
import type { Backend } from './backend';
import { toImageData, toRgbImage, type ImageInput } from './images';

export type { Direction, Domain };

/** A content code of one image, ready to be translated with any number of attributes. */
export interface ContentCode {
  readonly direction: Direction;
  /** NHWC shape of `data` (batch 1). */
  readonly shape: readonly [number, number, number, number];
  readonly data: Float32Array;
  /** What the network saw: the pre-processed (resized, cropped) image. */
  readonly input: ImageData;
}

/** An attribute code: the mean `mu` (nz values) and, for concat = 1 models, its spread `sigma`. */
export interface AttributeCode {
  mu: number[];
  sigma?: number[];
}

export interface TranslateOptions {
  /** 'a2b' (default) or 'b2a'; a ContentCode brings its own. */
  direction?: Direction;
  /** Attribute vector(s) of nz values each: one image per vector. */
  z?: readonly number[] | readonly (readonly number[])[];
  /** An image of the target domain whose attribute (E_a's mean) is used. */
  reference?: ImageInput;
  /** Seeded z ~ N(0, I), the same numbers in every browser and Node (default: a fresh seed). */
  seed?: number;
  /** How many seeded samples (1–64, default 1). */
  samples?: number;
}

export interface TranslateResult {
  /** One image per attribute vector, at the model's crop size. */
  images: ImageData[];
  /** The attribute vectors used (for seeds and references: what they gave). */
  z: number[][];
  /** The seed, when the attributes were sampled. */
  seed?: number;
}

/** What the model is: its name, domains and sizes, and the backend it runs on. */
export interface ModelDescription {
  name: string;
  domains: Record<Domain, string>;
  nz: number;
  /** Side of the square images the model reads and writes. */
  size: number;
  backend: Backend;
  manifest: PackManifest;
}

const bad = (message: string): never => {
  throw new DritError('BAD_INPUT', message);
};

function checkDirection(d: unknown): Direction {
  return d === 'a2b' || d === 'b2a' ? d : bad(`direction must be 'a2b' or 'b2a', got ${JSON.stringify(d)}`);
}

export class DritTranslator {
  readonly info: ModelDescription;
  private model: DritModel | null;

  constructor(model: DritModel, backend: Backend) {
    this.model = model;
    const m = model.manifest;
    this.info = { name: m.name, domains: { ...m.domains }, nz: m.nz, size: m.preprocess.crop, backend, manifest: m };
  }

  private live(): DritModel {
    if (!this.model) throw new DritError('DISPOSED', 'this model was disposed; load() it again');
    return this.model;
  }

  /** The model's input tensor for an image of `domain` (owned by the caller), and its preview. */
  private async input(image: ImageInput, domain: Domain): Promise<{ x: tf.Tensor4D; preview: ImageData }> {
    const model = this.live();
    const rgb = await toRgbImage(image);
    const channels = model.manifest.channels[domain];
    if (channels !== 1 && channels !== 3) throw new DritError('PACK_INVALID', `unsupported channel count ${channels}`);
    const { input, preview } = preprocessForModel(rgb, model.manifest.preprocess, channels);
    const x = tf.tensor4d(input.data, [1, input.height, input.width, input.channels]);
    return { x, preview: toImageData(preview) };
  }

  /** E_c of an image of the direction's source domain. */
  async encodeContent(image: ImageInput, direction: Direction = 'a2b'): Promise<ContentCode> {
    checkDirection(direction);
    const { x, preview } = await this.input(image, sourceDomain(direction));
    const code = tf.tidy(() => this.live().encodeContent(x, sourceDomain(direction)));
    x.dispose();
    try {
      const data = (await code.data()) as Float32Array;
      const [n, h, w, c] = code.shape;
      return { direction, shape: [n, h, w, c], data, input: preview };
    } finally {
      code.dispose();
    }
  }

  /** E_a of an image of `domain` ('a' or 'b'). */
  async encodeAttribute(image: ImageInput, domain: Domain): Promise<AttributeCode> {
    if (domain !== 'a' && domain !== 'b') bad(`domain must be 'a' or 'b', got ${JSON.stringify(domain)}`);
    const { x } = await this.input(image, domain);
    const out = tf.tidy(() => {
      const a = this.live().encodeAttribute(x, domain);
      const sigma = attributeSigma(a);
      return sigma ? [a.mu, sigma] : [a.mu];
    });
    x.dispose();
    try {
      const [mu, sigma] = await Promise.all(out.map((t) => t.data()));
      return sigma ? { mu: Array.from(mu!), sigma: Array.from(sigma) } : { mu: Array.from(mu!) };
    } finally {
      tf.dispose(out);
    }
  }

  /** The attribute vectors the options ask for. */
  private async attributes(o: TranslateOptions, target: Domain): Promise<{ z: number[][]; seed?: number }> {
    const nz = this.live().manifest.nz;
    const given = [o.z !== undefined, o.reference !== undefined, o.seed !== undefined || o.samples !== undefined].filter(Boolean).length;
    if (given > 1) bad('give only one of z, reference, seed/samples');
    if (o.z !== undefined) {
      const rows = (Array.isArray(o.z[0]) ? o.z : [o.z]) as readonly (readonly number[])[];
      if (rows.length === 0 || rows.length > 64) bad(`z: give 1 to 64 vectors, got ${rows.length}`);
      for (const r of rows) {
        if (!Array.isArray(r) || r.length !== nz || !r.every(Number.isFinite)) bad(`z: each vector needs ${nz} finite numbers`);
      }
      return { z: rows.map((r) => [...r]) };
    }
    if (o.reference !== undefined) return { z: [(await this.encodeAttribute(o.reference, target)).mu] };
    const samples = o.samples ?? 1;
    if (!Number.isInteger(samples) || samples < 1 || samples > 64) bad(`samples must be an integer in [1, 64], got ${samples}`);
    const seed = o.seed ?? freshSeed();
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) bad(`seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    const flat = sampleNormal(seed, samples, nz);
    return { z: Array.from({ length: samples }, (_, i) => Array.from(flat.subarray(i * nz, (i + 1) * nz))), seed };
  }

  /**
   * Translates an image (or a content code from `encodeContent`) to the other domain: one image per
   * attribute vector, from `z`, a `reference` image of the target domain, or seeded samples.
   */
  async translate(image: ImageInput | ContentCode, options: TranslateOptions = {}): Promise<TranslateResult> {
    const given = image as Partial<ContentCode>;
    const isCode = typeof image === 'object' && image !== null && given.data instanceof Float32Array && Array.isArray(given.shape) && given.direction !== undefined;
    if (isCode && options.direction !== undefined && options.direction !== given.direction) {
      bad(`the content code was encoded ${given.direction}; direction ${options.direction} contradicts it`);
    }
    const direction = checkDirection(isCode ? given.direction : (options.direction ?? 'a2b'));
    const code = isCode ? (image as ContentCode) : await this.encodeContent(image as ImageInput, direction);
    const { z, seed } = await this.attributes(options, targetDomain(direction));
    const model = this.live();
    const out = tf.tidy(() => {
      const c = tf.tensor4d(code.data, [...code.shape]);
      return model.generate(c, tf.tensor2d(z, [z.length, model.manifest.nz], 'float32'), targetDomain(direction));
    });
    try {
      const data = (await out.data()) as Float32Array;
      const [n, h, w, c] = out.shape;
      const per = h * w * c;
      const images = Array.from({ length: n }, (_, i) => toImageData(toUint8Image(data.subarray(i * per, (i + 1) * per), h, w, c)));
      // z as float32, the numbers the network used
      const used = z.map((r) => r.map((v) => Math.fround(v)));
      return seed === undefined ? { images, z: used } : { images, z: used, seed };
    } finally {
      out.dispose();
    }
  }

  /** Frees the weights; every later call fails with `DISPOSED`. */
  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
