/**
 * Dropping a PyTorch checkpoint onto the page: converted in the worker with progress, usable at
 * once, kept for the next visit. Uses the committed fixture checkpoints (zip and legacy format).
 */
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { ROOT, asset } from './assets';
import { afterRender, canvasSpread, dropFiles, logErrors, shareTinyModelPage, waitForModel, zValues } from './helpers';

let context: BrowserContext;
let page: Page;
shareTinyModelPage((opened) => ({ context, page } = opened));

test('drop a zip-format .pth (concat = 1): converted with progress and used at once', async () => {
  const stages: string[] = [];
  await page.exposeFunction('__recordStage', (s: string) => stages.push(s));
  await page.evaluate(() => {
    const rec = (window as unknown as { __recordStage(s: string): void }).__recordStage;
    const obs = new MutationObserver(() => {
      const el = document.querySelector('[data-testid=convert-progress]');
      if (el) rec(el.textContent ?? '');
    });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const before = await page.evaluate(() => window.__drit!.state().perf.renders);
  await dropFiles(page, 'main', [join(ROOT, 'fixtures/c1/checkpoint_zip.pth')]);
  await expect(page.getByTestId('notice')).toContainText('Converted “checkpoint_zip.pth”');
  await page.waitForFunction(() => window.__drit!.state().model?.id.startsWith('local-'));
  await page.waitForFunction((n) => window.__drit!.state().perf.renders > n, before);
  expect(stages.join(' ')).toMatch(/Converting checkpoint_zip\.pth/);
  const st = await page.evaluate(() => window.__drit!.state());
  expect(st.model!.concat).toBe(1);
  expect(st.model!.name).toContain('checkpoint_zip');
  await expect(page.getByTestId('model-select').locator('option:checked')).toContainText('converted here');
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  await expect(page.getByTestId('error')).toBeHidden();
});

/** The zip-format concat = 1 fixture, converted in this page (by the first test, or here if it did not run). */
async function useConvertedC1(): Promise<void> {
  const active = await page.evaluate(() => {
    const m = window.__drit!.state().model;
    return !!m && m.id.startsWith('local-') && m.concat === 1;
  });
  if (active) return;
  await dropFiles(page, 'main', [join(ROOT, 'fixtures/c1/checkpoint_zip.pth')]);
  await page.waitForFunction(() => window.__drit!.state().model?.id.startsWith('local-') && !window.__drit!.state().loading);
  await page.waitForFunction(() => window.__drit!.state().output !== null && !window.__drit!.state().rendering);
}

test('concat = 1 reference: z is the mean, "sample around it" draws near it', async () => {
  await useConvertedC1();
  await afterRender(page, () => page.getByTestId('reference-input').setInputFiles(asset('dog.png')));
  const st = await page.evaluate(() => window.__drit!.state());
  expect(st.reference!.sigma).toHaveLength(8);
  expect(await zValues(page)).toEqual(st.reference!.mu);
  await afterRender(page, () => page.getByTestId('sample-around').check());
  const z = await zValues(page);
  expect(z).not.toEqual(st.reference!.mu);
  // Within a few sigmas of the mean.
  z.forEach((v, i) => expect(Math.abs(v - st.reference!.mu[i]!)).toBeLessThan(6 * st.reference!.sigma![i]! + 1e-6));
  await afterRender(page, () => page.getByTestId('sample-around').uncheck());
  expect(await zValues(page)).toEqual(st.reference!.mu);
});

test('a legacy-format official-layout checkpoint via the file input', async () => {
  await page.getByTestId('model-input').setInputFiles(join(ROOT, 'fixtures/c0_zeropad/checkpoint_legacy.pth'));
  await expect(page.getByTestId('notice')).toContainText('Converted “checkpoint_legacy.pth”');
  await page.waitForFunction(() => window.__drit!.state().model?.name.startsWith('checkpoint_legacy'));
  await page.waitForFunction(() => window.__drit!.state().output !== null && !window.__drit!.state().rendering);
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(0);
});

test('converted models are kept for the next visit', async () => {
  const other = await context.newPage();
  logErrors(other);
  await other.goto('/?model=tiny');
  await waitForModel(other, 'tiny');
  await other.getByRole('button', { name: 'Close grid' }).click();
  // Both conversions of this page (the zip and the legacy checkpoint) are listed.
  const options = other.getByTestId('model-select').locator('option', { hasText: 'converted here' });
  await expect(options).toHaveCount(2);
  const value = await options.first().getAttribute('value');
  await other.getByTestId('model-select').selectOption(value!);
  await waitForModel(other, value!);
  await expect(other.getByTestId('model-name')).toContainText('(cached)');
  await afterRender(other, () => other.getByTestId('content-input').setInputFiles(asset('cat.png')));
  expect(await canvasSpread(other, 'output')).toBeGreaterThan(1);
  // And they can be forgotten again.
  await other.getByRole('button', { name: 'Forget this model' }).click();
  await expect(other.getByTestId('model-select').locator('option', { hasText: 'converted here' })).toHaveCount(1);
  await other.close();
});
