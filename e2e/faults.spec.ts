/**
 * Bad input and faults: each one gets a clear, specific message in the `error` area and the page
 * stays usable (checked by translating a good image afterwards). Real files throughout.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { asset } from './assets';
import { afterRender, canvasSpread, dropFiles, logErrors, shareTinyModelPage, waitForModel, waitIdle } from './helpers';

let context: BrowserContext;
let page: Page;
shareTinyModelPage((opened) => ({ context, page } = opened));

/** The page still translates: a fresh good image renders. */
async function stillWorks(): Promise<void> {
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat2.png')));
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  // afterRender can be satisfied by a render the previous step left in flight (e.g. the model load
  // re-rendering the old photo) before cat.png is even decoded; wait for cat.png's own output
  await expect.poll(() => page.evaluate(() => window.__drit!.state().content?.name)).toBe('cat.png');
  await expect.poll(() => canvasSpread(page, 'output')).toBeGreaterThan(1);
  await expect(page.getByTestId('error')).toBeHidden();
}

test('a file that is not an image', async () => {
  await page.getByTestId('content-input').setInputFiles(asset('not-an-image.jpg'));
  await expect(page.getByTestId('error')).toBeVisible();
  await expect(page.getByTestId('error')).toContainText('“not-an-image.jpg” is not an image');
  // The previous image and result stay.
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  await stillWorks();
});

test('a corrupt JPEG', async () => {
  await dropFiles(page, '[data-testid=content-drop]', [asset('corrupt.jpg')]);
  await expect(page.getByTestId('error')).toContainText('“corrupt.jpg” could not be decoded');
  await expect(page.getByTestId('error')).toContainText('JPEG');
  await stillWorks();
});

test('a 20000 × 20000 image is refused without decoding it; the tab survives', async () => {
  await page.getByTestId('content-input').setInputFiles(asset('huge-20000x20000.png'));
  await expect(page.getByTestId('error')).toContainText('20000 × 20000');
  await expect(page.getByTestId('error')).toContainText('limit is 50 MP');
  await stillWorks();
});

test('a very wide image is downscaled with a notice', async () => {
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('wide-6000x500.png')));
  await expect(page.getByTestId('notice')).toContainText('6000 × 500');
  await expect(page.getByTestId('notice')).toContainText('downscaled to 4096 × 341');
  await expect(page.getByTestId('error')).toBeHidden();
  await stillWorks();
});

test('a reference that is not an image', async () => {
  await page.getByTestId('reference-input').setInputFiles(asset('not-an-image.jpg'));
  await expect(page.getByTestId('error')).toContainText('is not an image');
  await page.getByTestId('mode-sample').click();
  await stillWorks();
});

for (const [file, message] of [
  ['garbage.pth', /not a usable DRIT checkpoint/],
  ['not-drit.pth', /not a usable DRIT checkpoint/],
  ['evil.pth', /os\.system/],
] as const) {
  test(`a .pth that must be refused: ${file}`, async () => {
    await page.getByTestId('model-input').setInputFiles(asset(file));
    await expect(page.getByTestId('error')).toContainText(message);
    await expect(page.getByTestId('error')).toContainText(file.replace('.pth', ''));
    // Nothing was added to the model list and the current model still runs.
    await expect(page.getByTestId('model-select').locator('option', { hasText: 'converted here' })).toHaveCount(0);
    await expect(page.getByTestId('model-select')).toHaveValue('tiny');
    await stillWorks();
  });
}

test('a model shard whose bytes do not match its sha256', async () => {
  await page.getByTestId('model-select').selectOption('tiny-corrupt');
  await expect(page.getByTestId('error')).toContainText('SHA-256');
  await expect(page.getByTestId('error')).toContainText('weights-0.bin');
  await page.getByTestId('model-select').selectOption('tiny');
  await waitForModel(page, 'tiny');
  await stillWorks();
});

test('a model that is listed but not published', async () => {
  await page.getByTestId('model-select').selectOption('missing');
  await expect(page.getByTestId('error')).toContainText('not found');
  await page.getByTestId('model-select').selectOption('tiny');
  await waitForModel(page, 'tiny');
  await stillWorks();
});

test('a worker crash: the app restarts the worker and restores its state', async () => {
  const z = await page.evaluate(() => window.__drit!.state().z);
  const backend = await page.getByTestId('backend').textContent();
  const before = await page.evaluate(() => window.__drit!.state().perf.renders);
  await page.evaluate(() => window.__drit!.crashWorker());
  await expect(page.getByTestId('notice')).toContainText('worker crashed');
  // The model is reloaded in the new worker and the output rendered again, same z.
  await page.waitForFunction((n) => window.__drit!.state().perf.renders > n, before);
  await waitIdle(page);
  await expect(page.getByTestId('backend')).toHaveText(backend!);
  expect(await page.evaluate(() => window.__drit!.state().z)).toEqual(z);
  await expect(page.getByTestId('error')).toBeHidden();
  await stillWorks();
});

test('WebGPU device lost: falls back to the next backend and says why', async () => {
  // Its own page on WebGPU: the automatic choice skips a software adapter (SwiftShader here).
  const gpuPage = await context.newPage();
  logErrors(gpuPage);
  try {
    await gpuPage.goto('/?backend=webgpu&model=tiny');
    await waitForModel(gpuPage, 'tiny');
    await expect(gpuPage.getByTestId('backend')).toHaveText('webgpu');
    await afterRender(gpuPage, () => gpuPage.getByTestId('content-input').setInputFiles(asset('cat.png')));
    const before = await gpuPage.evaluate(() => window.__drit!.state().perf.renders);
    expect(await gpuPage.evaluate(() => window.__drit!.loseDevice())).toBe(true);
    await expect(gpuPage.getByTestId('backend')).not.toHaveText('webgpu');
    await expect(gpuPage.getByTestId('backend-notice')).toContainText('WebGPU');
    await expect(gpuPage.getByTestId('backend-notice')).toContainText('lost');
    await expect(gpuPage.getByTestId('backend-reason')).toContainText('WebGPU: the WebGPU device was lost');
    await gpuPage.waitForFunction((n) => window.__drit!.state().perf.renders > n, before);
    await waitIdle(gpuPage);
    await afterRender(gpuPage, () => gpuPage.getByTestId('content-input').setInputFiles(asset('cat2.png')));
    expect(await canvasSpread(gpuPage, 'output')).toBeGreaterThan(1);
    await expect(gpuPage.getByTestId('error')).toBeHidden();
  } finally {
    await gpuPage.close();
  }
});

test('unknown ?backend= and ?model= values are reported, defaults are used', async () => {
  const other = await context.newPage();
  logErrors(other);
  await other.goto('/?backend=quantum&model=nope');
  await expect(other.getByTestId('notice')).toContainText('Unknown backend “quantum”');
  await expect(other.getByTestId('error')).toContainText('Unknown model “nope”');
  await other.close();
});
