/**
 * The stock tfjs kernels the worker runs: every kernel the networks (all pack variants, stock and
 * custom-kernel paths) and the worker's own tensor code dispatch, on any backend. Only these are
 * registered in the worker (./bundle.ts), instead of every kernel of every backend.
 *
 * Kept honest by kernel-list.test.ts, which runs every network of every fixture variant on cpu,
 * wasm and WebGPU through tf.profile and compares the kernels it sees with this list (both ways).
 * After changing the list: `npm run kernels` rewrites ./kernels.generated.ts.
 */
export const WORKER_KERNELS = [
  'Add',
  'AvgPool',
  'BatchMatMul',
  'Cast',
  'Concat',
  'Conv2D',
  'DepthToSpace',
  'Exp',
  'FusedConv2D',
  'Identity',
  'LeakyRelu',
  'Mean',
  'MirrorPad',
  'Multiply',
  'Pack',
  'PadV2',
  'RealDiv',
  'Relu',
  'Reshape',
  'Rsqrt',
  'Slice',
  'Sqrt',
  'Square',
  'Sub',
  'Tanh',
  'Tile',
  'Transpose',
  '_FusedMatMul',
] as const;
