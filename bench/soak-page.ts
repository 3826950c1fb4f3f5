/**
 * What the soak CLIs share (bench/soak.ts, bench/soak-heap.ts): the test packs, a dev
 * (`vite --mode e2e`) or production (`vite build` + `vite preview --mode e2e`) server, Chromium
 * with the fake camera, and the page on the tiny test model with the soak's counters installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { asset } from '../e2e/assets';
import globalSetup from '../e2e/global-setup';
import { REPO, launchChromium } from './browser';
import { INSTRUMENT_SCRIPT, type SoakOptions } from './soak-visit';

export interface SoakPage {
  page: Page;
  browser: Browser;
  base: string;
  adapter: string;
  /** Requests that left the page's origin (blob: and data: URLs aside). */
  foreign: string[];
  close(): Promise<void>;
}

function fail(msg: string): never {
  console.error(`soak: ${msg}`);
  process.exit(2);
}

async function waitForServer(base: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) fail(`the server exited (${server.exitCode})`);
    try {
      if ((await fetch(base)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`no server at ${base}`);
}

/** Serves the app, opens it in Chromium on `backend` and waits for the tiny model. Exits 2 when it cannot. `chromiumArgs`: more command-line flags. */
export async function openSoakPage(backend: string, build: string, port: number, chromiumArgs: string[] = []): Promise<SoakPage> {
  if (backend !== 'wasm' && backend !== 'webgpu') fail('--backend is wasm or webgpu');
  if (build !== 'dev' && build !== 'prod') fail('--build is dev or prod');
  // The test packs and inputs (written by the browser suite's setup; made here when missing).
  if (!existsSync(join(REPO, 'e2e/.packs/index.json')) || !existsSync(asset('chelsea.y4m'))) await globalSetup();
  let server: ChildProcess;
  if (build === 'prod') {
    const dist = join(REPO, '.cache', 'soak', `dist-${port}`);
    const b = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
    if (b.status !== 0) fail('vite build failed');
    server = spawn('npx', ['vite', 'preview', '--mode', 'e2e', '--outDir', dist, '--port', String(port), '--strictPort'], { cwd: REPO, stdio: 'ignore', detached: true });
  } else {
    server = spawn('npx', ['vite', '--mode', 'e2e', '--port', String(port), '--strictPort'], { cwd: REPO, stdio: 'ignore', detached: true });
  }
  const stopServer = () => server.pid && process.kill(-server.pid);
  const base = `http://localhost:${port}/`;
  const browser = await launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${asset('chelsea.y4m')}`,
    '--enable-blink-features=ForceEagerMeasureMemory',
    ...chromiumArgs,
  ]);
  const close = async () => {
    await browser.close();
    stopServer();
  };
  try {
    await waitForServer(base, server);
    const context = await browser.newContext({ permissions: ['camera'], acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const foreign: string[] = [];
    context.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== new URL(base).origin) foreign.push(u);
    });
    await context.addInitScript({ content: INSTRUMENT_SCRIPT });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    await page.goto(`${base}?model=tiny&backend=${backend}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=model-name]')?.textContent?.startsWith('Tiny test model (concat 0)'), null, { timeout: 600_000 });
    const shown = await page.getByTestId('backend').textContent();
    if (shown !== backend) throw new Error(`the page runs on ${shown}, not ${backend}`);
    const adapter = (await page.getByTestId('adapter').textContent()) ?? '';
    return { page, browser, base, adapter, foreign, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The soak's models and files (the tiny test models, the test photos, a checkpoint that converts in seconds). */
export function soakInputs(): Pick<SoakOptions, 'models' | 'files'> {
  return {
    models: [
      { id: 'tiny', name: 'Tiny test model (concat 0)' },
      { id: 'tiny-c1', name: 'Tiny test model (concat 1)' },
    ],
    files: { photos: [asset('cat.png'), asset('cat2.png'), asset('cat.jpg')], references: [asset('dog.png'), asset('cat2.png')], pth: join(REPO, 'fixtures/c1/checkpoint_zip.pth') },
  };
}
