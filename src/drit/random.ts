/**
 * Seeded standard-normal attribute vectors, identical in Node and every browser (tf.randomNormal
 * differs across backends and versions, and share links must reproduce the same z from a seed).
 * mulberry32 for uniforms, Box-Muller for normals.
 */

/** A uniform [0, 1) generator from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` vectors of `nz` N(0, 1) values, row-major (count × nz). */
export function sampleNormal(seed: number, count: number, nz: number): Float32Array {
  const uniform = mulberry32(seed);
  const out = new Float32Array(count * nz);
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - uniform(); // (0, 1]: log is finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** A fresh random seed (not reproducible: for "re-roll" and new grids; the samples it seeds are). */
export function freshSeed(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]! >>> 0;
}

/** What `sampleFromPhotos` needs of a domain's attribute statistics (docs/model-pack.md). */
export interface PhotoSpread {
  mean: number[];
  components: number[][];
  std: number[];
}

/**
 * `count` vectors drawn from the Gaussian of a domain's photo codes, row-major (count × nz):
 * z = mean + sum_k std_k e_k d_k, with e the same seeded N(0, 1) numbers as `sampleNormal` (the
 * first k of each row), so one seed gives one picture in either source. Directions the statistics
 * do not store carry (almost) no variance and get none.
 */
export function sampleFromPhotos(seed: number, count: number, nz: number, spread: PhotoSpread): Float32Array {
  const e = sampleNormal(seed, count, nz);
  const out = new Float32Array(count * nz);
  const k = Math.min(spread.components.length, spread.std.length, nz);
  for (let r = 0; r < count; r++) {
    const row = out.subarray(r * nz, (r + 1) * nz);
    for (let i = 0; i < nz; i++) row[i] = spread.mean[i] ?? 0;
    for (let c = 0; c < k; c++) {
      const a = spread.std[c]! * e[r * nz + c]!;
      const d = spread.components[c]!;
      for (let i = 0; i < nz; i++) row[i]! += a * (d[i] ?? 0);
    }
  }
  return out;
}
