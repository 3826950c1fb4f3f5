/**
 * A loaded DRIT model: E_c, E_a and G for both domains built from a pack's weights.
 * Every method runs inside tf.tidy and returns tensors the caller owns; dispose() frees weights.
 *
 * Directions: A->B translation = generate(encodeContent(xA, 'a'), z, 'b'), with z either sampled
 * from N(0, I) or encodeAttribute(yB, 'b').mu (docs/drit-reference.md §4.1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expectedPackWeights } from '../convert/layout';
import { PackError } from '../pack/errors';
import type { Domain, NamedWeight, PackManifest } from '../pack/manifest';
import { encodeAttributeConcat, encodeAttributeMlp, type AttributeCode } from './attribute-encoder';
import { encodeContent } from './content-encoder';
import { createGenerator, type Generator } from './generator';
import { customKernels } from './layers';
import { WeightStore, type WeightStoreOptions } from './weights';

export type Direction = 'a2b' | 'b2a';

export interface DritModel {
  readonly manifest: PackManifest;
  /** Content code of an image of `domain` (NHWC in [-1, 1]). */
  encodeContent(x: tf.Tensor4D, domain: Domain): tf.Tensor4D;
  /** Attribute of an image of `domain`: concat = 0 gives mu only, concat = 1 mu and logvar. */
  encodeAttribute(x: tf.Tensor4D, domain: Domain): AttributeCode;
  /** Images of `domain` for one content code (batch 1 or N) and N attribute vectors, in one pass. */
  generate(content: tf.Tensor4D, z: tf.Tensor2D, domain: Domain): tf.Tensor4D;
  dispose(): void;
}

export function sourceDomain(direction: Direction): Domain {
  return direction === 'a2b' ? 'a' : 'b';
}

export function targetDomain(direction: Direction): Domain {
  return direction === 'a2b' ? 'b' : 'a';
}

class TfjsDritModel implements DritModel {
  private readonly store: WeightStore;
  private readonly encC: WeightStore;
  private readonly encA: WeightStore;
  private readonly gen: Generator;
  private disposed = false;

  constructor(
    readonly manifest: PackManifest,
    weights: readonly NamedWeight[],
    options: WeightStoreOptions,
  ) {
    this.store = new WeightStore(weights, options);
    this.encC = this.store.scope('enc_c');
    this.encA = this.store.scope('enc_a');
    const { concat, padding, layerNorm } = manifest.variant;
    try {
      this.gen = createGenerator(this.store.scope('gen'), concat, padding, layerNorm);
      this.buildKernels();
    } catch (e) {
      this.store.dispose();
      throw e;
    }
  }

  /**
   * Builds the weight layouts of the custom CPU-side kernels (Winograd, sub-pixel phases) now rather
   * than on the first call, by running E_c and G once at a tiny size (8×8 input, 2×2 content):
   * every call after this allocates nothing lasting. (V8 still needs a few real calls to optimise
   * the kernels' loops: see docs/benchmarks.md.)
   */
  private buildKernels(): void {
    if (!customKernels(this.store)) return;
    const { padding } = this.manifest.variant;
    tf.tidy(() => {
      for (const d of ['a', 'b'] as const) {
        const content = encodeContent(tf.zeros([1, 8, 8, this.manifest.channels[d]]), this.encC, d, padding);
        this.gen.generate(content, tf.zeros([1, this.manifest.nz]), d === 'a' ? 'b' : 'a');
      }
    });
  }

  private check(x: tf.Tensor4D, domain: Domain, what: string): void {
    if (this.disposed) throw new Error('model was disposed');
    const want = this.manifest.channels[domain];
    if (x.rank !== 4 || x.shape[3] !== want) {
      throw new Error(`${what}: expected an NHWC image with ${want} channel(s), got shape [${x.shape}]`);
    }
  }

  encodeContent(x: tf.Tensor4D, domain: Domain): tf.Tensor4D {
    this.check(x, domain, 'encodeContent');
    return tf.tidy(() => encodeContent(x, this.encC, domain, this.manifest.variant.padding));
  }

  encodeAttribute(x: tf.Tensor4D, domain: Domain): AttributeCode {
    this.check(x, domain, 'encodeAttribute');
    const { concat, padding, encAActivation } = this.manifest.variant;
    const encode = (): AttributeCode =>
      concat === 0 ? encodeAttributeMlp(x, this.encA, domain, padding, encAActivation) : encodeAttributeConcat(x, this.encA, domain, padding);
    // tf.tidy keeps tensors found in a returned object.
    return tf.tidy(() => encode() as unknown as tf.TensorContainerObject) as unknown as AttributeCode;
  }

  generate(content: tf.Tensor4D, z: tf.Tensor2D, domain: Domain): tf.Tensor4D {
    if (this.disposed) throw new Error('model was disposed');
    if (z.rank !== 2 || z.shape[1] !== this.manifest.nz) {
      throw new Error(`generate: expected z of shape [N, ${this.manifest.nz}], got [${z.shape}]`);
    }
    return tf.tidy(() => this.gen.generate(content, z, domain));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.gen.dispose();
    this.store.dispose();
  }
}

/**
 * Builds a model from a pack's manifest and decoded float32 weights (tfjs layout). Options: which
 * kernels to use (default 'auto': our custom kernels on wasm/cpu, stock tfjs ops on GPUs).
 */
/**
 * The weights must be exactly those the manifest's variant, widths, channels and nz imply (names and
 * shapes), checked before any tensor is built: a pack is a download from elsewhere.
 */
export function checkPackLayout(manifest: PackManifest, weights: readonly Pick<NamedWeight, 'name' | 'shape'>[]): void {
  const bad = (msg: string): never => {
    throw new PackError('INVALID_FIELD', `Invalid model pack: ${msg}`, 'manifest.json');
  };
  let expected: Array<{ name: string; shape: number[] }> = [];
  try {
    expected = expectedPackWeights({ variant: manifest.variant, widths: manifest.widths, channels: manifest.channels, nz: manifest.nz });
  } catch (e) {
    bad(`its widths do not describe a DRIT network (${e instanceof Error ? e.message.replace(/^internal: /, '') : String(e)})`);
  }
  const want = new Map(expected.map((e) => [e.name, e.shape]));
  for (const w of weights) {
    const shape = want.get(w.name);
    if (!shape) bad(`weight '${w.name}' is not part of a concat=${manifest.variant.concat} DRIT model`);
    else if (shape.length !== w.shape.length || shape.some((d, i) => d !== w.shape[i])) {
      bad(`weight '${w.name}' has shape [${w.shape.join(', ')}], the declared widths imply [${shape.join(', ')}]`);
    }
    want.delete(w.name);
  }
  const missing = [...want.keys()];
  if (missing.length) bad(`${missing.length} weight(s) missing, e.g. '${missing[0]}'`);
}

export function createDritModel(manifest: PackManifest, weights: readonly NamedWeight[], options: WeightStoreOptions = {}): DritModel {
  checkPackLayout(manifest, weights);
  return new TfjsDritModel(manifest, weights, options);
}
