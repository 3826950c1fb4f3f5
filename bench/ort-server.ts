/**
 * A static server for the ONNX Runtime Web cold-start page (bench/ort-page): the page, onnxruntime-web's
 * own files from node_modules (no CDN), one model's ONNX export and the input image, all from one
 * origin, with the cross-origin isolation headers the app's server sends (wasm threads need them)
 * and an hour of HTTP caching (the cached second visit).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { REPO } from './browser';

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.onnx': 'application/octet-stream', '.png': 'image/png',
};

/** Serves `/` (the page), `/ort/*` (onnxruntime-web dist), `/models/*` (onnxDir) and `/image.png`. */
export function serveOrtPage(port: number, onnxDir: string, image: string): Promise<{ base: string; stop(): void }> {
  const roots: [string, string][] = [['/ort/', join(REPO, 'node_modules', 'onnxruntime-web', 'dist')], ['/models/', onnxDir], ['/', join(REPO, 'bench', 'ort-page')]];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let file: string | undefined;
    if (path === '/image.png') file = image;
    else {
      const [prefix, dir] = roots.find(([p]) => path.startsWith(p))!;
      const rel = normalize(path.slice(prefix.length) || 'index.html');
      if (!rel.startsWith('..')) file = join(dir, rel);
    }
    if (!file || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'max-age=3600',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${port}/`, stop: () => server.close() })));
}
