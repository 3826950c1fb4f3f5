/**
 * Winograd F(4×4, 3×3) convolution for the CPU-side tfjs backends (wasm, cpu), as two custom
 * kernels around 36 ordinary matrix products:
 *
 *   DritWinogradInput  x (N, h, w, c) -> V_0 … V_35, each (tiles, c), padding done in the index math
 *   tf.matMul(V_k, U_k)               -> M_k (tiles, c'), on the backend's fast GEMM (XNNPACK on wasm)
 *   DritWinogradOutput M_0 … M_35     -> y (N, h, w, c')
 *
 * A stride-1 3×3 conv costs 4× fewer multiply-adds this way; the transforms are cheap loops
 * (src/drit/winograd-math.ts) that read and write the backend's memory in place. The kernels are
 * registered for 'wasm' and 'cpu' only: GPU backends keep the direct convolution.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataId, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { inputTransform, outputTransform, POSITIONS, tiles, transformKernel, type PadMode } from './winograd-math';

const INPUT_KERNEL = 'DritWinogradInput';
const OUTPUT_KERNEL = 'DritWinogradOutput';

/** The backends the kernels are registered for. */
export const WINOGRAD_BACKENDS = ['wasm', 'cpu'] as const;

/** How a kernel reads its inputs and creates its outputs on one backend, without copies. */
interface KernelMemory {
  /** Allocates all outputs first (allocation may move the wasm heap), then returns their views. */
  allocate(shapes: number[][]): { infos: TensorInfo[]; views: Float32Array[] };
  /** A view of an input's float32 data (valid until the next allocation). */
  read(t: TensorInfo): Float32Array;
}

/** The part of tfjs-backend-wasm's BackendWasm the kernels use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The part of tfjs-backend-cpu's MathBackendCPU the kernels use. */
interface CpuBackendLike {
  data: { get(id: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function asFloat32(a: unknown, what: string): Float32Array {
  if (!(a instanceof Float32Array)) throw new Error(`${what}: expected float32 data`);
  return a;
}

function memoryFor(backendName: string, backend: object): KernelMemory {
  if (backendName === 'wasm') {
    const b = backend as WasmBackendLike;
    return {
      allocate(shapes) {
        const infos = shapes.map((s) => b.makeOutput(s, 'float32'));
        return { infos, views: infos.map((i) => asFloat32(b.typedArrayFromHeap(i), 'wasm output')) };
      },
      read: (t) => asFloat32(b.typedArrayFromHeap(t), 'wasm input'),
    };
  }
  const b = backend as CpuBackendLike;
  return {
    allocate(shapes) {
      const views = shapes.map((s) => new Float32Array(s.reduce((a, x) => a * x, 1)));
      return { infos: shapes.map((s, i) => b.makeTensorInfo(s, 'float32', views[i]!)), views };
    },
    read: (t) => asFloat32(b.data.get(t.dataId).values, 'cpu input'),
  };
}

function checkFloat(t: TensorInfo | undefined, what: string): TensorInfo {
  if (!t) throw new Error(`${what}: missing input`);
  if (t.dtype !== 'float32') throw new Error(`${what}: expected float32, got ${t.dtype}`);
  return t;
}

function inputKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }) => {
    const x = checkFloat(inputs.x, INPUT_KERNEL);
    const mode = attrs?.mode === 'zero' ? 'zero' : 'reflect';
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const rows = n * tiles(h) * tiles(w);
    const mem = memoryFor(backendName, backend);
    const { infos, views } = mem.allocate(Array.from({ length: POSITIONS }, () => [rows, c]));
    inputTransform(mem.read(x), n, h, w, c, mode, views);
    return infos;
  };
}

function outputKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }) => {
    const ms = Array.from({ length: POSITIONS }, (_, k) => checkFloat(inputs[`m${k}`], OUTPUT_KERNEL));
    const [n, h, w] = [Number(attrs?.n), Number(attrs?.h), Number(attrs?.w)];
    const c = ms[0]!.shape[1]!;
    const mem = memoryFor(backendName, backend);
    const { infos, views } = mem.allocate([[n, h, w, c]]);
    outputTransform(ms.map((m) => mem.read(m)), n, h, w, c, views[0]!);
    return infos[0]!;
  };
}

let registered = false;

/** Registers both kernels for wasm and cpu (idempotent). */
export function registerWinogradKernels(): void {
  if (registered) return;
  registered = true;
  for (const backendName of WINOGRAD_BACKENDS) {
    const configs: KernelConfig[] = [
      { kernelName: INPUT_KERNEL, backendName, kernelFunc: inputKernel(backendName) },
      { kernelName: OUTPUT_KERNEL, backendName, kernelFunc: outputKernel(backendName) },
    ];
    for (const k of configs) if (!tf.getKernel(k.kernelName, backendName)) tf.registerKernel(k);
  }
}

/** Whether the active backend runs the Winograd kernels. */
export function winogradAvailable(): boolean {
  return (WINOGRAD_BACKENDS as readonly string[]).includes(tf.getBackend());
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
  registerWinogradKernels();
  const [n, h, w] = x.shape;
  return tf.tidy(() => {
    const v = tf.engine().runKernel(INPUT_KERNEL, { x }, { mode }) as tf.Tensor2D[];
    const m: Record<string, tf.Tensor2D> = {};
    v.forEach((vk, k) => {
      m[`m${k}`] = tf.matMul(vk, kernel[k]!);
      vk.dispose();
    });
    return tf.engine().runKernel(OUTPUT_KERNEL, m, { n, h, w }) as tf.Tensor4D;
  });
}
