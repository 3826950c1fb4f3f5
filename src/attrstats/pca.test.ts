import { describe, expect, it } from 'vitest';
import { PackError } from '../pack/errors';
import type { AttributeStats, PackManifest } from '../pack/manifest';
import { validateManifest } from '../pack/read';
import { TINY_META } from '../pack/test-meta';
import { writePack } from '../pack/write';
import { attributePca, covariance, symmetricEigen } from './pca';

/** Deterministic uniform numbers in [-0.5, 0.5). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** A random orthonormal basis (Gram–Schmidt), rows = basis vectors. */
function randomBasis(n: number, rnd: () => number): number[][] {
  const q: number[][] = [];
  while (q.length < n) {
    let v = Array.from({ length: n }, rnd);
    for (const u of q) {
      const d = dot(v, u);
      v = v.map((x, i) => x - d * u[i]!);
    }
    const len = Math.sqrt(dot(v, v));
    if (len > 1e-3) q.push(v.map((x) => x / len));
  }
  return q;
}

describe('covariance', () => {
  it('matches a hand-computed sample covariance (divisor N − 1)', () => {
    const { mean, cov } = covariance([
      [1, 2],
      [3, 6],
      [5, 7],
    ]);
    expect(mean).toEqual([3, 5]);
    // dx = -2, 0, 2; dy = -3, 1, 2 -> var x = 8/2, var y = 14/2, cov = (6 + 0 + 4)/2
    expect(cov).toEqual([
      [4, 5],
      [5, 7],
    ]);
  });

  it('refuses fewer than two vectors and ragged rows', () => {
    expect(() => covariance([[1, 2]])).toThrow(/at least 2/);
    expect(() => covariance([[1, 2], [3]])).toThrow(/same/);
  });
});

describe('symmetricEigen', () => {
  it('solves a 2×2 matrix in closed form', () => {
    const { values, vectors } = symmetricEigen([
      [2, 1],
      [1, 2],
    ]);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0]![0]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0]![0]! * vectors[0]![1]!).toBeGreaterThan(0); // (1, 1) / √2 up to sign
    expect(vectors[1]![0]! * vectors[1]![1]!).toBeLessThan(0); // (1, -1) / √2 up to sign
  });

  it.each([3, 8, 16])('recovers the eigenpairs of Q·diag(λ)·Qᵀ (n = %i)', (n) => {
    const rnd = lcg(n * 31);
    const q = randomBasis(n, rnd);
    const lambda = Array.from({ length: n }, (_, i) => (n - i) ** 2 + 0.5 * i); // distinct, descending
    const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => q.reduce((s, u, k) => s + lambda[k]! * u[i]! * u[j]!, 0)));
    const { values, vectors } = symmetricEigen(a);
    for (let k = 0; k < n; k++) {
      expect(values[k]).toBeCloseTo(lambda[k]!, 9);
      expect(Math.abs(dot(vectors[k]!, q[k]!))).toBeCloseTo(1, 9);
      for (let l = 0; l < n; l++) expect(dot(vectors[k]!, vectors[l]!)).toBeCloseTo(k === l ? 1 : 0, 12);
    }
  });

  it('handles diagonal, zero and rank-deficient matrices', () => {
    expect(symmetricEigen([[0, 0], [0, 0]]).values).toEqual([0, 0]);
    const d = symmetricEigen([
      [1, 0, 0],
      [0, 5, 0],
      [0, 0, 3],
    ]);
    expect(d.values).toEqual([5, 3, 1]);
    expect(d.vectors[0]).toEqual([0, 1, 0]);
    const r = symmetricEigen([
      [1, 1],
      [1, 1],
    ]);
    expect(r.values[0]).toBeCloseTo(2, 12);
    expect(r.values[1]).toBeCloseTo(0, 12);
  });

  it('refuses non-symmetric and non-finite matrices', () => {
    expect(() => symmetricEigen([[1, 2], [0, 1]])).toThrow(/not symmetric/);
    expect(() => symmetricEigen([[1, Number.NaN], [Number.NaN, 1]])).toThrow(/non-finite/);
  });
});

