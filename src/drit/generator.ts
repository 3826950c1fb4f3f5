/**
 * The generators (docs/drit-reference.md §3.4, §3.5), named after the domain they produce.
 *
 * concat = 0 (G): an MLP maps z to one C-vector per MisINSResBlock. Each 1×1 conv over
 * concat[features, broadcast z] is computed as conv(features, W_f) + (z·W_z + b): the z half of
 * the weight acts as a per-sample bias. That is the same sum, but never materialises the
 * broadcast z map, and the z-free first conv of a block runs once for all N samples.
 * concat = 1 (G_concat): the raw z is concatenated after the features before each stage.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Domain } from '../pack/manifest';
import { concatZ, conv, convIn, insResBlock, linear, repeatBatch, prepareConvTranspose, upBlock, type LayerNormKind, type Padding } from './layers';
import type { WeightStore } from './weights';

export interface Generator {
  /** content (1 or N, h, w, C), z (N, nz) -> images (N, 4h, 4w, channels) in [-1, 1]. */
  generate(content: tf.Tensor4D, z: tf.Tensor2D, domain: Domain): tf.Tensor4D;
  dispose(): void;
}

/** A 1×1 conv over concat[features (C ch), z (k ch)] split into its two halves. */
interface SplitPointwise {
  wf: tf.Tensor4D; // [1, 1, C, out]
  wz: tf.Tensor2D; // [k, out]
  bias: tf.Tensor1D; // [out]
}

function splitPointwise(w: WeightStore, prefix: string, featureChannels: number): SplitPointwise {
  const full = w.get4d(`${prefix}.weight`);
  const [, , inC, outC] = full.shape;
  return tf.tidy(() => ({
    wf: tf.slice(full, [0, 0, 0, 0], [1, 1, featureChannels, outC]),
    wz: tf.reshape<tf.Rank.R2>(tf.slice(full, [0, 0, featureChannels, 0], [1, 1, inC - featureChannels, outC]), [inC - featureChannels, outC]),
    bias: tf.clone(w.get1d(`${prefix}.bias`)),
  }));
}

function applySplit(x: tf.Tensor4D, zc: tf.Tensor2D, s: SplitPointwise): tf.Tensor4D {
  const zBias = tf.add<tf.Tensor2D>(tf.matMul(zc, s.wz), s.bias); // (N, out)
  const [n, out] = zBias.shape;
  return tf.add(tf.conv2d(x, s.wf, 1, 'valid'), tf.reshape(zBias, [n, 1, 1, out]));
}

interface MisBlock {
  prefix: string;
  blk1a: SplitPointwise;
  blk2a: SplitPointwise;
}

class MlpGenerator implements Generator {
  private readonly blocks: Record<Domain, MisBlock[]>;

  constructor(
    private readonly w: WeightStore,
    private readonly mode: Padding,
    private readonly ln: LayerNormKind,
  ) {
    const build = (X: 'A' | 'B'): MisBlock[] => {
      const count = w.countFrom(1, (i) => `dec${X}${i}.conv1.0.1.weight`);
      const blocks: MisBlock[] = [];
      for (let i = 1; i <= count; i++) {
        const prefix = `dec${X}${i}`;
        const c = w.get4d(`${prefix}.conv1.0.1.weight`).shape[3];
        blocks.push({ prefix, blk1a: splitPointwise(w, `${prefix}.blk1.0`, c), blk2a: splitPointwise(w, `${prefix}.blk2.0`, c) });
      }
      return blocks;
    };
    this.blocks = { a: build('A'), b: build('B') };
    for (const X of ['A', 'B']) for (const i of [0, 1]) prepareConvTranspose(w, `dec${X}5.${i}.model.0`);
  }

  generate(content: tf.Tensor4D, z: tf.Tensor2D, domain: Domain): tf.Tensor4D {
    const X = domain === 'a' ? 'A' : 'B';
    const w = this.w;
    const blocks = this.blocks[domain];
    let zs = linear(z, w, `mlp${X}.0`, 'relu');
    zs = linear(zs, w, `mlp${X}.2`, 'relu');
    zs = linear(zs, w, `mlp${X}.4`);
    const c = content.shape[3];
    if (zs.shape[1] !== c * blocks.length) {
      throw new Error(`mlp${X} gives ${zs.shape[1]} values, expected ${blocks.length} blocks x ${c} channels`);
    }
    let x = content;
    blocks.forEach((b, i) => {
      // Each block in its own tidy scope: only block outputs stay alive until the call ends.
      const input = x;
      x = tf.tidy(() => {
        const zc = tf.slice(zs, [0, i * c], [-1, c]);
        const o1 = convIn(input, w, `${b.prefix}.conv1.0.1`, 1, this.mode);
        const o2 = conv(tf.relu(applySplit(o1, zc, b.blk1a)), w, `${b.prefix}.blk1.2`, 1, 0, this.mode, { activation: 'relu' });
        const o3 = convIn(o2, w, `${b.prefix}.conv2.0.1`, 1, this.mode);
        const o4 = conv(tf.relu(applySplit(o3, zc, b.blk2a)), w, `${b.prefix}.blk2.2`, 1, 0, this.mode, { activation: 'relu' });
        return tf.add(o4, input);
      });
    });
    x = repeatBatch(x, z.shape[0]);
    x = upBlock(x, w, `dec${X}5.0`, this.ln);
    x = upBlock(x, w, `dec${X}5.1`, this.ln);
    return tf.tanh(conv(x, w, `dec${X}5.2`, 1, 0, this.mode));
  }

  dispose(): void {
    for (const list of Object.values(this.blocks)) {
      for (const b of list) for (const s of [b.blk1a, b.blk2a]) tf.dispose([s.wf, s.wz, s.bias]);
    }
  }
}

class ConcatGenerator implements Generator {
  constructor(
    private readonly w: WeightStore,
    private readonly mode: Padding,
    private readonly ln: LayerNormKind,
  ) {
    for (const X of ['A', 'B']) for (const i of [2, 3]) prepareConvTranspose(w, `dec${X}${i}.0.model.0`);
  }

  generate(content: tf.Tensor4D, z: tf.Tensor2D, domain: Domain): tf.Tensor4D {
    const X = domain === 'a' ? 'A' : 'B';
    const w = this.w;
    let x = repeatBatch(insResBlock(content, w, 'dec_share.0', this.mode), z.shape[0]);
    x = concatZ(x, z);
    const blocks = w.countFrom(0, (i) => `dec${X}1.${i}.model.1.weight`);
    for (let i = 0; i < blocks; i++) x = insResBlock(x, w, `dec${X}1.${i}`, this.mode);
    x = upBlock(concatZ(x, z), w, `dec${X}2.0`, this.ln);
    x = upBlock(concatZ(x, z), w, `dec${X}3.0`, this.ln);
    return tf.tanh(conv(concatZ(x, z), w, `dec${X}4.0`, 1, 0, this.mode));
  }

  dispose(): void {
    // Uses the store's tensors only.
  }
}

export function createGenerator(w: WeightStore, concat: 0 | 1, mode: Padding, ln: LayerNormKind): Generator {
  return concat === 0 ? new MlpGenerator(w, mode, ln) : new ConcatGenerator(w, mode, ln);
}
