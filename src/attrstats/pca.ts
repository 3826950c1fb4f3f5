/**
 * Principal component analysis of attribute codes (pure, no tfjs): the sample covariance of N
 * vectors of length nz, its symmetric eigen-decomposition by cyclic Jacobi rotations, and the
 * `AttributeStats` a model pack stores (docs/model-pack.md, "attributeStats").
 *
 * Jacobi is exact to rounding for the small symmetric matrices this sees (nz = 8 in DRIT): each
 * rotation zeroes one off-diagonal entry, and sweeps repeat until the off-diagonal mass is below
 * 1e-30 of the total. Cost O(nz³) per sweep, a handful of sweeps.
 */
import type { AttributeStats } from '../pack/manifest';

/** Components a pack stores at most (readers refuse more: MANIFEST_LIMITS.attrComponents). */
export const MAX_STORED_COMPONENTS = 64;

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: number[];
  /** vectors[k]: the unit eigenvector of values[k]. */
  vectors: number[][];
}

/** Mean and sample covariance (divisor N − 1, as numpy.cov) of the rows. */
export function covariance(rows: readonly (readonly number[])[]): { mean: number[]; cov: number[][] } {
  const n = rows.length;
  if (n < 2) throw new Error(`covariance needs at least 2 vectors, got ${n}`);
  const d = rows[0]!.length;
  if (d === 0 || rows.some((r) => r.length !== d)) throw new Error('covariance: every vector must have the same non-zero length');
  const mean = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const r of rows) {
    for (let i = 0; i < d; i++) {
      const di = r[i]! - mean[i]!;
      const row = cov[i]!;
      for (let j = i; j < d; j++) row[j]! += di * (r[j]! - mean[j]!);
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i]![j]! / (n - 1);
      cov[i]![j] = v;
      cov[j]![i] = v;
    }
  }
  return { mean, cov };
}

/** Eigen-decomposition of a symmetric matrix (cyclic Jacobi); eigenvalues sorted largest first. */
export function symmetricEigen(matrix: readonly (readonly number[])[], maxSweeps = 100): Eigen {
  const n = matrix.length;
  if (matrix.some((r) => r.length !== n)) throw new Error('symmetricEigen: the matrix must be square');
  const a = matrix.map((r) => r.slice());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = Math.abs(a[i]![j]!) + Math.abs(a[j]![i]!);
      if (Math.abs(a[i]![j]! - a[j]![i]!) > 1e-9 * Math.max(1, s)) throw new Error('symmetricEigen: the matrix is not symmetric');
    }
  }
  if (a.some((r) => r.some((x) => !Number.isFinite(x)))) throw new Error('symmetricEigen: the matrix has non-finite entries');
  // v[k] is row k of Vᵀ, i.e. the k-th eigenvector once converged.
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  let total = 0;
  for (const r of a) for (const x of r) total += x * x;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p]![q]! ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, sym.schur2).
        const tau = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // columns p, q of A·J
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // rows p, q of Jᵀ·A
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        const vp = v[p]!;
        const vq = v[q]!;
        for (let k = 0; k < n; k++) {
          const x = vp[k]!;
          const y = vq[k]!;
          vp[k] = c * x - s * y;
          vq[k] = s * x + c * y;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j]![j]! - a[i]![i]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v[i]!.slice()) };
}

/**
 * Directions with a smaller share of the total variance are left out: along them the photos'
 * codes spread by less than ~3 % of the first direction's spread (share ratio <= nz · 1e-4), too
 * little for a slider to show anything (a collapsed E_a has one direction and rounding-level rest).
 */
export const MIN_VARIANCE_SHARE = 1e-4;

/** Rounds to 8 significant digits: plenty for sliders, and the manifest stays readable. */
const round = (x: number): number => Number(x.toPrecision(8));

/**
 * The pack's statistics of a set of attribute codes: mean, the principal directions (unit
 * vectors, largest variance first; sign chosen so that each one's largest entry is positive),
 * their standard deviations (sqrt of the eigenvalues) and shares of the total variance.
 * Directions with (almost) no variance are left out (fewer codes than dimensions, constant codes,
 * a collapsed encoder: see MIN_VARIANCE_SHARE).
 */
export function attributePca(codes: readonly (readonly number[])[], maxComponents = MAX_STORED_COMPONENTS): AttributeStats {
  if (codes.some((c) => c.some((x) => !Number.isFinite(x)))) throw new Error('attributePca: a code has non-finite values');
  const { mean, cov } = covariance(codes);
  const { values, vectors } = symmetricEigen(cov);
  const total = values.reduce((s, x) => s + Math.max(0, x), 0);
  if (!(total > 0)) throw new Error('attributePca: the codes do not vary (every image gives the same attribute)');
  const keep = Math.min(maxComponents, codes.length - 1, values.length);
  const components: number[][] = [];
  const std: number[] = [];
  const varianceShare: number[] = [];
  for (let k = 0; k < keep; k++) {
    const lambda = values[k]!;
    if (!(lambda / total >= MIN_VARIANCE_SHARE)) break;
    const d = vectors[k]!;
    let big = 0;
    for (let j = 1; j < d.length; j++) if (Math.abs(d[j]!) > Math.abs(d[big]!)) big = j;
    const sign = d[big]! < 0 ? -1 : 1;
    components.push(d.map((x) => round(sign * x)));
    std.push(round(Math.sqrt(lambda)));
    varianceShare.push(round(lambda / total));
  }
  return { count: codes.length, mean: mean.map(round), components, std, varianceShare };
}
