/**
 * The library build (`npm run build:lib`, src/lib/): two ES module builds of src/lib/index.ts.
 *  - `--mode node` -> dist-lib/node/: the dependencies stay imports (npm installs them with the
 *    package); Node-only code (pack folders, PNG/JPEG decoding, backends) loads lazily.
 *  - `--mode browser` -> dist-lib/browser/: self-contained (tfjs with only the kernels DRIT uses,
 *    src/worker/tfjs/bundle.ts), so a page can import it without a bundler; src/lib/platform.ts is
 *    replaced by platform-browser.ts (no Node code), and the wasm backend's binaries are copied to
 *    dist-lib/browser/wasm/.
 * Types: tsconfig.lib.json emits the declarations into dist-lib/types/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

function wasmBinaries(): Plugin {
  return {
    name: 'drit-lib-wasm-binaries',
    generateBundle() {
      const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      for (const f of WASM_FILES) this.emitFile({ type: 'asset', fileName: `wasm/${f}`, source: readFileSync(join(dist, f)) });
    },
  };
}

/** In the browser build, './platform' (Node code) resolves to './platform-browser'. */
function browserPlatform(): Plugin {
  const platform = resolve(import.meta.dirname, 'src/lib/platform.ts');
  return {
    name: 'drit-lib-browser-platform',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      const r = await this.resolve(source, importer, { ...options, skipSelf: true });
      return r?.id === platform ? resolve(import.meta.dirname, 'src/lib/platform-browser.ts') : r;
    },
  };
}

export default defineConfig(({ mode }) => {
  const browser = mode === 'browser';
  if (!browser && mode !== 'node') throw new Error(`vite.lib.config.ts: --mode node or --mode browser, not '${mode}'`);
  return {
    publicDir: false,
    plugins: browser ? [browserPlatform(), wasmBinaries()] : [],
    define: browser ? { 'import.meta.env.MODE': JSON.stringify('production') } : {},
    build: {
      target: 'es2022',
      outDir: `dist-lib/${mode}`,
      emptyOutDir: true,
      minify: false,
      sourcemap: false,
      lib: { entry: resolve(import.meta.dirname, 'src/lib/index.ts'), formats: ['es'], fileName: 'index' },
      rolldownOptions: {
        // Node: every package (and node:*) stays an import; browser: everything is bundled.
        external: browser ? [] : (id: string) => /^(node:|[@a-z])/.test(id) && !id.startsWith('\0'),
      },
    },
  };
});
