/**
 * The page says what is true: a reference of the other domain is not offered after a swap (and
 * comes back with the direction), principal sliders whose z lies beyond their track say so, and
 * errors appear where the visitor is scrolled to, leaving the page usable. On wasm with the tiny
 * test models (the stopped camera's empty result is in camera.spec.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import type { AttributeStats } from '../src/pack/manifest';
import { asset } from './assets';
import { afterRender, expectAccessible, logErrors, waitForModel, waitIdle, watchOrigin, zValues } from './helpers';

test.describe.configure({ mode: 'default' });

async function open(page: Page, model: string, hash = ''): Promise<void> {
  logErrors(page);
  await page.goto(`/?backend=wasm&model=${model}${hash}`);
  await waitForModel(page, model);
  await waitIdle(page);
}

test('a reference of the other domain is kept but not offered after a swap, and returns with the direction', async ({ page, context }) => {
  const watch = watchOrigin(context);
  await open(page, 'tiny');
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  const sampled = await zValues(page);
  await page.getByTestId('mode-reference').click();
  // cat -> dog: the reference is a dog picture
  await afterRender(page, () => page.getByTestId('reference-input').setInputFiles(asset('dog.png')));
  const ref = await page.evaluate(() => window.__drit!.state().reference!);
  expect(ref.direction).toBe('a2b');
  expect(await zValues(page)).toEqual(ref.mu);
  await expect(page.getByTestId('reference-use')).toBeEnabled();
  await expect(page.getByTestId('reference-other-domain')).toHaveCount(0);

  // dog -> cat: the dog picture is the wrong domain. z goes back to the sample; the reference waits.
  await afterRender(page, () => page.getByTestId('direction').click());
  await expect(page.getByTestId('direction')).toContainText('dog → cat');
  let st = await page.evaluate(() => window.__drit!.state());
  expect(st.mode).toBe('sample');
  expect(st.z).toEqual(sampled);
  expect(st.reference!.mu, 'not re-encoded with the cat attribute encoder').toEqual(ref.mu);
  await expect(page.getByTestId('mode-sample')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('reference-thumb')).toBeVisible();
  await expect(page.getByTestId('reference-other-domain')).toContainText('This reference is a dog picture, given for cat → dog');
  await expect(page.getByTestId('reference-use')).toBeDisabled();
  await expect(page.getByRole('button', { name: '= reference' }).first()).toBeDisabled();
  // Choosing Reference by hand keeps the sampled z (nothing of this domain to use).
  await page.getByTestId('mode-reference').click();
  expect(await zValues(page)).toEqual(sampled);
  await page.getByTestId('mode-sample').click();
  await page.getByTestId('mode-reference').click();

  // Back to cat -> dog: the reference is the source of z again.
  await page.getByTestId('direction').click();
  await page.waitForFunction(() => {
    const s = window.__drit!.state();
    return s.mode === 'reference' && s.reference!.status === 'ready' && JSON.stringify(s.z) === JSON.stringify(s.reference!.mu);
  });
  await waitIdle(page);
  st = await page.evaluate(() => window.__drit!.state());
  expect(st.z).toEqual(ref.mu);
  await expect(page.getByTestId('reference-other-domain')).toHaveCount(0);
  await expect(page.getByTestId('reference-use')).toBeEnabled();
  expect(watch.foreign).toEqual([]);
});

test('principal sliders: a z beyond a slider\'s track is shown as such, with the way back', async ({ page }) => {
  await open(page, 'tiny-stats');
  const stats = await page.evaluate(() => window.__drit!.state().model!.attributeStats!.b!) as AttributeStats;
  const k = stats.components.length - 1;
  // z = the dog photos' mean, moved 40 spreads along the last direction (shared through a link).
  const far = stats.mean.map((m, j) => m + 40 * stats.std[k]! * stats.components[k]![j]!);
  await open(page, 'tiny-stats', `#m=tiny-stats&d=a2b&z=${far.map((v) => v.toFixed(4)).join(',')}`);
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  await page.getByTestId('directions-principal').click();
  const z = await zValues(page);
  const c = stats.components[k]!.reduce((s, d, j) => s + d * (z[j]! - stats.mean[j]!), 0) / stats.std[k]!;
  expect(Math.abs(c)).toBeGreaterThan(10);

  const row = page.getByTestId(`pc-row-${k}`);
  await expect(row).toHaveAttribute('data-outside', 'true');
  // The handle sits at the end of the track, the value says where z really is, and a note says why.
  await expect(page.getByTestId(`pc-slider-${k}`)).toHaveValue(c > 0 ? '3' : '-3');
  expect(Number(await page.getByTestId(`pc-slider-value-${k}`).textContent())).toBeCloseTo(c, 0);
  const note = page.getByTestId('pc-outside-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText("far outside the dog photos' range along");
  await expect(note).toContainText(new RegExp(`\\bPC${k + 1}\\b`));
  await expect(note).toContainText('“Mean of the dog photos” brings it back');
  await expect(page.getByTestId(`pc-slider-${k}`)).toHaveAttribute('aria-describedby', (await note.getAttribute('id'))!);
  // Every slider whose handle is pinned is named in the note; the others are not marked.
  for (let j = 0; j < stats.components.length; j++) {
    const v = Number(await page.getByTestId(`pc-slider-value-${j}`).textContent());
    if (Math.abs(v) > 3) await expect(note).toContainText(new RegExp(`\\bPC${j + 1}\\b`));
    else await expect(page.getByTestId(`pc-row-${j}`)).not.toHaveAttribute('data-outside', 'true');
  }
  await page.getByTestId('pc-slider-0').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('principal-outside.png') });
  await expectAccessible(page, 'principal sliders beyond their track, with the note');

  // "Mean of the dog photos" brings z back: every handle on its track, no note.
  await afterRender(page, () => page.getByTestId('principal-mean').click());
  await expect(note).toHaveCount(0);
  await expect(page.locator('[data-outside=true]')).toHaveCount(0);
});

test('an error appears where the visitor is scrolled to, and the page stays usable', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, 'tiny');
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  // Down at the export controls.
  const frames = page.getByTestId('interp-frames');
  await frames.scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const scrolled = await page.evaluate(() => window.scrollY);
  expect(scrolled).toBeGreaterThan(200);
  // A file that is not an image, chosen from here: the error shows inside the window.
  await page.getByTestId('content-input').setInputFiles(asset('not-an-image.jpg'));
  const error = page.getByTestId('error');
  await expect(error).toBeVisible();
  const box = (await error.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(800);
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  await page.screenshot({ path: test.info().outputPath('error-toast.png') });
  await expectAccessible(page, 'an error over the scrolled page');
  // The page goes on under it: the bottom of the page can be scrolled clear of the message.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const perf = (await page.locator('footer.perf').boundingBox())!;
  expect(perf.y + perf.height).toBeLessThanOrEqual((await error.boundingBox())!.y);
  await frames.fill('5');
  await expect(frames).toHaveValue('5');
  // Dismissed, it is gone and gives its room back.
  await page.getByRole('button', { name: 'Dismiss the error' }).click();
  await expect(error).toBeHidden();
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--toast-space').trim())).toBe('0px');
});
