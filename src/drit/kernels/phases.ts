/**
 * ConvTranspose2d(k3, s2, padding 1, output_padding 1) on the CPU-side backends as four small
 * convolutions, one per output parity, interleaved by a custom kernel:
 *
 *   x' = pad(x, 1 row at the bottom, 1 column at the right)
 *   P_00 = conv(x', 1×1 tap (1,1))         -> output (2y,   2x)
 *   P_01 = conv(x', 1×2 taps (1,2),(1,0))  -> output (2y,   2x+1)
 *   P_10 = conv(x', 2×1 taps (2,1),(0,1))  -> output (2y+1, 2x)
 *   P_11 = conv(x', 2×2 taps)              -> output (2y+1, 2x+1)
 *   DritInterleavePhases(P_00, P_01, P_10, P_11, bias) -> (N, 2H, 2W, C)
 *
 * (docs/drit-reference.md §4.4: input pixel i, tap k lands on output 2i + k − 1). 9 taps of multiply-adds in all,
 * where the single 2×2 sub-pixel conv of the GPU path computes 16 (7 of them with zero weights),
 * and the interleave + bias is one pass instead of tfjs-wasm's slow DepthToSpace and an Add.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerCpuKernel, runCpuKernel } from './registry';

const KERNEL = 'DritInterleavePhases';

/** The four phase kernels [kh, kw, in, out] of a [3, 3, out, in] transposed-conv filter. */
export function phaseKernels(filter: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const [kh, kw, out, inC] = filter.shape;
  if (kh !== 3 || kw !== 3) throw new Error(`expected a 3x3 transposed-conv filter, got ${kh}x${kw}`);
  return tf.tidy(() => {
    const tap = (ky: number, kx: number): tf.Tensor2D =>
      tf.transpose(tf.reshape(tf.slice(filter, [ky, kx, 0, 0], [1, 1, out, inC]), [out, inC])); // [in, out]
    const grid = (taps: number[][][]): tf.Tensor4D =>
      tf.stack(taps.map((row) => tf.stack(row.map(([ky, kx]) => tap(ky!, kx!))))) as tf.Tensor4D;
    return [
      grid([[[1, 1]]]),
      grid([[[1, 2], [1, 0]]]),
      grid([[[2, 1]], [[0, 1]]]),
      grid([[[2, 2], [2, 0]], [[0, 2], [0, 0]]]),
    ];
  });
}

/**
 * out (n, 2h, 2w, c)[2y + dy, 2x + dx] = phase_(dy,dx)[y, x] + bias, for phases in the order
 * 00, 01, 10, 11, each (n, ≥h, ≥w, c) with its own row width.
 */
export function interleavePhases(
  src: readonly Float32Array[], shapes: readonly number[][], bias: Float32Array, n: number, h: number, w: number, c: number, out: Float32Array,
): void {
  for (let k = 0; k < 4; k++) {
    const dy = k >> 1;
    const dx = k & 1;
    const s = src[k]!;
    const ph = shapes[k]![1]!;
    const pw = shapes[k]![2]!;
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < h; y++) {
        let from = ((i * ph + y) * pw) * c;
        let to = ((i * 2 * h + 2 * y + dy) * 2 * w + dx) * c;
        for (let x = 0; x < w; x++, from += c, to += 2 * c) {
          for (let e = 0; e < c; e++) out[to + e] = s[from + e]! + bias[e]!;
        }
      }
    }
  }
}

function register(): void {
  registerCpuKernel(KERNEL, ({ p00, p01, p10, p11, bias }, _attrs, mem) => {
    const phases = [p00!, p01!, p10!, p11!];
    const [n, h, w, c] = p11!.shape as [number, number, number, number];
    for (const p of phases) {
      if (p.shape[0] !== n || p.shape[3] !== c || p.shape[1]! < h || p.shape[2]! < w) {
        throw new Error(`${KERNEL}: phase of shape [${p.shape}] does not cover [${n}, ${h}, ${w}, ${c}]`);
      }
    }
    const { infos, views } = mem.allocate([[n, 2 * h, 2 * w, c]]);
    interleavePhases(phases.map((p) => mem.read(p)), phases.map((p) => p.shape), mem.read(bias!), n, h, w, c, views[0]!);
    return infos[0]!;
  });
}

/** The transposed conv from its four phase kernels and bias (see the module comment). */
export function phaseConvTranspose(x: tf.Tensor4D, kernels: readonly tf.Tensor4D[], bias: tf.Tensor1D): tf.Tensor4D {
  register();
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]);
    const [p00, p01, p10, p11] = kernels.map((k) => tf.conv2d(padded, k, 1, 'valid'));
    return runCpuKernel(KERNEL, { p00: p00!, p01: p01!, p10: p10!, p11: p11!, bias }) as tf.Tensor4D;
  });
}
