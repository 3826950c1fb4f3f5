/**
 * Winograd F(4×4, 3×3) for stride-1 3×3 convolutions with one pixel of padding (Lavin & Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2016), as plain loops over NHWC
 * Float32Arrays. Each 4×4 output tile needs a 6×6 input tile d and costs, per input/output channel
 * pair, 36 multiplications (U ⊙ V, done as 36 matrix products by the caller) instead of 144:
 *
 *   V = Bᵀ d B            (input transform, per tile and input channel)
 *   U = G g Gᵀ            (kernel transform, once per weight)
 *   M_k = Σ_c V_k[c] U_k[c, c']   for each of the 36 positions k = 6p + q
 *   Y = Aᵀ M A            (output transform, per tile and output channel)
 *
 * with the interpolation points 0, ±1, ±2 (the matrices below). In float32 the result differs
 * from the direct convolution by ~3e-6 relative (tested in winograd.test.ts).
 * No tensors here: src/drit/winograd.ts wraps these loops as tfjs kernels.
 */

/** Output tile size m and input tile size α = m + 2. */
export const TILE = 4;
export const ALPHA = 6;
/** Number of transformed positions (α²): one matrix product each. */
export const POSITIONS = ALPHA * ALPHA;

/** G (α × 3): kernel transform. */
const G: readonly (readonly number[])[] = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];

export type PadMode = 'reflect' | 'zero';

/** Number of tiles along a side of length n. */
export function tiles(n: number): number {
  return Math.ceil(n / TILE);
}

/**
 * U = G g Gᵀ for a [3, 3, cin, cout] (HWIO) filter: 36 arrays of cin × cout (row-major), in
 * position order k = 6p + q. Computed in float64.
 */
export function transformKernel(filter: Float32Array, cin: number, cout: number): Float32Array[] {
  const plane = cin * cout;
  if (filter.length !== 9 * plane) throw new Error(`expected a 3x3x${cin}x${cout} filter, got ${filter.length} values`);
  // t[p][j] = Σ_i G[p][i] g[i][j]
  const t: Float64Array[] = [];
  for (let p = 0; p < ALPHA; p++) {
    for (let j = 0; j < 3; j++) {
      const acc = new Float64Array(plane);
      for (let i = 0; i < 3; i++) {
        const gpi = G[p]![i]!;
        if (gpi === 0) continue;
        const off = (i * 3 + j) * plane;
        for (let e = 0; e < plane; e++) acc[e]! += gpi * filter[off + e]!;
      }
      t.push(acc);
    }
  }
  // U[p][q] = Σ_j G[q][j] t[p][j]
  const u: Float32Array[] = [];
  for (let p = 0; p < ALPHA; p++) {
    for (let q = 0; q < ALPHA; q++) {
      const acc = new Float64Array(plane);
      for (let j = 0; j < 3; j++) {
        const gqj = G[q]![j]!;
        if (gqj === 0) continue;
        const src = t[p * 3 + j]!;
        for (let e = 0; e < plane; e++) acc[e]! += gqj * src[e]!;
      }
      u.push(Float32Array.from(acc));
    }
  }
  return u;
}

/**
 * Source row/column in the unpadded image for padded position r (the padded image has one pixel
 * of border), or -1 for a zero. Positions past the reflected border only feed cropped outputs.
 */
function sourceIndex(r: number, n: number, mode: PadMode): number {
  if (r >= 0 && r < n) return r;
  if (mode === 'reflect' && (r === -1 || r === n)) return r === -1 ? 1 : n - 2;
  return -1;
}

/**
 * V = Bᵀ d B for every 6×6 tile of x (N, h, w, c) padded by one pixel: writes 36 arrays of
 * (N · tiles(h) · tiles(w)) × c, tile-major (n, ty, tx), channel fastest.
 */
