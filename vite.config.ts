import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { minifySync } from 'rolldown/utils';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** Cross-origin isolation: needed for SharedArrayBuffer (wasm threads). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const E2E_PACKS = resolve(import.meta.dirname, 'e2e/.packs');

/**
 * Test mode only (`vite --mode e2e`): serves the small model packs that Playwright's global
 * setup writes to e2e/.packs under /e2e-packs/, and lists them (from e2e/.packs/index.json) in
 * /models/index.json next to the shipped models. Nothing of this exists in dev or production.
 */
function e2ePacks(): Plugin {
  const send = (res: ServerResponse, status: number, type: string, body: Buffer | string): void => {
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    res.setHeader('Cache-Control', 'no-store');
    res.end(body);
  };
  const middleware = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/models/index.json') {
      const shipped = JSON.parse(readFileSync(resolve(import.meta.dirname, 'public/models/index.json'), 'utf8')) as {
        default?: string;
        models: unknown[];
      };
      const extraPath = join(E2E_PACKS, 'index.json');
      const extra = existsSync(extraPath) ? (JSON.parse(readFileSync(extraPath, 'utf8')) as { models: unknown[] }).models : [];
      send(res, 200, 'application/json', JSON.stringify({ ...shipped, models: [...shipped.models, ...extra] }));
      return;
    }
    if (url.pathname.startsWith('/e2e-packs/')) {
      const rel = normalize(decodeURIComponent(url.pathname.slice('/e2e-packs/'.length)));
      const file = join(E2E_PACKS, rel);
      if (rel.startsWith('..') || !file.startsWith(E2E_PACKS) || !existsSync(file) || !statSync(file).isFile()) {
        send(res, 404, 'text/plain', 'not found');
        return;
      }
      send(res, 200, file.endsWith('.json') ? 'application/json' : 'application/octet-stream', readFileSync(file));
      return;
    }
    next();
  };
  return {
    name: 'drit-e2e-packs',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}

/**
 * Emits the app-shell service worker (src/app/service-worker.js) as sw.js with BUILD_ID (a hash of
 * every emitted file's content and of the shipped example photos) and PRECACHE (those files) in
 * front: each deploy that changes anything changes sw.js, so browsers install it and drop the old
 * cache (see the worker's header).
 */
/**
 * DRIT_BUILD_SALT (tests: two deploys of the same code) marks a build as different: it goes into
 * BUILD_ID and into index.html as <meta name="drit-build-salt">. Unset in real builds.
 */
const BUILD_SALT = process.env.DRIT_BUILD_SALT ?? '';

/** The wasm backend's Emscripten factories: their source text starts the wasm threads. */
const WASM_FACTORY = /tfjs-backend-wasm[\\/]wasm-out[\\/]/;

/**
 * Minifies the worker's chunks: fully (compress + mangle), except the chunk holding the wasm
 * backend's Emscripten factories, which starts its threads from the factory's source text
 * (Function.prototype.toString): renaming ("e is not defined" in every thread) or compressing
 * ("_scriptDir is not defined") what that text refers to breaks them (both seen in the production
 * e2e test), so that chunk only loses its whitespace.
 */
function minifyWorkerChunks(): Plugin {
  return {
    name: 'drit-minify-worker-chunks',
    apply: 'build',
    renderChunk(code, chunk) {
      const factory = chunk.moduleIds.some((id) => WASM_FACTORY.test(id));
      const options = factory
        ? { compress: false, mangle: false, codegen: { removeWhitespace: true } }
        : { compress: { target: 'es2022' as const }, mangle: true, codegen: { removeWhitespace: true } };
      const out = minifySync(chunk.fileName, code, { module: true, ...options });
      if (out.errors.length > 0) throw new Error(`minifying ${chunk.fileName}: ${out.errors.map((e) => e.message).join('; ')}`);
      return { code: out.code, map: null };
    },
  };
}

function serviceWorker(): Plugin {
  const examples = resolve(import.meta.dirname, 'public/examples');
  return {
    name: 'drit-service-worker',
    apply: 'build',
    transformIndexHtml(html) {
      return BUILD_SALT ? html.replace('</head>', `  <meta name="drit-build-salt" content="${BUILD_SALT.replace(/[^\w.-]/g, '')}">\n  </head>`) : html;
    },
    generateBundle(_options, bundle) {
      const hash = createHash('sha256');
      const files: string[] = [];
      for (const name of Object.keys(bundle).sort()) {
        if (name.endsWith('.map')) continue;
        const item = bundle[name]!;
        files.push(name);
        hash.update(name).update(item.type === 'chunk' ? item.code : item.source);
      }
      if (existsSync(examples)) {
        for (const f of readdirSync(examples).sort()) {
          if (!/\.(png|jpe?g|webp)$/i.test(f)) continue;
          files.push(`examples/${f}`);
          hash.update(f).update(readFileSync(join(examples, f)));
        }
      }
      const template = readFileSync(resolve(import.meta.dirname, 'src/app/service-worker.js'), 'utf8');
      hash.update(template).update(BUILD_SALT);
      const id = hash.digest('hex').slice(0, 16);
      const head = `const BUILD_ID = ${JSON.stringify(id)};\nconst PRECACHE = ${JSON.stringify(files)};\n`;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: head + template });
    },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [react(), serviceWorker(), ...(mode === 'e2e' ? [e2ePacks()] : [])],
  // In test mode no hot reload: other people's edits must not reload a page in the middle of a test.
  server: { headers: ISOLATION_HEADERS, ...(mode === 'e2e' ? { hmr: false, watch: { ignored: ['**/*'] } } : {}) },
  preview: { headers: ISOLATION_HEADERS },
  worker: {
    format: 'es',
    // The wasm backend starts its pthreads from the *source text* of its Emscripten factory
    // (Function.prototype.toString): renaming (mangle: "e is not defined" in every thread) or
    // compressing ("_scriptDir is not defined") what that text refers to breaks them, both seen in
    // the production e2e test. Whitespace removal alone keeps every name: 3.91 -> 3.12 MB (gzip
    // 612 -> 461 kB).
    // So the wasm backend's Emscripten factories go to a chunk of their own, kept as they are
    // (whitespace removed), and everything else is fully minified (minifyWorkerChunks).
    plugins: () => [minifyWorkerChunks()],
    rolldownOptions: {
      output: {
        minify: false,
        codeSplitting: { groups: [{ name: 'wasm-factory', test: WASM_FACTORY }] },
      },
    },
  },
  optimizeDeps: {
    // Scan the worker too, so that the dev server does not discover its dependencies late and
    // reload the page.
    entries: ['index.html', 'src/worker/worker.ts'],
    include: [
      // The worker's tfjs (src/worker/tfjs/bundle.ts); the scan finds the kernel modules it imports.
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu/dist/base',
      '@tensorflow/tfjs-backend-webgl/dist/base',
      '@tensorflow/tfjs-backend-webgpu/dist/base',
      '@tensorflow/tfjs-backend-wasm/dist/base',
      'comlink',
      'fflate',
      'react',
      'react-dom',
      'react-dom/client',
      'react/jsx-runtime',
      'react/jsx-dev-runtime',
      'zustand',
      // Imported lazily (src/export/mux.ts, on the first video export): found late, it made the dev
      // server re-optimise mid-session and answer the import with 504 "Outdated Optimize Dep"
      // (seen in an e2e run right after `npm ci` emptied the optimiser cache).
      'mediabunny',
    ],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
}));
