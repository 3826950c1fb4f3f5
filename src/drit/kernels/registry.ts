/**
 * Custom tfjs kernels for the CPU-side backends (wasm and cpu): plain loops over the backend's own
 * float32 memory, without copies. Each kernel is registered for both backends under one name and
 * run through tf.engine().runKernel, so tfjs tracks (and tidies) its outputs like any op's.
 * GPU backends (webgpu, webgl) do not have them: callers check cpuKernelsAvailable() first.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The backends the kernels are registered for. */
export const CPU_KERNEL_BACKENDS = ['wasm', 'cpu'] as const;

/** Whether the active backend runs the custom kernels. */
export function cpuKernelsAvailable(): boolean {
  return (CPU_KERNEL_BACKENDS as readonly string[]).includes(tf.getBackend());
}

/** How a kernel reads its inputs and creates its outputs on one backend. */
export interface KernelMemory {
  /** Allocates all outputs (allocation may move the wasm heap), then returns views of them. */
  allocate(shapes: number[][]): { infos: TensorInfo[]; views: Float32Array[] };
  /** A view of an input's float32 data; take views only after allocating the outputs. */
  read(t: TensorInfo): Float32Array;
}

/** The part of tfjs-backend-wasm's BackendWasm used here. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The part of tfjs-backend-cpu's MathBackendCPU used here. */
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

/** A kernel body: float32 inputs by name, attributes, and the backend's memory. */
export type CpuKernelBody = (inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, mem: KernelMemory) => TensorInfo | TensorInfo[];

const registered = new Set<string>();

/** Registers `body` as kernel `name` on wasm and cpu (once). */
export function registerCpuKernel(name: string, body: CpuKernelBody): void {
  if (registered.has(name)) return;
  registered.add(name);
  for (const backendName of CPU_KERNEL_BACKENDS) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }) => {
        const checked: Record<string, TensorInfo> = {};
        for (const [key, t] of Object.entries(inputs)) {
          if (!t) throw new Error(`${name}: missing input '${key}'`);
          if (t.dtype !== 'float32') throw new Error(`${name}: input '${key}' is ${t.dtype}, expected float32`);
          checked[key] = t;
        }
        return body(checked, attrs ?? {}, memoryFor(backendName, backend));
      },
    });
  }
}

/** Runs a registered CPU-side kernel on the active backend. */
export function runCpuKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: NamedAttrMap = {}): tf.Tensor | tf.Tensor[] {
  if (!cpuKernelsAvailable()) throw new Error(`kernel ${name} runs on the wasm and cpu backends, not on '${tf.getBackend()}'`);
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor | tf.Tensor[];
}
