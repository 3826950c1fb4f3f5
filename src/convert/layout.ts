/**
 * Maps the three DRIT inference state dicts (`enc_c`, `enc_a`, `gen`) onto the model-pack layout:
 * detects the code variant (docs/drit-reference.md §7.5), renames zero-padding-era keys to HEAD
 * keys (§12), checks every expected key and shape — with channel widths inferred from the
 * weights, not hard-coded — and permutes each array into the tfjs layout (docs/model-pack.md).
 */
import type { DritVariant, EncAActivation, NamedWeight } from '../pack/manifest';
import { CheckpointError, LayoutError, type MisshapedKey } from './errors';
import type { StateDict, Tensor } from './pth';

export const DRIT_MODULES = ['enc_c', 'enc_a', 'gen'] as const;
export type DritModule = (typeof DRIT_MODULES)[number];
export type DritStateDicts = Record<DritModule, StateDict>;

/** How a PyTorch array is turned into its pack layout. */
export type WeightKind =
  | 'conv' // Conv2d (out,in,kh,kw) -> [kh,kw,in,out]
  | 'convT' // ConvTranspose2d (in,out,kh,kw) -> [kh,kw,out,in]
  | 'convT1x1' // 1x1 ConvTranspose2d (in,out,1,1) -> [1,1,in,out] (a conv2d filter)
  | 'linear' // Linear (out,in) -> [in,out]
  | 'ln' // LayerNorm weight/bias (C,1,1) or (C,) -> [C]
  | 'bias'; // (C) -> [C]

export interface KeySpec {
  module: DritModule;
  /** Official HEAD key. */
  key: string;
  /** Key as stored in this checkpoint (differs for zero-era files and old LayerNorm). */
  sourceKey: string;
  /** Expected PyTorch shape as stored. */
  shape: number[];
  kind: WeightKind;
}

export interface LayoutOptions {
  /**
   * Unexpected keys inside enc_c/enc_a/gen are an error by default (the network would silently
   * ignore parameters the PyTorch module uses). With strict = false they are only reported.
   * Known-harmless buffers (`*.num_batches_tracked`) never fail.
   */
  strict?: boolean;
  /** From the checkpoint's `arch` entry (src/convert/arch.ts); weights cannot show it. Default 'relu'. */
  encAActivation?: EncAActivation;
}

export interface LayoutResult {
  variant: DritVariant;
  /** Channel widths inferred from the weight shapes; keys depend on the variant (see docs). */
  widths: Record<string, number>;
  channels: { a: number; b: number };
  nz: number;
  /** Canonical `<module>.<HEAD key>` names, tfjs layouts, in module registration order. */
  weights: NamedWeight[];
  /** Unexpected but harmless keys (`<module>.<key>`), ignored. */
  unexpectedKeys: string[];
}

// ---------------------------------------------------------------------------------------------
// Variant detection (docs/drit-reference.md §7.5)
// ---------------------------------------------------------------------------------------------

