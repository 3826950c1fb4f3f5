/**
 * The fused InstanceNorm kernel (DritInstanceNorm, see norm.ts) on the WebGPU backend: two compute
 * passes instead of the ~9 dispatches stock tfjs needs for moments + normalise + ReLU + residual.
 *
 *   stats      one workgroup per (sample, block of 64 channels), 4 lanes of pixels per channel
 *              (neighbouring threads read neighbouring channels: coalesced), shifted sums in f32,
 *              reduced in workgroup memory -> mean and 1/sqrt(var + eps) per (sample, channel)
 *   normalise  one thread per element: (x - mean) * rstd, then ReLU and/or + residual
 *
 * Programs go through the backend's own runWebGPUProgram (pipeline cache, uniforms, dispatch
 * reshaping), so they behave like tfjs's built-in kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The fields of tfjs-backend-webgpu's WebGPUProgram that these programs set. */
interface WebGpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  getUserCode(): string;
}

type Uniform = { type: 'int32' | 'float32'; data: number[] };

/** The part of tfjs-backend-webgpu's WebGPUBackend used here. */
interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], dtype: 'float32', uniforms?: Uniform[]): TensorInfo;
  disposeData(dataId: DataId): boolean;
}

const CHANNELS_PER_GROUP = 64;
const LANES = 4;

function statsProgram(n: number, c: number): WebGpuProgram {
  const blocks = Math.ceil(c / CHANNELS_PER_GROUP);
  const wg = CHANNELS_PER_GROUP * LANES;
  return {
    outputShape: [n, 2, c],
    shaderKey: 'drit_in_stats',
    dispatchLayout: { x: [0, 1, 2] },
    dispatch: [n * blocks, 1, 1],
    variableNames: ['x'],
    workgroupSize: [wg, 1, 1],
    uniforms: 'hw : i32, channels : i32, blocks : i32, eps : f32,',
    getUserCode: () => `
      var<workgroup> partSum : array<f32, ${wg}>;
      var<workgroup> partSq : array<f32, ${wg}>;
      fn main(index : i32) {
        let wgIndex = index / ${wg};
        let batch = wgIndex / uniforms.blocks;
        let lid = i32(localId.x);
        let ch = (wgIndex % uniforms.blocks) * ${CHANNELS_PER_GROUP} + lid % ${CHANNELS_PER_GROUP};
        let lane = lid / ${CHANNELS_PER_GROUP};
        let base = batch * uniforms.hw * uniforms.channels + ch;
        var s = 0.0;
        var q = 0.0;
        if (ch < uniforms.channels) {
          let k = x[base];
          for (var p = lane; p < uniforms.hw; p = p + ${LANES}) {
            let v = x[base + p * uniforms.channels] - k;
            s = s + v;
            q = q + v * v;
          }
        }
        partSum[lid] = s;
        partSq[lid] = q;
        workgroupBarrier();
        if (lane == 0 && ch < uniforms.channels) {
          var ts = 0.0;
          var tq = 0.0;
          for (var l = 0; l < ${LANES}; l = l + 1) {
            ts = ts + partSum[lid + l * ${CHANNELS_PER_GROUP}];
            tq = tq + partSq[lid + l * ${CHANNELS_PER_GROUP}];
          }
          let cnt = f32(uniforms.hw);
          let m = ts / cnt;
          let variance = max(tq / cnt - m * m, 0.0);
          let o = batch * 2 * uniforms.channels + ch;
          setOutputAtIndex(o, x[base] + m);
          setOutputAtIndex(o + uniforms.channels, inverseSqrt(variance + uniforms.eps));
        }
      }
    `,
  };
}

function normaliseProgram(shape: number[], relu: boolean, residual: boolean): WebGpuProgram {
  const size = shape.reduce((a, b) => a * b, 1);
  const wg = 64;
  return {
    outputShape: shape,
    shaderKey: `drit_in_normalise_${relu ? 'relu' : 'linear'}_${residual ? 'res' : 'nores'}`,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(size / wg), 1, 1],
    variableNames: residual ? ['x', 'stats', 'residual'] : ['x', 'stats'],
    workgroupSize: [wg, 1, 1],
    uniforms: 'hw : i32, channels : i32,',
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let ch = index % uniforms.channels;
          let batch = index / (uniforms.hw * uniforms.channels);
          let s = batch * 2 * uniforms.channels + ch;
          var v = (x[index] - stats[s]) * stats[s + uniforms.channels];
          ${relu ? 'v = max(v, 0.0);' : ''}
          ${residual ? 'v = v + residual[index];' : ''}
          setOutputAtIndex(index, v);
        }
      }
    `,
  };
}

function instanceNormWebgpu({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
  const b = backend as WebGpuBackendLike;
  const x = inputs.x;
  if (!x || x.dtype !== 'float32' || x.shape.length !== 4) throw new Error('DritInstanceNorm: expected a float32 NHWC input');
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const hw = h * w;
  const blocks = Math.ceil(c / CHANNELS_PER_GROUP);
  const stats = b.runWebGPUProgram(statsProgram(n, c), [x], 'float32', [
    { type: 'int32', data: [hw] }, { type: 'int32', data: [c] }, { type: 'int32', data: [blocks] },
    { type: 'float32', data: [Number(attrs?.eps)] },
  ]);
  const residual = inputs.residual;
  const relu = attrs?.relu === true;
  try {
    return b.runWebGPUProgram(normaliseProgram(x.shape, relu, !!residual), residual ? [x, stats, residual] : [x, stats], 'float32', [
      { type: 'int32', data: [hw] }, { type: 'int32', data: [c] },
    ]);
  } finally {
    b.disposeData(stats.dataId);
  }
}

let registered = false;

/** Registers DritInstanceNorm for the webgpu backend (once). */
export function registerInstanceNormWebgpu(kernelName: string): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel(kernelName, 'webgpu')) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: instanceNormWebgpu });
}
