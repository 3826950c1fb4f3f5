/**
 * The automatic backend choice as pure functions (src/worker/backend.ts does the probing):
 * recognising a software GPU (SwiftShader, llvmpipe, WARP, …) from WebGPU adapter info or a WebGL
 * renderer string, and the one-line reason the perf readout shows. A software GPU is skipped in
 * favour of WebAssembly, which is several times faster on the same CPU (docs/benchmarks.md).
 */
import type { BackendName } from './protocol';

/** The fields of a WebGPU `GPUAdapterInfo` we read (all optional: browsers fill them unevenly). */
export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Chromium ≥ 131 reports it on the info; earlier on the adapter itself. */
  isFallbackAdapter?: boolean;
}

/** Known software rasterisers, by a pattern over the adapter / renderer strings and a display name. */
const SOFTWARE: ReadonlyArray<readonly [RegExp, string]> = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render driver/i, 'Microsoft Basic Render Driver (WARP)'],
  [/apple software renderer/i, 'Apple Software Renderer'],
  [/\bsoftware\b/i, 'software renderer'],
];

function softwareName(text: string): string | null {
  for (const [re, name] of SOFTWARE) if (re.test(text)) return name;
  return null;
}

/**
 * The name of the software rasteriser behind a WebGPU adapter, or null for a hardware adapter.
 * `adapterIsFallback` is the older `adapter.isFallbackAdapter` flag.
 */
export function webgpuSoftwareRenderer(info: GpuAdapterInfoLike | undefined, adapterIsFallback = false): string | null {
  const text = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ');
  const named = softwareName(text);
  if (named) return named;
  if (info?.isFallbackAdapter || adapterIsFallback) return 'software fallback adapter';
  return null;
}

/**
 * The name of the software rasteriser behind a WebGL renderer string (the unmasked
 * `UNMASKED_RENDERER_WEBGL` where the browser offers it), or null when it looks like hardware or
 * says nothing (a masked "WebKit WebGL" is not taken as software).
 */
export function webglSoftwareRenderer(renderer: string | null | undefined): string | null {
  return renderer ? softwareName(renderer) : null;
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

export function backendLabel(name: BackendName): string {
  return LABEL[name];
}

/** A GPU backend the automatic choice passed over because it renders in software. */
export interface SoftwareSkip {
  backend: 'webgpu' | 'webgl';
  /** e.g. 'SwiftShader' */
  renderer: string;
}

export function softwareNote(s: SoftwareSkip): string {
  return s.backend === 'webgpu' ? `WebGPU adapter is a software fallback (${s.renderer})` : `WebGL renderer is software (${s.renderer})`;
}

export interface ChoiceFacts {
  /** The backend that runs. */
  name: BackendName;
  /** The backend asked for with `?backend=`, if any. */
  requested?: BackendName;
  /** The software rasteriser of the running backend, when it is a GPU backend on one. */
  software?: string | null;
  /** GPU backends skipped because they render in software. */
  skipped: readonly SoftwareSkip[];
  /** "Label: why" for each backend that was tried (or probed) and failed. */
  failures: readonly string[];
}

/**
 * Why `name` runs, in one line for the perf readout, e.g. "WebGPU adapter is a software fallback
 * (SwiftShader), slower than WebAssembly here".
 */
export function choiceReason(f: ChoiceFacts): string {
  const label = LABEL[f.name];
  const gpu = f.name === 'webgpu' || f.name === 'webgl';
  const what = f.name === 'webgpu' ? 'adapter' : 'renderer';
  if (f.requested === f.name) {
    const forced = `forced by ?backend=${f.name}`;
    return gpu && f.software ? `${forced}, although the ${label} ${what} is software (${f.software})` : forced;
  }
  const parts = [...f.failures];
  const skipped = f.skipped.filter((s) => s.backend !== f.name).map(softwareNote);
  if (skipped.length > 0) {
    const slower = f.name === 'wasm' ? (skipped.length === 1 ? ', slower than WebAssembly here' : ': both slower than WebAssembly here') : '';
    parts.push(skipped.join('; ') + slower);
  }
  if (gpu && f.software) parts.push(`${label} on a software ${what} (${f.software}): nothing else works here`);
  else if (gpu) parts.push(`hardware ${label} ${what}`);
  else if (f.name === 'cpu') parts.push('no faster backend works here');
  return parts.join('; ') || `${label} is the first backend that works here`;
}