export function inputTransform(x: Float32Array, n: number, h: number, w: number, c: number, mode: PadMode, out: readonly Float32Array[]): void {
  if (mode === 'reflect' && (h < 2 || w < 2)) throw new Error(`reflection padding needs at least 2x2 pixels, got ${h}x${w}`);
  const th = tiles(h);
  const tw = tiles(w);
  if (out.length !== POSITIONS) throw new Error(`expected ${POSITIONS} outputs`);
  const d = new Float32Array(POSITIONS * c); // the tile, [i][j][c]
  const t = new Float32Array(POSITIONS * c); // Bᵀ d, [p][j][c]
  const rows = new Int32Array(ALPHA);
  const cols = new Int32Array(ALPHA);
  let tile = 0;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let i = 0; i < ALPHA; i++) rows[i] = sourceIndex(ty * TILE + i - 1, h, mode);
      for (let tx = 0; tx < tw; tx++, tile++) {
        for (let j = 0; j < ALPHA; j++) cols[j] = sourceIndex(tx * TILE + j - 1, w, mode);
        // Gather the tile (zeros outside).
        for (let i = 0; i < ALPHA; i++) {
          for (let j = 0; j < ALPHA; j++) {
            const dst = (i * ALPHA + j) * c;
            if (rows[i]! < 0 || cols[j]! < 0) d.fill(0, dst, dst + c);
            else {
              const src = ((b * h + rows[i]!) * w + cols[j]!) * c;
              d.set(x.subarray(src, src + c), dst);
            }
          }
        }
        // Rows: t[p][j] = Σ_i Bᵀ[p][i] d[i][j].
        for (let j = 0; j < ALPHA; j++) {
          const s = j * c;
          const st = ALPHA * c;
          for (let e = 0; e < c; e++) {
            const k = s + e;
            const d0 = d[k]!, d1 = d[k + st]!, d2 = d[k + 2 * st]!, d3 = d[k + 3 * st]!, d4 = d[k + 4 * st]!, d5 = d[k + 5 * st]!;
            t[k] = 4 * d0 - 5 * d2 + d4;
            t[k + st] = d3 + d4 - 4 * (d1 + d2);
            t[k + 2 * st] = 4 * (d1 - d2) + d4 - d3;
            t[k + 3 * st] = 2 * (d3 - d1) + d4 - d2;
            t[k + 4 * st] = 2 * (d1 - d3) + d4 - d2;
            t[k + 5 * st] = 4 * d1 - 5 * d3 + d5;
          }
        }
        // Columns: V[p][q] = Σ_j t[p][j] B[j][q].
        const base = tile * c;
        for (let p = 0; p < ALPHA; p++) {
          const o0 = out[p * ALPHA]!, o1 = out[p * ALPHA + 1]!, o2 = out[p * ALPHA + 2]!;
          const o3 = out[p * ALPHA + 3]!, o4 = out[p * ALPHA + 4]!, o5 = out[p * ALPHA + 5]!;
          const s = p * ALPHA * c;
          for (let e = 0; e < c; e++) {
            const k = s + e;
            const d0 = t[k]!, d1 = t[k + c]!, d2 = t[k + 2 * c]!, d3 = t[k + 3 * c]!, d4 = t[k + 4 * c]!, d5 = t[k + 5 * c]!;
            const o = base + e;
            o0[o] = 4 * d0 - 5 * d2 + d4;
            o1[o] = d3 + d4 - 4 * (d1 + d2);
            o2[o] = 4 * (d1 - d2) + d4 - d3;
            o3[o] = 2 * (d3 - d1) + d4 - d2;
            o4[o] = 2 * (d1 - d3) + d4 - d2;
            o5[o] = 4 * d1 - 5 * d3 + d5;
          }
        }
      }
    }
  }
}

/**
 * Y = Aᵀ M A for every tile: reads the 36 products (N · tiles(h) · tiles(w)) × c and writes the
 * (N, h, w, c) output, dropping the tile overhang past h and w.
 */
export function outputTransform(m: readonly Float32Array[], n: number, h: number, w: number, c: number, out: Float32Array): void {
  if (m.length !== POSITIONS) throw new Error(`expected ${POSITIONS} inputs`);
  const th = tiles(h);
  const tw = tiles(w);
  const t = new Float32Array(TILE * ALPHA * c); // Aᵀ M, [u][q][c]
  let tile = 0;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++, tile++) {
        const base = tile * c;
        // Rows: t[u][q] = Σ_p Aᵀ[u][p] M[p][q].
        for (let q = 0; q < ALPHA; q++) {
          const m0 = m[q]!, m1 = m[ALPHA + q]!, m2 = m[2 * ALPHA + q]!, m3 = m[3 * ALPHA + q]!, m4 = m[4 * ALPHA + q]!, m5 = m[5 * ALPHA + q]!;
          const s = q * c;
          const st = ALPHA * c;
          for (let e = 0; e < c; e++) {
            const o = base + e;
            const a0 = m0[o]!, a1 = m1[o]!, a2 = m2[o]!, a3 = m3[o]!, a4 = m4[o]!, a5 = m5[o]!;
            const p12 = a1 + a2, d12 = a1 - a2, p34 = a3 + a4, d34 = a3 - a4;
            const k = s + e;
            t[k] = a0 + p12 + p34;
            t[k + st] = d12 + 2 * d34;
            t[k + 2 * st] = p12 + 4 * p34;
            t[k + 3 * st] = d12 + 8 * d34 + a5;
          }
        }
        // Columns: Y[u][v] = Σ_q t[u][q] A[q][v], stored where inside the image.
        const vIn = Math.min(TILE, w - tx * TILE);
        for (let u = 0; u < TILE; u++) {
          const y = ty * TILE + u;
          if (y >= h) break;
          const row = ((b * h + y) * w + tx * TILE) * c;
          const s = u * ALPHA * c;
          for (let e = 0; e < c; e++) {
            const k = s + e;
            const a0 = t[k]!, a1 = t[k + c]!, a2 = t[k + 2 * c]!, a3 = t[k + 3 * c]!, a4 = t[k + 4 * c]!, a5 = t[k + 5 * c]!;
            const p12 = a1 + a2, d12 = a1 - a2, p34 = a3 + a4, d34 = a3 - a4;
            const o = row + e;
            out[o] = a0 + p12 + p34;
            if (vIn > 1) out[o + c] = d12 + 2 * d34;
            if (vIn > 2) out[o + 2 * c] = p12 + 4 * p34;
            if (vIn > 3) out[o + 3 * c] = d12 + 8 * d34 + a5;
          }
        }
      }
    }
  }
}
