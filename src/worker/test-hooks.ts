/**
 * Worker-side hooks for the browser tests (crash recovery, device loss, batching). Everything here
 * is reached only behind `import.meta.env.MODE !== 'production'`, so the production bundle drops
 * it (e2e/production.spec.ts checks the built files for these names).
 */
import { currentGpuDevice } from './backend';
import type { CallCounters } from './protocol';

/** Generator passes run so far and the batch size of the last one. */
export const callCounters: CallCounters = { generateCalls: 0, lastBatch: 0 };

export function countGenerate(batch: number): void {
  callCounters.generateCalls++;
  callCounters.lastBatch = batch;
}

export const testHooks = {
  /** Throws an uncaught error inside the worker a moment later (crash recovery test). */
  crashForTesting(): void {
    setTimeout(() => {
      throw new Error('simulated worker crash (test hook)');
    }, 10);
  },
  /** Destroys the WebGPU device (device-loss fallback test); false when there is none. */
  async loseDeviceForTesting(): Promise<boolean> {
    const device = currentGpuDevice();
    if (!device) return false;
    device.destroy();
    return true;
  },
};