export function detectVariant(sd: DritStateDicts): DritVariant {
  const keys = (m: DritModule): string[] => [...sd[m].keys()];
  const genKeys = keys('gen');
  const encAKeys = keys('enc_a');
  const genConcat: 0 | 1 | null = genKeys.some((k) => k.startsWith('mlpA.') || k.startsWith('mlpB.'))
    ? genKeys.some((k) => k.startsWith('dec_share.'))
      ? null
      : 0
    : genKeys.some((k) => k.startsWith('dec_share.'))
      ? 1
      : null;
  const encAConcat: 0 | 1 | null = encAKeys.some((k) => /^model_[ab]\./.test(k))
    ? encAKeys.some((k) => /^(fc_|fcVar_|conv_)[AB]\./.test(k))
      ? null
      : 0
    : encAKeys.some((k) => /^(fc_|fcVar_|conv_)[AB]\./.test(k))
      ? 1
      : null;
  const describe = (xs: string[]): string => (xs.length === 0 ? 'no keys' : `keys ${xs.slice(0, 6).join(', ')}${xs.length > 6 ? ', …' : ''}`);
  if (genConcat === null && encAConcat === null) {
    throw new CheckpointError(
      'UNKNOWN_VARIANT',
      `Cannot tell the DRIT variant: gen has neither mlpA.*/mlpB.* (concat=0) nor dec_share.* (concat=1) (${describe(genKeys)}); enc_a has neither model_a.* nor fc_A.* (${describe(encAKeys)})`,
    );
  }
  if (genConcat !== null && encAConcat !== null && genConcat !== encAConcat) {
    throw new CheckpointError(
      'UNKNOWN_VARIANT',
      `Inconsistent DRIT variant: gen looks like concat=${genConcat} but enc_a looks like concat=${encAConcat}`,
    );
  }
  const concat = (genConcat ?? encAConcat) as 0 | 1;

  const ec = sd.enc_c;
  const reflect = ['convA.0.model.1.weight', 'convB.0.model.1.weight', 'conv_share.0.model.5.weight'].some((k) => ec.has(k));
  const zero = ['convA.0.model.0.weight', 'convB.0.model.0.weight', 'conv_share.0.model.3.weight'].some((k) => ec.has(k));
  if (reflect && zero) {
    throw new CheckpointError(
      'UNKNOWN_VARIANT',
      'Inconsistent padding era: enc_c has keys of both the reflection-padding layout (convX.0.model.1.*) and the zero-padding layout (convX.0.model.0.*)',
    );
  }
  const padding = zero ? 'zero' : 'reflect';

  const oldLn = genKeys.some((k) => k.endsWith('.gamma') || k.endsWith('.beta'));
  return { concat, layerNorm: oldLn ? 'old' : 'new', padding };
}

// ---------------------------------------------------------------------------------------------
// Key renaming (docs/drit-reference.md §12): HEAD key -> zero-padding-era key
// ---------------------------------------------------------------------------------------------

const E_ATTR_OLD_INDEX: Record<string, string> = { '1': '0', '4': '2', '7': '4', '10': '6', '13': '8', '16': '11' };

export function zeroEraKey(module: DritModule, concat: 0 | 1, key: string): string {
  let m: RegExpExecArray | null;
  if (module === 'enc_c') {
    if ((m = /^(conv[AB]\.[012])\.model\.1\.(.*)$/.exec(key))) return `${m[1]}.model.0.${m[2]}`;
    if ((m = /^(conv[AB]\.[345]|conv_share\.0)\.model\.([15])\.(.*)$/.exec(key))) return `${m[1]}.model.${m[2] === '1' ? '0' : '3'}.${m[3]}`;
    return key;
  }
  if (module === 'enc_a') {
    if (concat === 0) {
      if ((m = /^(model_[ab])\.(\d+)\.(.*)$/.exec(key))) return `${m[1]}.${E_ATTR_OLD_INDEX[m[2] as string] ?? m[2]}.${m[3]}`;
      return key;
    }
    if ((m = /^(conv_[AB])\.1\.(weight|bias)$/.exec(key))) return `${m[1]}.0.${m[2]}`;
    if ((m = /^(conv_[AB])\.([234])\.conv\.2\.(.*)$/.exec(key))) return `${m[1]}.${Number(m[2]) - 1}.conv.1.${m[3]}`;
    if ((m = /^(conv_[AB])\.([234])\.conv\.4\.1\.(.*)$/.exec(key))) return `${m[1]}.${Number(m[2]) - 1}.conv.3.0.${m[3]}`;
    if ((m = /^(conv_[AB])\.([234])\.shortcut\.1\.(.*)$/.exec(key))) return `${m[1]}.${Number(m[2]) - 1}.shortcut.1.${m[3]}`;
    return key;
  }
  if (concat === 0) {
    if ((m = /^(dec[AB][1-4])\.(conv[12])\.0\.1\.(.*)$/.exec(key))) return `${m[1]}.${m[2]}.0.${m[3]}`;
    return key;
  }
  if ((m = /^(dec_share\.0|dec[AB]1\.\d+)\.model\.([15])\.(.*)$/.exec(key))) return `${m[1]}.model.${m[2] === '1' ? '0' : '3'}.${m[3]}`;
  return key;
}

