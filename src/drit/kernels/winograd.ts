/**
 * Winograd F(4×4, 3×3) convolution for the CPU-side tfjs backends (wasm, cpu), as two custom
 * kernels around 36 ordinary matrix products:
 *
 *   DritWinogradInput  x (N, h, w, c) -> V_0 … V_35, each (tiles, c), padding done in the index math
 *   tf.matMul(V_k, U_k)               -> M_k (tiles, c'), on the backend's fast GEMM (XNNPACK on wasm)
 *   DritWinogradOutput M_0 … M_35     -> y (N, h, w, c')
 *
 * A stride-1 3×3 conv costs 4× fewer multiply-adds this way; the transforms are cheap loops
 * (winograd-math.ts) that read and write the backend's memory in place. GPU backends keep the
 * direct convolution.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerCpuKernel, runCpuKernel } from './registry';
import { inputTransform, outputTransform, POSITIONS, tiles, transformKernel, type PadMode } from './winograd-math';

const INPUT_KERNEL = 'DritWinogradInput';
const OUTPUT_KERNEL = 'DritWinogradOutput';

function register(): void {
  registerCpuKernel(INPUT_KERNEL, ({ x }, attrs, mem) => {
    const [n, h, w, c] = x!.shape as [number, number, number, number];
    const rows = n * tiles(h) * tiles(w);
    const { infos, views } = mem.allocate(Array.from({ length: POSITIONS }, () => [rows, c]));
    inputTransform(mem.read(x!), n, h, w, c, attrs.mode === 'zero' ? 'zero' : 'reflect', views);
    return infos;
  });
  registerCpuKernel(OUTPUT_KERNEL, (inputs, attrs, mem) => {
    const ms = Array.from({ length: POSITIONS }, (_, k) => inputs[`m${k}`]!);
    const [n, h, w] = [Number(attrs.n), Number(attrs.h), Number(attrs.w)];
    const c = ms[0]!.shape[1]!;
    const { infos, views } = mem.allocate([[n, h, w, c]]);
    outputTransform(ms.map((m) => mem.read(m)), n, h, w, c, views[0]!);
    return infos[0]!;
  });
}

/** U = G g Gᵀ of a [3, 3, cin, cout] filter as 36 [cin, cout] tensors (build once, at load). */
export function winogradKernel(filter: tf.Tensor4D): tf.Tensor2D[] {
  const [kh, kw, cin, cout] = filter.shape;
  if (kh !== 3 || kw !== 3) throw new Error(`Winograd F(4x4,3x3) needs a 3x3 filter, got ${kh}x${kw}`);
  return transformKernel(filter.dataSync() as Float32Array, cin, cout).map((u) => tf.tensor2d(u, [cin, cout]));
}

/**
 * Stride-1 3×3 convolution with one pixel of reflect/zero padding, no bias: the same values as
 * conv2d(pad(x, 1), filter) to float32 rounding (~3e-6 relative).
 */
export function winogradConv3x3(x: tf.Tensor4D, kernel: readonly tf.Tensor2D[], mode: PadMode): tf.Tensor4D {
  if (kernel.length !== POSITIONS) throw new Error(`expected ${POSITIONS} transformed kernel matrices, got ${kernel.length}`);
  register();
  const [n, h, w] = x.shape;
  return tf.tidy(() => {
    const v = runCpuKernel(INPUT_KERNEL, { x }, { mode }) as tf.Tensor2D[];
    const m: Record<string, tf.Tensor2D> = {};
    v.forEach((vk, k) => {
      m[`m${k}`] = tf.matMul(vk, kernel[k]!);
      vk.dispose();
    });
    return runCpuKernel(OUTPUT_KERNEL, m, { n, h, w }) as tf.Tensor4D;
  });
}