describe('attributePca', () => {
  /** Codes mean + Σ_k a_k σ_k u_k with a_k = ±1 on a full 2^n design: the covariance is exactly known. */
  function designCodes(mean: number[], basis: number[][], sigma: number[]): number[][] {
    const n = mean.length;
    const codes: number[][] = [];
    for (let m = 0; m < 2 ** n; m++) {
      const z = mean.slice();
      for (let k = 0; k < n; k++) {
        const a = (m >> k) & 1 ? 1 : -1;
        for (let j = 0; j < n; j++) z[j]! += a * sigma[k]! * basis[k]![j]!;
      }
      codes.push(z);
    }
    return codes;
  }

  it('finds the planted directions, spreads and variance shares', () => {
    const n = 5;
    const rnd = lcg(5);
    const basis = randomBasis(n, rnd);
    const sigma = [3, 2, 1.5, 1, 0.5];
    const mean = [0.1, -0.2, 0.3, 0, 1];
    const codes = designCodes(mean, basis, sigma);
    const s = attributePca(codes);
    expect(s.count).toBe(32);
    // each ±1 column has sample variance N / (N − 1)
    const scale = Math.sqrt(32 / 31);
    const total = sigma.reduce((a, x) => a + x * x, 0);
    s.mean.forEach((m, j) => expect(m).toBeCloseTo(mean[j]!, 6));
    expect(s.components).toHaveLength(n);
    for (let k = 0; k < n; k++) {
      expect(s.std[k]).toBeCloseTo(sigma[k]! * scale, 6);
      expect(s.varianceShare[k]).toBeCloseTo(sigma[k]! ** 2 / total, 6);
      expect(Math.abs(dot(s.components[k]!, basis[k]!))).toBeCloseTo(1, 6);
      const c = s.components[k]!;
      const big = c.reduce((bi, x, i) => (Math.abs(x) > Math.abs(c[bi]!) ? i : bi), 0);
      expect(c[big]).toBeGreaterThan(0); // sign convention
    }
    expect(s.varianceShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('keeps at most count − 1 directions and drops directions without variance', () => {
    const few = attributePca([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ]);
    expect(few.components).toHaveLength(2);
    expect(few.varianceShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const flat = attributePca([
      [1, 2, 0],
      [2, 2, 0],
      [3, 2, 0],
      [4, 2, 0],
    ]);
    expect(flat.components).toEqual([[1, 0, 0]]);
    // a collapsed encoder: one real direction, a second with a 1e-6 share of the variance
    const collapsed = attributePca(Array.from({ length: 9 }, (_, i) => [i - 4, 1e-3 * ((i * 7) % 3 - 1), 0.5]));
    expect(collapsed.components).toHaveLength(1);
    expect(collapsed.varianceShare[0]).toBeGreaterThan(0.999999);
    expect(collapsed.varianceShare[0]).toBeLessThan(1);
    expect(() => attributePca([[1, 1], [1, 1]])).toThrow(/do not vary/);
    expect(() => attributePca([[1, Number.NaN], [1, 1]])).toThrow(/non-finite/);
  });
});

describe('manifest attributeStats', () => {
  const rnd = lcg(8);
  const codes = Array.from({ length: 20 }, () => Array.from({ length: 8 }, () => rnd() * 2));
  const stats: AttributeStats = attributePca(codes);

  async function manifestJson(attributeStats: unknown): Promise<Record<string, unknown>> {
    const { manifest } = await writePack([{ name: 'w', shape: [2], data: new Float32Array(2) }], TINY_META);
    return { ...JSON.parse(JSON.stringify(manifest)), attributeStats };
  }

  function expectInvalid(json: unknown, field: RegExp, code = 'INVALID_FIELD'): void {
    try {
      validateManifest(json);
    } catch (e) {
      expect(e).toBeInstanceOf(PackError);
      expect((e as PackError).code).toBe(code);
      expect((e as PackError).message).toMatch(field);
      return;
    }
    throw new Error('expected INVALID_FIELD');
  }

  it('round-trips through the writer and the reader; a pack without it has none', async () => {
    const { manifest, files } = await writePack([{ name: 'w', shape: [2], data: new Float32Array(2) }], { ...TINY_META, attributeStats: { b: stats } });
    const text = new TextDecoder().decode(files.get('manifest.json'));
    const back: PackManifest = validateManifest(JSON.parse(text));
    expect(back.attributeStats).toEqual({ b: stats });
    expect(manifest.attributeStats).toEqual({ b: stats });
    expect(validateManifest(await manifestJson(undefined)).attributeStats).toBeUndefined();
  });

  it('names the field of every inconsistency', async () => {
    const bad = async (mutate: (s: AttributeStats) => void, field: RegExp, code?: string): Promise<void> => {
      const s = structuredClone(stats);
      mutate(s);
      expectInvalid(await manifestJson({ a: s }), field, code);
    };
    expectInvalid(await manifestJson([1]), /'attributeStats' must be an object/);
    expectInvalid(await manifestJson({ a: 3 }), /'attributeStats\.a' must be an object/);
    await bad((s) => (s.count = 1), /attributeStats\.a\.count/);
    await bad((s) => s.mean.pop(), /attributeStats\.a\.mean' must hold 8/);
    await bad((s) => (s.mean[0] = Number.NaN), /attributeStats\.a\.mean/);
    await bad((s) => (s.components[1] = s.components[1]!.map((x) => x * 1.01)), /attributeStats\.a\.components' direction 1 is not a unit vector/);
    await bad((s) => (s.components[1] = s.components[0]!.slice()), /directions 0 and 1 are not orthogonal/);
    await bad((s) => s.components.push(...s.components), /must hold 1 to 8 directions/);
    await bad((s) => (s.components[2]![0] = 'x' as unknown as number), /attributeStats\.a\.components\.2/);
    await bad((s) => s.std.pop(), /attributeStats\.a\.std' must hold/);
    await bad((s) => (s.std[1] = s.std[0]! * 2), /attributeStats\.a\.std' must be ordered/);
    await bad((s) => (s.std[s.std.length - 1] = 0), /attributeStats\.a\.std' must be positive/);
    await bad((s) => (s.varianceShare[0] = 1.5), /attributeStats\.a\.varianceShare/);
    await bad((s) => (s.varianceShare = s.varianceShare.map(() => 0.5)), /must sum to at most 1/);
    await bad((s) => ((s as unknown as Record<string, unknown>).mean = undefined), /missing field 'attributeStats\.a\.mean'/, 'MISSING_FIELD');
  });
});
