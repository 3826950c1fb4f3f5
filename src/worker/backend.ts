/**
 * tfjs backend selection inside the worker. The automatic choice: a hardware WebGPU adapter, then
 * hardware WebGL, else WebAssembly, then CPU. A GPU backend that renders in software (SwiftShader,
 * llvmpipe, …; ./backend-choice.ts) is skipped: WebAssembly is several times faster on the same CPU
 * (docs/benchmarks.md); it is only tried when neither WebAssembly nor the CPU backend works.
 * A forced backend (URL `?backend=`) is tried first, software or not. Whatever was skipped or
 * failed is reported so the UI can say which backend runs and why. The wasm binaries are served
 * by our own origin.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core, the four backends and only the kernels the networks use (./tfjs/bundle.ts).
import { missingKernels, setWasmPaths } from './tfjs/bundle';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  backendLabel,
  choiceReason,
  webglSoftwareRenderer,
  webgpuSoftwareRenderer,
  type GpuAdapterInfoLike,
  type SoftwareSkip,
} from './backend-choice';
import { BACKEND_ORDER, type BackendName, type BackendStatus } from './protocol';

export { backendLabel };

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** Minimal WebGPU shapes we touch (the DOM lib of TypeScript 5.9 has no WebGPU types). */
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

function describeAdapter(info: GpuAdapterInfoLike | undefined, software: string | null): string {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const uniq = [...new Set(parts)];
  const text = uniq.join(' / ') || 'unknown GPU adapter';
  return software ? `${text} (software: ${software})` : text;
}

/** What a probe learnt about a GPU backend before it is activated. */
interface GpuProbe {
  /** Shown as the adapter in the perf readout. */
  adapter: string;
  /** The software rasteriser's name, or null for hardware (or unknown). */
  software: string | null;
}

async function probeWebgpu(): Promise<GpuProbe> {
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
  const software = webgpuSoftwareRenderer(adapter.info, adapter.isFallbackAdapter ?? false);
  return { adapter: describeAdapter(adapter.info, software), software };
}

/**
 * The WebGL renderer of a throw-away OffscreenCanvas context, read before tfjs creates its own, so
 * that a software renderer can be skipped without building the backend. Null when it cannot be read.
 */
function probeWebglRenderer(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGL2RenderingContext | WebGLRenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return null;
  }
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

function requireKernels(name: BackendName): void {
  const missing = missingKernels(name);
  if (missing.length > 0) throw new BackendUnavailable(name, `this build lacks the kernels ${missing.join(', ')} (src/worker/tfjs/kernel-list.ts)`);
}

/**
 * Activates `name` (a WebGPU adapter already probed may be passed in); returns the adapter
 * description and, for a GPU backend on a software rasteriser, its name.
 */
async function activate(name: BackendName, probed?: GpuProbe): Promise<GpuProbe> {
  requireKernels(name);
  let gpu: GpuProbe = { adapter: '', software: null };
  if (name === 'webgpu') gpu = probed ?? (await probeWebgpu());
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
  if (name === 'webgl') {
    const renderer = webglRenderer();
    gpu = { adapter: renderer, software: webglSoftwareRenderer(renderer) };
  } else if (name === 'wasm') gpu = { adapter: await wasmDescription(), software: null };
  else if (name === 'cpu') gpu = { adapter: 'plain JavaScript (slow)', software: null };
  return gpu;
}

/** Checks a GPU backend before activation: its software rasteriser, or null for hardware. */
async function probeGpu(name: 'webgpu' | 'webgl'): Promise<GpuProbe> {
  requireKernels(name);
  if (name === 'webgpu') return probeWebgpu();
  const renderer = probeWebglRenderer();
  return { adapter: renderer ?? 'WebGL', software: webglSoftwareRenderer(renderer) };
}

function failure(name: BackendName, e: unknown): string {
  return `${backendLabel(name)}: ${e instanceof BackendUnavailable ? e.message : (e as Error).message}`;
}

/**
 * Activates the backend to run on: `requested` (if any) first, software or not; then the automatic
 * order (BACKEND_ORDER) with software GPU backends skipped, and tried again only when neither
 * WebAssembly nor CPU works (on SwiftShader WebGPU is even slower than the CPU backend). `exclude` lists backends known to be broken (e.g. a lost device). The status carries
 * the reason for the choice (`reason`) and, when something failed, `fallbackReason`.
 */
export async function selectBackend(requested?: BackendName, exclude: readonly BackendName[] = []): Promise<BackendStatus> {
  const failures: string[] = [];
  const skipped: SoftwareSkip[] = [];
  const finish = (name: BackendName, { adapter, software }: GpuProbe): BackendStatus => {
    const status: BackendStatus = { name, adapter, reason: choiceReason({ name, requested, software, skipped, failures }) };
    if (requested) status.requested = requested;
    if (failures.length) status.fallbackReason = failures.join('; ');
    return status;
  };
  const tryActivate = async (name: BackendName, probed?: GpuProbe): Promise<GpuProbe | null> => {
    try {
      return await activate(name, probed);
    } catch (e) {
      failures.push(failure(name, e));
      dropBackend(name);
      return null;
    }
  };

  if (requested && !exclude.includes(requested)) {
    const active = await tryActivate(requested);
    if (active) return finish(requested, active);
  }
  for (const name of BACKEND_ORDER) {
    if (exclude.includes(name) || name === requested) continue;
    let probed: GpuProbe | undefined;
    if (name === 'webgpu' || name === 'webgl') {
      try {
        probed = await probeGpu(name);
      } catch (e) {
        failures.push(failure(name, e));
        continue;
      }
      if (probed.software) {
        skipped.push({ backend: name, renderer: probed.software });
        continue;
      }
    }
    const active = await tryActivate(name, name === 'webgpu' ? probed : undefined);
    if (active && (name === 'webgpu' || name === 'webgl') && active.software) {
      // The probe could not tell (no OffscreenCanvas renderer string); the live context can.
      dropBackend(name);
      skipped.push({ backend: name, renderer: active.software });
      continue;
    }
    if (active) return finish(name, active);
  }
  // Neither WebAssembly nor CPU works: a software GPU is better than nothing.
  for (const s of [...skipped]) {
    const active = await tryActivate(s.backend);
    if (active) return finish(s.backend, active);
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
