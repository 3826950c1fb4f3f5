/**
 * The production build (`vite build` + `vite preview`, COOP/COEP headers) with the tiny pack:
 * bundling must not break the worker, WebGPU, or the wasm backend's threads.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { ROOT, asset } from './assets';
import { PROD_BASE, afterRender, canvasSpread, logErrors, waitForModel, watchOrigin } from './helpers';

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
  execFileSync('npx', ['vite', 'build', '--mode', 'e2e', '--outDir', 'e2e/.packs/dist', '--emptyOutDir', '--logLevel', 'warn'], {
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
