import { describe, expect, it } from 'vitest';
import { choiceReason, webglSoftwareRenderer, webgpuSoftwareRenderer } from './backend-choice';

describe('webgpuSoftwareRenderer', () => {
  it('Debian Chromium 156 with --enable-unsafe-webgpu on a machine without a GPU: SwiftShader', () => {
    // adapter.info as this Chromium reports it (requestAdapter({ powerPreference: 'high-performance' })).
    const info = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true };
    expect(webgpuSoftwareRenderer(info)).toBe('SwiftShader');
  });

  it('SwiftShader recognised by name even without the fallback flag', () => {
    expect(webgpuSoftwareRenderer({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe('SwiftShader');
  });

  it('Mesa llvmpipe / lavapipe through Vulkan', () => {
    expect(webgpuSoftwareRenderer({ vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('llvmpipe');
    expect(webgpuSoftwareRenderer({ vendor: 'mesa', architecture: '', device: 'lavapipe', description: '' })).toBe('lavapipe');
  });

  it('Windows WARP (D3D12 software adapter)', () => {
    expect(webgpuSoftwareRenderer({ vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' })).toBe(
      'Microsoft Basic Render Driver (WARP)',
    );
  });

  it('an unnamed software adapter is known by its fallback flag (on the info, or on the adapter in older Chromium)', () => {
    expect(webgpuSoftwareRenderer({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: true })).toBe('software fallback adapter');
    expect(webgpuSoftwareRenderer({ vendor: '', architecture: '', device: '', description: '' }, true)).toBe('software fallback adapter');
  });

  it('hardware adapters', () => {
    for (const info of [
      { vendor: 'apple', architecture: 'metal-3', device: '', description: '', isFallbackAdapter: false },
      { vendor: 'nvidia', architecture: 'ampere', device: '', description: '' },
      { vendor: 'intel', architecture: 'gen-12lp', device: '', description: '' },
      { vendor: 'amd', architecture: 'rdna-2', device: '', description: '' },
      { vendor: 'qualcomm', architecture: 'adreno-7xx', device: '', description: '' },
      { vendor: 'arm', architecture: 'valhall', device: '', description: '' },
      // Firefox and privacy modes: empty info, no flag -> not shown to be software.
      { vendor: '', architecture: '', device: '', description: '' },
    ]) {
      expect(webgpuSoftwareRenderer(info), JSON.stringify(info)).toBeNull();
    }
    expect(webgpuSoftwareRenderer(undefined)).toBeNull();
  });
});

describe('webglSoftwareRenderer', () => {
  it('software renderers', () => {
    const cases: Array<[string, string]> = [
      // Debian Chromium 156 headless (UNMASKED_RENDERER_WEBGL), with or without --enable-unsafe-webgpu.
      ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'SwiftShader'],
      // The same after tfjs built its context (src/worker/backend.ts webglRenderer()).
      ['WebGL 2: ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'SwiftShader'],
      ['Google SwiftShader', 'SwiftShader'],
      ['llvmpipe (LLVM 15.0.6, 256 bits)', 'llvmpipe'],
      ['ANGLE (Mesa, llvmpipe (LLVM 15.0.7, 256 bits), OpenGL 4.5)', 'llvmpipe'],
      ['ANGLE (Microsoft, Microsoft Basic Render Driver (0x0000008C) Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Microsoft Basic Render Driver (WARP)'],
      ['Apple Software Renderer', 'Apple Software Renderer'],
      ['Software Rasterizer', 'software renderer'],
    ];
    for (const [renderer, name] of cases) expect(webglSoftwareRenderer(renderer), renderer).toBe(name);
  });

  it('hardware renderers, masked and missing strings', () => {
    for (const renderer of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002504) Direct3D11 vs_5_0 ps_5_0, D3D11)',
      // "Mesa" alone is the driver stack of many real GPUs.
      'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      'ANGLE (AMD, AMD Radeon RX 6800 (radeonsi, navi21, LLVM 15.0.6, DRM 3.49, 6.1.0), OpenGL 4.6)',
      'ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)',
      'Adreno (TM) 650',
      'Mali-G78',
      'Apple GPU',
      'WebKit WebGL',
    ]) {
      expect(webglSoftwareRenderer(renderer), renderer).toBeNull();
    }
    expect(webglSoftwareRenderer(null)).toBeNull();
    expect(webglSoftwareRenderer('')).toBeNull();
  });
});

describe('choiceReason', () => {
  it('software WebGPU skipped for WebAssembly', () => {
    expect(choiceReason({ name: 'wasm', skipped: [{ backend: 'webgpu', renderer: 'SwiftShader' }], failures: [] })).toBe(
      'WebGPU adapter is a software fallback (SwiftShader), slower than WebAssembly here',
    );
  });

  it('software WebGPU and WebGL both skipped (Debian Chromium with --enable-unsafe-webgpu, no GPU)', () => {
    const reason = choiceReason({
      name: 'wasm',
      skipped: [
        { backend: 'webgpu', renderer: 'SwiftShader' },
        { backend: 'webgl', renderer: 'SwiftShader' },
      ],
      failures: [],
    });
    expect(reason).toBe('WebGPU adapter is a software fallback (SwiftShader); WebGL renderer is software (SwiftShader): both slower than WebAssembly here');
  });

  it('no WebGPU adapter, software WebGL (Chromium without the WebGPU flag)', () => {
    const reason = choiceReason({
      name: 'wasm',
      skipped: [{ backend: 'webgl', renderer: 'SwiftShader' }],
      failures: ['WebGPU: no WebGPU adapter'],
    });
    expect(reason).toBe('WebGPU: no WebGPU adapter; WebGL renderer is software (SwiftShader), slower than WebAssembly here');
  });

  it('hardware GPUs', () => {
    expect(choiceReason({ name: 'webgpu', skipped: [], failures: [] })).toBe('hardware WebGPU adapter');
    expect(choiceReason({ name: 'webgl', skipped: [], failures: ['WebGPU: no WebGPU adapter'] })).toBe('WebGPU: no WebGPU adapter; hardware WebGL renderer');
    expect(choiceReason({ name: 'webgl', skipped: [{ backend: 'webgpu', renderer: 'software fallback adapter' }], failures: [] })).toBe(
      'WebGPU adapter is a software fallback (software fallback adapter); hardware WebGL renderer',
    );
  });

  it('forced with ?backend=, software or not', () => {
    expect(choiceReason({ name: 'webgpu', requested: 'webgpu', software: 'SwiftShader', skipped: [], failures: [] })).toBe(
      'forced by ?backend=webgpu, although the WebGPU adapter is software (SwiftShader)',
    );
    expect(choiceReason({ name: 'webgl', requested: 'webgl', software: null, skipped: [], failures: [] })).toBe('forced by ?backend=webgl');
    expect(choiceReason({ name: 'cpu', requested: 'cpu', skipped: [], failures: [] })).toBe('forced by ?backend=cpu');
  });

  it('a forced backend that failed falls back to the automatic choice', () => {
    expect(
      choiceReason({ name: 'wasm', requested: 'webgpu', skipped: [{ backend: 'webgl', renderer: 'SwiftShader' }], failures: ['WebGPU: no WebGPU adapter'] }),
    ).toBe('WebGPU: no WebGPU adapter; WebGL renderer is software (SwiftShader), slower than WebAssembly here');
  });

  it('last resorts: CPU when WebAssembly fails, a software GPU when CPU fails too', () => {
    expect(
      choiceReason({
        name: 'webgpu',
        software: 'SwiftShader',
        skipped: [{ backend: 'webgpu', renderer: 'SwiftShader' }],
        failures: ['WebAssembly: initialisation failed', 'CPU: self-test failed'],
      }),
    ).toBe('WebAssembly: initialisation failed; CPU: self-test failed; WebGPU on a software adapter (SwiftShader): nothing else works here');
    expect(choiceReason({ name: 'cpu', skipped: [], failures: ['WebAssembly: initialisation failed'] })).toBe(
      'WebAssembly: initialisation failed; no faster backend works here',
    );
  });
});
