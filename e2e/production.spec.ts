/**
 * The production build (`vite build` + `vite preview`, COOP/COEP headers) with the tiny pack:
 * bundling must not break the worker, WebGPU, or the wasm backend's threads.
 */
import { expect, test } from '@playwright/test';
import { asset } from './assets';
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
