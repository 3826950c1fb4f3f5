/**
 * The model-pack manifest: the single description of a converted DRIT model that the
 * converter writes and every loader (CLI, worker) reads. Documented in docs/model-pack.md.
 */
export const PACK_FORMAT = 'drit-model-pack';
/** The newest version this code reads and writes. Version 2 = version 1 + `variant.encAActivation`;
 * writers use 2 only for packs that need it, so every other pack stays readable by version-1 loaders. */
export const PACK_FORMAT_VERSION = 2;
export type PackFormatVersion = 1 | 2;

/** The version a pack of this variant is written with: the lowest that can describe it. */
export function formatVersionFor(variant: DritVariant): PackFormatVersion {
  return variant.encAActivation === 'leakyrelu' ? 2 : 1;
}

export type Domain = 'a' | 'b';
export type StoredDtype = 'float32' | 'float16';

/** E_attr's activation: 'relu' (original) or 'leakyrelu' (slope 0.2; our trainer's --ea-activation). */
export const ENC_A_ACTIVATIONS = ['relu', 'leakyrelu'] as const;
export type EncAActivation = (typeof ENC_A_ACTIVATIONS)[number];

export interface DritVariant {
  /** 0: E_attr + G (MLP, MisINSResBlock); 1: E_attr_concat + G_concat. */
  concat: 0 | 1;
  /** 'new': weight/bias (C,1,1), biased variance; 'old': gamma/beta (C,), unbiased std, eps on std. */
  layerNorm: 'new' | 'old';
  /** 'reflect': reflection padding (code >= 2018-07-31); 'zero': zero padding era. */
  padding: 'reflect' | 'zero';
  /** concat = 0 only; absent means 'relu' (every official model). Written only when 'leakyrelu'. */
  encAActivation?: EncAActivation;
}

export interface Preprocess {
  /** Resize target (pixels). 'square': exactly resize x resize; 'shorter-side': shorter side = resize, aspect kept. */
  resize: number;
  resizeMode: 'square' | 'shorter-side';
  /** Centre crop size applied after the resize. */
  crop: number;
  resample: 'bicubic';
  /** Per-channel normalisation x = (v/255 - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface Postprocess {
  /** 'truncate': uint8 = trunc((x + 1) / 2 * 255), as the official saver (astype(uint8)). */
  mapping: 'truncate';
}

export interface WeightEntry {
  /** Canonical name: '<module>.<official HEAD key>', e.g. 'enc_c.convA.0.model.1.weight'. */
  name: string;
  /** Shape in the tfjs layout (see docs/model-pack.md). */
  shape: number[];
  /** Index into `shards`. */
  shard: number;
  /** Byte offset of the first element inside that shard. */
  byteOffset: number;
}

export interface ShardEntry {
  /** File name relative to the manifest. */
  path: string;
  byteLength: number;
  /** Lower-case hex SHA-256 of the shard bytes. */
  sha256: string;
}

export interface PackManifest {
  format: typeof PACK_FORMAT;
  formatVersion: PackFormatVersion;
  name: string;
  domains: Record<Domain, string>;
  variant: DritVariant;
  /** Attribute dimension (8 for DRIT). */
  nz: number;
  /** Image channels per domain (3 = RGB, 1 = grayscale). */
  channels: Record<Domain, number>;
  /** Informational channel widths inferred from the weights (the networks re-infer them). */
  widths: Record<string, number>;
  preprocess: Preprocess;
  postprocess: Postprocess;
  /** Storage dtype of every weight in the shards. Loaders always produce float32. */
  dtype: StoredDtype;
  weights: WeightEntry[];
  shards: ShardEntry[];
  provenance?: Provenance;
  /**
   * Optional: PCA of the attribute codes E_a gives a domain's training photos, per domain (the
   * codes of domain b serve a -> b translation). Packs without it keep the raw axes only.
   */
  attributeStats?: Partial<Record<Domain, AttributeStats>>;
}

/** Principal directions and spread of one domain's attribute codes (docs/model-pack.md). */
export interface AttributeStats {
  /** Number of photos encoded (>= 2). */
  count: number;
  /** Mean code [nz]. */
  mean: number[];
  /** k unit vectors [nz], orthonormal, largest variance first (k <= nz). */
  components: number[][];
  /** Standard deviation of the codes along each component (sqrt of the eigenvalue) [k], > 0, non-increasing. */
  std: number[];
  /** Each component's share of the total variance (trace of the covariance) [k], in [0, 1], sum <= 1. */
  varianceShare: number[];
}

export interface Provenance {
  source?: string;
  sourceFormat?: 'legacy' | 'zip';
  sourceSha256?: string;
  epoch?: number;
  totalIterations?: number;
  converter?: string;
  convertedAt?: string;
  training?: Record<string, unknown>;
}

export const DEFAULT_PREPROCESS: Preprocess = {
  resize: 256,
  resizeMode: 'square',
  crop: 216,
  resample: 'bicubic',
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
};

/** A weight decoded to float32 in the tfjs layout, ready for tf.tensor(). */
export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}
