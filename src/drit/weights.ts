/**
 * Named weight tensors of one model, created once from a pack's float32 arrays and owned here
 * (dispose() frees them). Lookups of missing names fail with the name, never with undefined.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedWeight } from '../pack/manifest';

/**
 * Which kernels the networks use: 'auto' = our custom kernels (src/drit/kernels) where the active
 * backend has them, decided per call: Winograd 3×3 convolutions and the transposed-conv phase
 * interleave on wasm/cpu, the fused InstanceNorm on wasm/cpu/webgpu; stock tfjs ops elsewhere.
 * 'stock' = stock tfjs ops everywhere (what webgl runs; for A/B comparisons and tests).
 */
export type KernelChoice = 'auto' | 'stock';

export interface WeightStoreOptions {
  kernels?: KernelChoice;
}

export class WeightStore {
  private readonly tensors = new Map<string, tf.Tensor>();
  private readonly derivedTensors = new Map<string, tf.Tensor | tf.Tensor[]>();
  private readonly kernelChoice: KernelChoice;

  constructor(weights: readonly NamedWeight[], options: WeightStoreOptions = {}) {
    this.kernelChoice = options.kernels ?? 'auto';
    for (const { name, shape, data } of weights) {
      if (this.tensors.has(name)) throw new Error(`duplicate weight '${name}'`);
      this.tensors.set(name, tf.tensor(data, shape, 'float32'));
    }
  }

  /** The kernel choice made for this model. */
  get kernels(): KernelChoice {
    return this.kernelChoice;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  get(name: string): tf.Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`model weight '${name}' is missing`);
    return t;
  }

  private getRank<R extends tf.Rank>(name: string, rank: number): tf.Tensor<R> {
    const t = this.get(name);
    if (t.rank !== rank) throw new Error(`model weight '${name}' has shape [${t.shape}], expected rank ${rank}`);
    return t as tf.Tensor<R>;
  }

  get1d(name: string): tf.Tensor1D {
    return this.getRank<tf.Rank.R1>(name, 1);
  }

  get2d(name: string): tf.Tensor2D {
    return this.getRank<tf.Rank.R2>(name, 2);
  }

  get4d(name: string): tf.Tensor4D {
    return this.getRank<tf.Rank.R4>(name, 4);
  }

  /**
   * A tensor (or list of tensors) computed once from the weights (e.g. a re-laid-out kernel),
   * cached under `key` and freed with the store.
   */
  derived<T extends tf.Tensor | tf.Tensor[]>(key: string, build: () => T): T {
    const cached = this.derivedTensors.get(key);
    if (cached) return cached as T;
    const t = tf.tidy(build);
    const list: tf.Tensor[] = Array.isArray(t) ? t : [t];
    for (const x of list) tf.keep(x);
    this.derivedTensors.set(key, t);
    return t;
  }

  /** A scoped view whose names are prefixed, e.g. store.scope('gen') resolves 'decA1…' to 'gen.decA1…'. */
  scope(prefix: string): WeightStore {
    return new ScopedStore(this, prefix);
  }

  /** Counts consecutive indices i = from, from+1, … for which `${pattern(i)}` exists. */
  countFrom(from: number, pattern: (i: number) => string): number {
    let i = from;
    while (this.has(pattern(i))) i++;
    return i - from;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    for (const t of this.derivedTensors.values()) tf.dispose(t);
    this.tensors.clear();
    this.derivedTensors.clear();
  }
}

class ScopedStore extends WeightStore {
  constructor(
    private readonly parent: WeightStore,
    private readonly prefix: string,
  ) {
    super([]);
  }

  override get kernels(): KernelChoice {
    return this.parent.kernels;
  }

  override has(name: string): boolean {
    return this.parent.has(`${this.prefix}.${name}`);
  }

  override get(name: string): tf.Tensor {
    return this.parent.get(`${this.prefix}.${name}`);
  }

  override names(): string[] {
    const p = `${this.prefix}.`;
    return this.parent.names().filter((n) => n.startsWith(p)).map((n) => n.slice(p.length));
  }

  override derived<T extends tf.Tensor | tf.Tensor[]>(key: string, build: () => T): T {
    return this.parent.derived(`${this.prefix}.${key}`, build);
  }

  override scope(prefix: string): WeightStore {
    return new ScopedStore(this.parent, `${this.prefix}.${prefix}`);
  }

  override dispose(): void {
    // A view owns nothing.
  }
}
