/** Shared by the browser benchmarks: the production build served by `vite preview`, and Debian's Chromium. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';

export const REPO = join(import.meta.dirname, '..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * Builds (unless `build` is false) and serves the production app; returns its URL and a stop function.
 * `outDir`: the build folder (vite's default `dist` unless given).
 */
export async function servePreview(port: number, build: boolean, outDir?: string): Promise<{ base: string; stop(): void }> {
  const dir = outDir ? ['--outDir', outDir] : [];
  if (build) {
    // Mode 'benchmark': the production build (minified, same chunks) plus the page's `window.__drit` state
    // hook the benchmarks read, which mode 'production' leaves out (src/app/main.tsx).
    const b = spawnSync('npx', ['vite', 'build', '--mode', 'benchmark', '--logLevel', 'warn', ...dir, ...(outDir ? ['--emptyOutDir'] : [])], { cwd: REPO, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', ...dir], { cwd: REPO, stdio: 'ignore', detached: true });
  const base = `http://localhost:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { base, stop: () => server.pid && process.kill(-server.pid) };
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
