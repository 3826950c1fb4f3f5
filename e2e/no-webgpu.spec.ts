/**
 * Chromium launched WITHOUT --enable-unsafe-webgpu (project 'no-webgpu'): there is no WebGPU
 * adapter, so the app must run on the next backend and tell the user why.
 */
import { expect, test } from '@playwright/test';
import { asset } from './assets';
import { afterRender, canvasSpread, logErrors, waitForModel, watchOrigin } from './helpers';

test('no WebGPU: runs on the fallback backend with a notice', async ({ page, context }) => {
  const watch = watchOrigin(context);
  logErrors(page);
  await page.goto('/?model=tiny');
  await waitForModel(page, 'tiny');
  const backend = await page.getByTestId('backend').textContent();
  expect(['webgl', 'wasm', 'cpu']).toContain(backend);
  await expect(page.getByTestId('backend-notice')).toContainText(`Running on ${backend}`);
  await expect(page.getByTestId('backend-notice')).toContainText('WebGPU');
  // The perf readout gives the whole reason (here also that WebGL is SwiftShader, i.e. software).
  await expect(page.getByTestId('backend-reason')).toContainText('WebGPU');
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  await expect(page.getByTestId('error')).toBeHidden();
  expect(watch.foreign).toEqual([]);
});
