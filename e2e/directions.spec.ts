/**
 * Principal-direction sliders: the tiny test model converted with `--attr-stats` ('tiny-stats',
 * e2e/directions-setup.ts) offers them; moving PC1 (by keyboard) moves z along the pack's first
 * direction only and re-renders; the phone layout holds; a pack without statistics offers only the
 * raw axes. Own page, serial, on the automatic backend.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { AttributeStats } from '../src/pack/manifest';
import { asset } from './assets';
import { BASE, afterRender, canvasHash, expectAccessible, logErrors, waitForModel, waitIdle, watchOrigin, zValues } from './helpers';

test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let watch: ReturnType<typeof watchOrigin>;

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  watch = watchOrigin(context);
  page = await context.newPage();
  logErrors(page);
});

test.afterAll(async () => {
  expect(watch.foreign, 'requests that left the page origin').toEqual([]);
  await context.close();
});

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function targetStats(page: Page): Promise<AttributeStats> {
  const stats = await page.evaluate(() => {
    const s = window.__drit!.state();
    return s.model?.attributeStats?.[s.direction === 'a2b' ? 'b' : 'a'] ?? null;
  });
  expect(stats, 'the pack carries statistics of the target domain').not.toBeNull();
  return stats!;
}

test('a pack with statistics offers principal-direction sliders, labelled by their share of variance', async () => {
  await page.goto('/?model=tiny-stats');
  await waitForModel(page, 'tiny-stats');
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  await expect(page.getByTestId('directions-raw')).toHaveAttribute('aria-pressed', 'true');
  const principal = page.getByTestId('directions-principal');
  await expect(principal).toBeEnabled();
  await expect(principal).toHaveAttribute('aria-pressed', 'false');
  // keyboard: focus the toggle and press Enter
  await principal.focus();
  await page.keyboard.press('Enter');
  await expect(principal).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => window.__drit!.state().sliderSet)).toBe('principal');
  const stats = await targetStats(page);
  const sliders = page.locator('input[type=range][data-testid^=pc-slider-]');
  await expect(sliders).toHaveCount(stats.components.length);
  await expect(page.locator('input[type=range][data-testid^=slider-]')).toHaveCount(0);
  const share = Math.round(100 * stats.varianceShare[0]!);
  await expect(page.locator('label[for=pc-slider-0]')).toHaveText(new RegExp(`^PC1 · ${share} %$`));
  await expect(page.getByLabel(/^PC1 · /)).toBeVisible();
  // shares are ordered: PC1 carries the most
  expect(stats.varianceShare[0]!).toBeGreaterThanOrEqual(stats.varianceShare[1] ?? 0);
});

test('moving PC1 by keyboard moves z along the first direction only and re-renders', async () => {
  const stats = await targetStats(page);
  const z0 = await zValues(page);
  const hash0 = await canvasHash(page, 'output');
  const history0 = await page.evaluate(() => window.__drit!.state().history.entries.length);
  const slider = page.getByTestId('pc-slider-0');
  await slider.focus();
  await afterRender(page, () => page.keyboard.press('End'));
  const z1 = await zValues(page);
  const diff = z1.map((v, i) => v - z0[i]!);
  const len = Math.sqrt(dot(diff, diff));
  expect(len).toBeGreaterThan(1e-6);
  // parallel to component 0: |cos| = 1, and orthogonal to every other stored direction
  expect(Math.abs(dot(diff, stats.components[0]!)) / len).toBeGreaterThan(1 - 1e-6);
  for (const d of stats.components.slice(1)) expect(Math.abs(dot(diff, d)) / len).toBeLessThan(1e-6);
  // its coordinate is now +3 spreads from the photos' mean
  const c0 = dot(stats.components[0]!, z1.map((v, i) => v - stats.mean[i]!)) / stats.std[0]!;
  expect(c0).toBeCloseTo(3, 4);
  await expect(page.getByTestId('pc-slider-value-0')).toHaveText('3.00');
  expect(await canvasHash(page, 'output')).not.toBe(hash0);
  // the key release is one history step, as for the raw sliders
  await expect.poll(() => page.evaluate(() => window.__drit!.state().history.entries.length)).toBe(history0 + 1);

  // arrow keys step it back down; the raw sliders then show the moved z
  await afterRender(page, () => page.keyboard.press('ArrowLeft'));
  await expect(page.getByTestId('pc-slider-value-0')).toHaveText('2.99');
  // "Mean of the dog photos": every principal coordinate 0, z = the stored mean
  await afterRender(page, () => page.getByTestId('principal-mean').click());
  for (let k = 0; k < stats.components.length; k++) await expect(page.getByTestId(`pc-slider-value-${k}`)).toHaveText(/^-?0\.00$/);
  (await zValues(page)).forEach((v, i) => expect(v).toBeCloseTo(stats.mean[i]!, 9));
  await page.getByTestId('directions-raw').click();
  await expect(page.locator('input[type=range][data-testid^=slider-]')).toHaveCount(8);
  const z2 = await zValues(page);
  await expect(page.getByTestId('slider-value-0')).toHaveText(z2[0]!.toFixed(2));
});

test('the other direction uses the other domain; the phone layout keeps the sliders usable', async () => {
  await page.getByTestId('directions-principal').click();
  const before = await targetStats(page);
  await afterRender(page, () => page.getByTestId('direction').click());
  const after = await targetStats(page);
  expect(after.mean).not.toEqual(before.mean);
  await expect(page.locator('input[type=range][data-testid^=pc-slider-]')).toHaveCount(after.components.length);
  await page.getByTestId('direction').click();
  await waitIdle(page);

  await page.setViewportSize({ width: 360, height: 800 });
  const slider = page.getByTestId('pc-slider-0');
  await slider.scrollIntoViewIfNeeded();
  await expect(slider).toBeVisible();
  const box = (await slider.boundingBox())!;
  expect(box.width).toBeGreaterThan(80);
  expect(box.x + box.width).toBeLessThanOrEqual(360);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expectAccessible(page, 'principal sliders at 360 px');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('a pack without statistics offers only the raw axes', async () => {
  await page.getByTestId('model-select').selectOption('tiny');
  await waitForModel(page, 'tiny');
  await waitIdle(page);
  await expect(page.locator('input[type=range][data-testid^=slider-]')).toHaveCount(8);
  await expect(page.getByTestId('directions-principal')).toHaveCount(0);
  await expect(page.locator('input[type=range][data-testid^=pc-slider-]')).toHaveCount(0);
});
