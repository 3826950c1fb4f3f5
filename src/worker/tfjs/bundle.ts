/**
 * The worker's tfjs: core, the four backends without their full kernel sets, and only the kernels
 * of ./kernel-list.ts (tfjs' custom-bundle approach: each backend's `dist/base` registers the
 * backend, the generated imports register the kernels). Importing this module sets it all up.
 */
import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu/dist/base';
import '@tensorflow/tfjs-backend-webgl/dist/base';
import '@tensorflow/tfjs-backend-webgpu/dist/base';
import type { BackendName } from '../protocol';
import { WORKER_KERNELS } from './kernel-list';
import { KERNEL_CONFIGS } from './kernels.generated';

export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base';

for (const configs of Object.values(KERNEL_CONFIGS)) {
  for (const config of configs) if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
}

/** The kernels of the list that `backend` lacks (none unless the bundle is broken). */
export function missingKernels(backend: BackendName): string[] {
  return WORKER_KERNELS.filter((k) => !getKernel(k, backend));
}
