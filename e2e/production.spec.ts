/**
 * The production build (`vite build` + `vite preview`, COOP/COEP headers) with the tiny pack:
 * bundling must not break the worker, WebGPU, or the wasm backend's threads, and the test hooks
 * (`window.__drit`, the worker's test methods and call counters) must not ship. Without
 * `window.__drit` these tests watch the page itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ROOT, asset } from './assets';
import { PROD_BASE, canvasSpread, logErrors, watchOrigin } from './helpers';

/** The build the preview server serves (playwright.config.ts). */
const DIST = join(ROOT, process.env.E2E_PROD_DIST ?? 'e2e/.packs/dist');
/** Names that exist only in the test hooks (src/app/main.tsx, src/worker/test-hooks.ts). */
const HOOK_NAMES = ['__drit', 'crashForTesting', 'loseDeviceForTesting', 'generateCalls', 'lastBatch', 'simulated worker crash'];

/** The model is loaded: selected, named in the readout, no load in progress. */
async function waitForModel(page: Page, id: string): Promise<void> {
  await expect(page.getByTestId('model-select')).toHaveValue(id);
  await expect(page.getByTestId('model-name')).toBeAttached();
  await expect(page.getByTestId('load-progress')).toBeHidden();
}

/** Runs `action` and waits for a new output render after it (the readout's render count). */
async function afterRender(page: Page, action: () => Promise<unknown>): Promise<void> {
  const count = async (): Promise<number> => Number(await page.getByTestId('renders').textContent());
  const before = await count();
  await action();
  await expect.poll(count).toBeGreaterThan(before);
  await expect(page.getByTestId('rendering')).toBeHidden();
  await expect(page.getByTestId('output')).not.toHaveAttribute('data-empty');
}

test('the production build ships no test hooks', async ({ page }) => {
  const js = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js'));
  expect(js.length).toBeGreaterThan(0);
  const found = js.flatMap((f) => {
    const text = readFileSync(join(DIST, 'assets', f), 'utf8');
    return HOOK_NAMES.filter((n) => text.includes(n)).map((n) => `${f}: ${n}`);
  });
  expect(found).toEqual([]);
  await page.goto('/?model=tiny');
  await waitForModel(page, 'tiny');
  expect(await page.evaluate(() => typeof window.__drit)).toBe('undefined');
});

for (const backend of ['webgpu', 'wasm'] as const) {
  test(`production build translates on ${backend}`, async ({ page, context }) => {
    const watch = watchOrigin(context, PROD_BASE);
    logErrors(page);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`/?backend=${backend}&model=tiny`);
    await waitForModel(page, 'tiny');
    await expect(page.getByTestId('backend')).toHaveText(backend);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
    expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
    await expect(page.getByTestId('error')).toBeHidden();
    expect(errors).toEqual([]);
    expect(watch.foreign).toEqual([]);
  });
}

test('second visit works offline (service worker + cached weights)', async ({ page, context }) => {
  logErrors(page);
  await page.goto('/?model=tiny');
  await waitForModel(page, 'tiny');
  // Wait until the service worker controls the page (it precaches the app shell on install).
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return !!reg?.active && !!navigator.serviceWorker.controller;
  });
  await context.setOffline(true);
  try {
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.reload();
    await waitForModel(page, 'tiny');
    await expect(page.getByTestId('model-name')).toContainText('(cached)');
    // The page came from the service worker, the weights from the pack cache.
    expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
    expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
    // Only the network-first manifest fetch fails (the worker then uses the cached one).
    expect(failed.filter((u) => !u.endsWith('/manifest.json'))).toEqual([]);
  } finally {
    await context.setOffline(false);
  }
});

test('a new deploy replaces the cached app and deletes the old cache', async ({ page, context }) => {
  logErrors(page);
  const shellCaches = (): Promise<string[]> => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('drit-app-shell-')));
  await page.goto('/?model=tiny');
  await waitForModel(page, 'tiny');
  await page.waitForFunction(async () => !!(await navigator.serviceWorker.getRegistration())?.active && !!navigator.serviceWorker.controller);
  const before = await shellCaches();
  expect(before).toHaveLength(1);
  expect(await page.locator('meta[name="drit-build-salt"]').count()).toBe(0);

  // Deploy a second build over the folder the server serves (same code, marked as another build).
  execFileSync('npx', ['vite', 'build', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, DRIT_BUILD_SALT: 'second-deploy' },
    stdio: 'pipe',
  });
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
  // The new worker precaches the new build into its own cache and, once active, deletes the old one.
  await expect.poll(shellCaches).toEqual([expect.not.stringMatching(before[0]!)]);

  // Offline, the page now comes from the second build.
  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.locator('meta[name="drit-build-salt"]')).toHaveAttribute('content', 'second-deploy');
    await expect(page.getByTestId('model-select')).toBeVisible();
  } finally {
    await context.setOffline(false);
  }
});
