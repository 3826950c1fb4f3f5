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