// ---------------------------------------------------------------------------------------------
// Expected keys
// ---------------------------------------------------------------------------------------------

export interface ArchitectureShape {
  variant: DritVariant;
  widths: Record<string, number>;
  channels: { a: number; b: number };
  nz: number;
}

/** Every key of the three modules for a variant and widths, in registration (state_dict) order. */
export function expectedKeys(arch: ArchitectureShape): KeySpec[] {
  const { variant, widths: w, channels, nz } = arch;
  const { concat } = variant;
  const oldLn = variant.layerNorm === 'old';
  const zero = variant.padding === 'zero';
  const W = (name: string): number => {
    const v = w[name];
    if (v === undefined) throw new Error(`internal: width '${name}' not inferred`);
    return v;
  };
  const out: KeySpec[] = [];
  let module: DritModule = 'enc_c';
  const add = (key: string, shape: number[], kind: WeightKind): void => {
    let sourceKey = zero ? zeroEraKey(module, concat, key) : key;
    let s = shape;
    if (kind === 'ln' && oldLn) {
      sourceKey = sourceKey.replace(/\.weight$/, '.gamma').replace(/\.bias$/, '.beta');
      s = [shape[0] as number];
    }
    out.push({ module, key, sourceKey, shape: s, kind });
  };
  const conv = (p: string, o: number, i: number, k: number): void => {
    add(`${p}.weight`, [o, i, k, k], 'conv');
    add(`${p}.bias`, [o], 'bias');
  };
  const convT = (p: string, i: number, o: number, k: number): void => {
    add(`${p}.weight`, [i, o, k, k], k === 1 ? 'convT1x1' : 'convT');
    add(`${p}.bias`, [o], 'bias');
  };
  const linear = (p: string, o: number, i: number): void => {
    add(`${p}.weight`, [o, i], 'linear');
    add(`${p}.bias`, [o], 'bias');
  };
  const ln = (p: string, c: number): void => {
    add(`${p}.weight`, [c, 1, 1], 'ln');
    add(`${p}.bias`, [c, 1, 1], 'ln');
  };
  const insRes = (p: string, c: number): void => {
    conv(`${p}.model.1`, c, c, 3);
    conv(`${p}.model.5`, c, c, 3);
  };
  const domains: Array<['A' | 'B', number]> = [
    ['A', channels.a],
    ['B', channels.b],
  ];
  const C = W('contentChannels');

  module = 'enc_c';
  insRes('conv_share.0', C);
  for (const [X, inC] of domains) {
    conv(`conv${X}.0.model.1`, W('ecStem'), inC, 7);
    conv(`conv${X}.1.model.1`, W('ecDown1'), W('ecStem'), 3);
    conv(`conv${X}.2.model.1`, C, W('ecDown1'), 3);
    for (const i of [3, 4, 5]) insRes(`conv${X}.${i}`, C);
  }

  module = 'enc_a';
  if (concat === 0) {
    for (const [X, inC] of domains) {
      const p = `model_${X.toLowerCase()}`;
      conv(`${p}.1`, W('eaConv1'), inC, 7);
      conv(`${p}.4`, W('eaConv2'), W('eaConv1'), 4);
      conv(`${p}.7`, W('eaConv3'), W('eaConv2'), 4);
      conv(`${p}.10`, W('eaConv3'), W('eaConv3'), 4);
      conv(`${p}.13`, W('eaConv3'), W('eaConv3'), 4);
      conv(`${p}.16`, nz, W('eaConv3'), 1);
    }
  } else {
    for (const [X, inC] of domains) {
      linear(`fc_${X}.0`, nz, W('eaBlock3'));
      linear(`fcVar_${X}.0`, nz, W('eaBlock3'));
      conv(`conv_${X}.1`, W('eaConv1'), inC, 4);
      const io: Array<[number, number]> = [
        [W('eaConv1'), W('eaBlock1')],
        [W('eaBlock1'), W('eaBlock2')],
        [W('eaBlock2'), W('eaBlock3')],
      ];
      io.forEach(([i, o], b) => {
        conv(`conv_${X}.${b + 2}.conv.2`, i, i, 3);
        conv(`conv_${X}.${b + 2}.conv.4.1`, o, i, 3);
        conv(`conv_${X}.${b + 2}.shortcut.1`, o, i, 1);
      });
    }
  }

  module = 'gen';
  if (concat === 0) {
    const E = W('gAttrChunk');
    const H = W('gMlpHidden');
    for (const [X, outC] of domains) {
      for (const i of [1, 2, 3, 4]) {
        const p = `dec${X}${i}`;
        conv(`${p}.conv1.0.1`, C, C, 3);
        conv(`${p}.conv2.0.1`, C, C, 3);
        conv(`${p}.blk1.0`, C + E, C + E, 1);
        conv(`${p}.blk1.2`, C, C + E, 1);
        conv(`${p}.blk2.0`, C + E, C + E, 1);
        conv(`${p}.blk2.2`, C, C + E, 1);
      }
      convT(`dec${X}5.0.model.0`, C, W('gUp1'), 3);
      ln(`dec${X}5.0.model.1`, W('gUp1'));
      convT(`dec${X}5.1.model.0`, W('gUp1'), W('gUp2'), 3);
      ln(`dec${X}5.1.model.1`, W('gUp2'));
      convT(`dec${X}5.2`, W('gUp2'), outC, 1);
    }
    for (const [X] of domains) {
      linear(`mlp${X}.0`, H, nz);
      linear(`mlp${X}.2`, H, H);
      linear(`mlp${X}.4`, 4 * E, H);
    }
  } else {
    insRes('dec_share.0', C);
    for (const [X, outC] of domains) {
      for (const i of [0, 1, 2]) insRes(`dec${X}1.${i}`, C + nz);
      convT(`dec${X}2.0.model.0`, C + 2 * nz, W('gUp1'), 3);
      ln(`dec${X}2.0.model.1`, W('gUp1'));
      convT(`dec${X}3.0.model.0`, W('gUp1') + nz, W('gUp2'), 3);
      ln(`dec${X}3.0.model.1`, W('gUp2'));
      convT(`dec${X}4.0`, W('gUp2') + nz, outC, 1);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Width inference
// ---------------------------------------------------------------------------------------------

/** Infers channel widths, nz and image channels from anchor weights (first one present wins). */
export function inferArchitecture(sd: DritStateDicts, variant: DritVariant): ArchitectureShape {
  const zero = variant.padding === 'zero';
  const { concat } = variant;
  const dim = (module: DritModule, keys: string[], axis: number, fallback: number): number => {
    for (const key of keys) {
      const t = sd[module].get(zero ? zeroEraKey(module, concat, key) : key);
      const v = t?.shape[axis];
      if (v !== undefined && v > 0) return v;
    }
    return fallback;
  };
  const inA = dim('enc_c', ['convA.0.model.1.weight'], 1, dim('enc_a', concat === 0 ? ['model_a.1.weight'] : ['conv_A.1.weight'], 1, 3));
  const inB = dim('enc_c', ['convB.0.model.1.weight'], 1, dim('enc_a', concat === 0 ? ['model_b.1.weight'] : ['conv_B.1.weight'], 1, 3));
  const widths: Record<string, number> = {};
  const C = dim('enc_c', ['convA.2.model.1.weight', 'convB.2.model.1.weight', 'conv_share.0.model.1.weight'], 0, 256);
  widths.contentChannels = C;
  widths.ecStem = dim('enc_c', ['convA.0.model.1.weight', 'convB.0.model.1.weight'], 0, 64);
  widths.ecDown1 = dim('enc_c', ['convA.1.model.1.weight', 'convB.1.model.1.weight'], 0, 128);
  let nz: number;
  if (concat === 0) {
    widths.eaConv1 = dim('enc_a', ['model_a.1.weight', 'model_b.1.weight'], 0, 64);
    widths.eaConv2 = dim('enc_a', ['model_a.4.weight', 'model_b.4.weight'], 0, 128);
    widths.eaConv3 = dim('enc_a', ['model_a.7.weight', 'model_b.7.weight'], 0, 256);
    nz = dim('enc_a', ['model_a.16.weight', 'model_b.16.weight'], 0, dim('gen', ['mlpA.0.weight', 'mlpB.0.weight'], 1, 8));
    widths.gMlpHidden = dim('gen', ['mlpA.0.weight', 'mlpB.0.weight'], 0, 256);
    const mlpOut = dim('gen', ['mlpA.4.weight', 'mlpB.4.weight'], 0, 0);
    widths.gAttrChunk = mlpOut > 0 ? Math.floor(mlpOut / 4) : dim('gen', ['decA1.blk1.0.weight', 'decB1.blk1.0.weight'], 0, C + 256) - C;
    widths.gUp1 = dim('gen', ['decA5.0.model.0.weight', 'decB5.0.model.0.weight'], 1, Math.floor(C / 2));
    widths.gUp2 = dim('gen', ['decA5.1.model.0.weight', 'decB5.1.model.0.weight'], 1, Math.floor(C / 4));
  } else {
    widths.eaConv1 = dim('enc_a', ['conv_A.1.weight', 'conv_B.1.weight'], 0, 64);
    widths.eaBlock1 = dim('enc_a', ['conv_A.2.conv.4.1.weight', 'conv_B.2.conv.4.1.weight'], 0, 128);
    widths.eaBlock2 = dim('enc_a', ['conv_A.3.conv.4.1.weight', 'conv_B.3.conv.4.1.weight'], 0, 192);
    widths.eaBlock3 = dim('enc_a', ['conv_A.4.conv.4.1.weight', 'conv_B.4.conv.4.1.weight'], 0, 256);
    nz = dim('enc_a', ['fc_A.0.weight', 'fc_B.0.weight', 'fcVar_A.0.weight'], 0, dim('gen', ['decA1.0.model.1.weight', 'decB1.0.model.1.weight'], 0, C + 8) - C);
    widths.gUp1 = dim('gen', ['decA2.0.model.0.weight', 'decB2.0.model.0.weight'], 1, Math.floor((C + 2 * nz) / 2));
    widths.gUp2 = dim('gen', ['decA3.0.model.0.weight', 'decB3.0.model.0.weight'], 1, Math.floor((widths.gUp1 + nz) / 2));
  }
  return { variant, widths, channels: { a: inA, b: inB }, nz };
}

// ---------------------------------------------------------------------------------------------
// Permutations (docs/model-pack.md)
// ---------------------------------------------------------------------------------------------

/** (a, b, kh, kw) -> [kh, kw, b, a]; the permutation (2,3,1,0) used for Conv2d and ConvTranspose2d. */
function permute2310(src: Float32Array, a: number, b: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(src.length);
  const k = kh * kw;
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const s0 = (i * b + j) * k;
      const d0 = j * a + i;
      for (let t = 0; t < k; t++) out[t * a * b + d0] = src[s0 + t] as number;
    }
  }
  return out;
}

function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c] as number;
  return out;
}

