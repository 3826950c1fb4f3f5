/**
 * Principal-direction sliders (pure maths, tests: directions.test.ts). A pack may carry, per
 * domain, the PCA of its training photos' attribute codes (`attributeStats`, docs/model-pack.md):
 * mean m, unit directions d_k (orthonormal, largest variance first) and spreads s_k.
 *
 * Principal slider k shows c_k = d_k · (z − m) / s_k, the position of z along d_k in units of the
 * photos' spread there. Setting it to v moves z along d_k only: z' = z + (v − c_k) · s_k · d_k;
 * since the d's are orthonormal, every other principal coordinate c_j (j ≠ k) stays as it was, and
 * so does the part of z outside their span.
 */
import type { Direction } from '../drit/model';
import type { AttributeStats, Domain } from '../pack/manifest';
import { targetSide } from './domains';

export type SliderSet = 'raw' | 'principal';

/** Principal sliders span ±3 spreads, as the raw sliders span ±3 of N(0, I). */
export const PRINCIPAL_RANGE = 3;

/** The statistics that serve a direction: those of its target domain (a → b uses domain b's E_a codes). */
export function statsForDirection(stats: Partial<Record<Domain, AttributeStats>> | undefined, direction: Direction): AttributeStats | null {
  return stats?.[targetSide(direction)] ?? null;
}

/** c_k = d_k · (z − m) / s_k for every stored direction; empty when z does not fit the statistics. */
export function principalCoords(z: readonly number[], stats: AttributeStats): number[] {
  if (z.length !== stats.mean.length) return [];
  return stats.components.map((d, k) => {
    let dot = 0;
    for (let j = 0; j < z.length; j++) dot += d[j]! * (z[j]! - stats.mean[j]!);
    return dot / stats.std[k]!;
  });
}

/**
 * z moved along direction k so that its coordinate there becomes `value` (the other principal
 * coordinates unchanged); null when k or the value is out of range or z does not fit.
 */
export function setPrincipal(z: readonly number[], stats: AttributeStats, k: number, value: number): number[] | null {
  const d = stats.components[k];
  const s = stats.std[k];
  if (!d || s === undefined || !Number.isFinite(value) || z.length !== d.length) return null;
  const c = principalCoords(z, stats)[k]!;
  const step = (value - c) * s;
  return z.map((x, j) => x + step * d[j]!);
}

/** "42 %", "0.4 %", "< 0.1 %": a share of variance for a slider label. */
export function formatShare(share: number): string {
  const p = 100 * share;
  if (p >= 9.95) return `${Math.round(p)} %`;
  if (p >= 0.095) return `${p.toFixed(1)} %`;
  return '< 0.1 %';
}

/** The slider's label: "PC1 · 42 %". */
export function principalLabel(stats: AttributeStats, k: number): string {
  return `PC${k + 1} · ${formatShare(stats.varianceShare[k] ?? 0)}`;
}

/**
 * How widely the attribute encoder spreads the training photos, relative to the prior N(0, I) that
 * random z come from: sqrt(total variance of the codes / nz) (1 = as wide as random z). The total
 * variance is the stored spreads' squares over their share of it. null without usable statistics.
 */
export function relativeSpread(stats: AttributeStats | null): number | null {
  if (!stats || stats.std.length === 0 || stats.mean.length === 0) return null;
  const stored = stats.std.reduce((a, s) => a + s * s, 0);
  const share = stats.varianceShare.reduce((a, s) => a + s, 0);
  if (!(share > 0) || !Number.isFinite(stored)) return null;
  return Math.sqrt(stored / Math.min(1, share) / stats.mean.length);
}

/** Below this relative spread a reference hardly changes the output: the page says so. */
export const WEAK_REFERENCE_SPREAD = 0.1;
