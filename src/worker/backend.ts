/**
 * tfjs backend selection inside the worker: WebGPU first, then webgl -> wasm -> cpu. A forced
 * backend (URL `?backend=`) is tried first; whatever fails is reported with its reason so the UI
 * can tell the user which backend runs and why. The wasm binaries are served by our own origin.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core, the four backends and only the kernels the networks use (./tfjs/bundle.ts).
import { missingKernels, setWasmPaths } from './tfjs/bundle';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BACKEND_ORDER, type BackendName, type BackendStatus } from './protocol';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** Minimal WebGPU shapes we touch (the DOM lib of TypeScript 5.9 has no WebGPU types). */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}
interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

function navigatorGpu(): GpuLike | undefined {
  return (globalThis.navigator as Navigator & { gpu?: GpuLike }).gpu;
}

export class BackendUnavailable extends Error {
  constructor(
    readonly backend: BackendName,
    message: string,
  ) {
    super(message);
    this.name = 'BackendUnavailable';
  }
}

function describeAdapter(info: GpuAdapterInfoLike | undefined, fallback: boolean): string {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const uniq = [...new Set(parts)];
  const text = uniq.join(' / ') || 'unknown GPU adapter';
  return fallback ? `${text} (software fallback adapter)` : text;
}

async function probeWebgpu(): Promise<string> {
  const gpu = navigatorGpu();
  if (!gpu) throw new BackendUnavailable('webgpu', 'this browser has no WebGPU (navigator.gpu is missing)');
  if (!tf.findBackendFactory('webgpu')) throw new BackendUnavailable('webgpu', 'the tfjs WebGPU backend is not registered');
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new BackendUnavailable('webgpu', `requestAdapter() failed: ${(e as Error).message}`);
  }
  if (!adapter) {
    throw new BackendUnavailable(
      'webgpu',
      'no WebGPU adapter (WebGPU is disabled or the GPU is blocklisted; on Linux Chromium needs --enable-unsafe-webgpu)',
    );
  }
  return describeAdapter(adapter.info, adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
}

interface WebglBackendLike {
  gpgpu?: { gl?: WebGL2RenderingContext | WebGLRenderingContext };
}

function webglRenderer(): string {
  const gl = (tf.backend() as unknown as WebglBackendLike).gpgpu?.gl;
  if (!gl) return 'WebGL';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  return `WebGL ${gl instanceof WebGL2RenderingContext ? '2' : '1'}: ${String(renderer)}`;
}

async function wasmDescription(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `WebAssembly${simd ? ' SIMD' : ''}${threads ? `, ${navigator.hardwareConcurrency} threads` : ', single thread'}`;
}

async function activate(name: BackendName): Promise<string> {
  const missing = missingKernels(name);
  if (missing.length > 0) throw new BackendUnavailable(name, `this build lacks the kernels ${missing.join(', ')} (src/worker/tfjs/kernel-list.ts)`);
  let adapter = '';
  if (name === 'webgpu') adapter = await probeWebgpu();
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendUnavailable(name, `initialisation failed: ${(e as Error).message}`);
  }
  if (!ok) throw new BackendUnavailable(name, 'initialisation failed');
  await tf.ready();
  // A tiny op proves the backend really computes (e.g. a WebGL context that was lost at once).
  try {
    const t = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
    const v = await t.data();
    t.dispose();
    if (v[0] !== 3) throw new Error(`1 + 2 gave ${v[0]}`);
  } catch (e) {
    throw new BackendUnavailable(name, `self-test failed: ${(e as Error).message}`);
  }
  if (name === 'webgl') adapter = webglRenderer();
  else if (name === 'wasm') adapter = await wasmDescription();
  else if (name === 'cpu') adapter = 'plain JavaScript (slow)';
  return adapter;
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

/**
 * Activates the first backend that works, starting with `requested` (if any) and continuing in
 * the default order after it; `exclude` lists backends known to be broken (e.g. a lost device).
 */
export async function selectBackend(requested?: BackendName, exclude: readonly BackendName[] = []): Promise<BackendStatus> {
  const order = requested ? [requested, ...BACKEND_ORDER.filter((b) => b !== requested)] : [...BACKEND_ORDER];
  const failures: string[] = [];
  for (const name of order) {
    if (exclude.includes(name)) continue;
    try {
      const adapter = await activate(name);
      const status: BackendStatus = { name, adapter };
      if (requested) status.requested = requested;
      if (failures.length) status.fallbackReason = failures.join('; ');
      return status;
    } catch (e) {
      failures.push(`${LABEL[name]}: ${e instanceof BackendUnavailable ? e.message : (e as Error).message}`);
      dropBackend(name);
    }
  }
  throw new BackendUnavailable('cpu', `no tfjs backend works here (${failures.join('; ')})`);
}

/** The active WebGPU device (only when the current backend is webgpu). */
export function currentGpuDevice(): GpuDeviceLike | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: GpuDeviceLike }).device;
}

/**
 * Drops a backend whose device was lost so that `selectBackend` can re-create it or move on.
 */
export function dropBackend(name: BackendName): void {
  if (tf.findBackendFactory(name)) tf.removeBackend(name);
}

export function backendLabel(name: BackendName): string {
  return LABEL[name];
}