/** The pack-layout shape of a PyTorch array of this kind and shape. */
function packShape(kind: WeightKind, shape: readonly number[]): number[] {
  const [d0 = 0, d1 = 0, d2 = 0, d3 = 0] = shape;
  switch (kind) {
    case 'conv':
    case 'convT':
      return [d2, d3, d1, d0];
    case 'convT1x1':
      return [1, 1, d0, d1];
    case 'linear':
      return [d1, d0];
    case 'ln':
    case 'bias':
      return [d0];
  }
}

/** Converts one PyTorch array to its pack layout: returns [shape, data]. */
export function toPackLayout(kind: WeightKind, shape: number[], data: Float32Array): { shape: number[]; data: Float32Array } {
  const [d0 = 0, d1 = 0, d2 = 0, d3 = 0] = shape;
  const out = packShape(kind, shape);
  switch (kind) {
    case 'conv':
    case 'convT':
      return { shape: out, data: permute2310(data, d0, d1, d2, d3) };
    case 'linear':
      return { shape: out, data: transpose2d(data, d0, d1) };
    default:
      // (in, out, 1, 1) transposed 1x1 convs are already [in, out] in row-major order
      return { shape: out, data: data.slice() };
  }
}

/** Every weight (pack name and pack-layout shape) a pack of this architecture holds. */
export function expectedPackWeights(arch: ArchitectureShape): Array<{ name: string; shape: number[] }> {
  return expectedKeys(arch).map((s) => ({ name: `${s.module}.${s.key}`, shape: packShape(s.kind, s.shape) }));
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

const HARMLESS = /(^|\.)num_batches_tracked$/;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function mapDritLayout(sd: DritStateDicts, opts: LayoutOptions = {}): LayoutResult {
  const strict = opts.strict ?? true;
  const variant = detectVariant(sd);
  if (opts.encAActivation === 'leakyrelu') {
    if (variant.concat !== 0) {
      throw new CheckpointError('UNKNOWN_VARIANT', "checkpoint['arch'] asks for a LeakyReLU E_attr, but the weights are a concat=1 model (E_attr_concat)");
    }
    variant.encAActivation = 'leakyrelu';
  }
  const arch = inferArchitecture(sd, variant);
  const specs = expectedKeys(arch);

  const missing: string[] = [];
  const misshaped: MisshapedKey[] = [];
  const unexpected: string[] = [];
  const harmless: string[] = [];
  const found: Array<[KeySpec, Tensor]> = [];
  for (const spec of specs) {
    const t = sd[spec.module].get(spec.sourceKey);
    const name = `${spec.module}.${spec.key}`;
    if (!t) {
      missing.push(spec.sourceKey === spec.key ? name : `${name} (stored as ${spec.module}.${spec.sourceKey})`);
    } else if (!sameShape(t.shape, spec.shape)) {
      misshaped.push({ name, sourceKey: spec.sourceKey, expected: spec.shape, actual: t.shape });
    } else {
      found.push([spec, t]);
    }
  }
  for (const module of DRIT_MODULES) {
    const want = new Set(specs.filter((s) => s.module === module).map((s) => s.sourceKey));
    for (const k of sd[module].keys()) {
      if (want.has(k)) continue;
      if (HARMLESS.test(k) || !strict) harmless.push(`${module}.${k}`);
      else unexpected.push(`${module}.${k}`);
    }
  }
  if (missing.length || misshaped.length || unexpected.length) {
    const w = arch.widths;
    const context =
      `concat=${variant.concat}, ${variant.padding} padding, ${variant.layerNorm} LayerNorm; inferred content channels ${w.contentChannels}, nz ${arch.nz}, ` +
      `image channels ${arch.channels.a}/${arch.channels.b}`;
    throw new LayoutError(missing, misshaped, unexpected, context);
  }
  const weights: NamedWeight[] = found.map(([spec, t]) => {
    const p = toPackLayout(spec.kind, t.shape, t.data);
    return { name: `${spec.module}.${spec.key}`, shape: p.shape, data: p.data };
  });
  return { variant, widths: arch.widths, channels: arch.channels, nz: arch.nz, weights, unexpectedKeys: harmless };
}
