import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** Lists every emitted file in precache.json, which the app-shell service worker (public/sw.js) caches on install. */
function precacheList(): Plugin {
  return {
    name: 'drit-precache-list',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((f) => !f.endsWith('.map'));
      this.emitFile({ type: 'asset', fileName: 'precache.json', source: JSON.stringify(files) });
    },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [react(), precacheList(), ...(mode === 'e2e' ? [e2ePacks()] : [])],
  // In test mode no hot reload: other people's edits must not reload a page in the middle of a test.
  server: { headers: ISOLATION_HEADERS, ...(mode === 'e2e' ? { hmr: false, watch: { ignored: ['**/*'] } } : {}) },
  preview: { headers: ISOLATION_HEADERS },
  worker: {
    format: 'es',
    // The wasm backend starts its pthreads from the *source text* of its Emscripten factory
    // (Function.prototype.toString); minifying renames what that text refers to ("e is not
    // defined" in every thread). Keep the worker bundle unminified.
    rolldownOptions: { output: { minify: 'dce-only' } },
  },
  optimizeDeps: {
    // Scan the worker too, so that the dev server does not discover its dependencies late and
    // reload the page.
    entries: ['index.html', 'src/worker/worker.ts'],
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      'comlink',
      'fflate',
      'react',
      'react-dom',
      'react-dom/client',
      'react/jsx-runtime',
      'react/jsx-dev-runtime',
      'zustand',
    ],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
}));
