/**
 * Accessibility, measured: axe-core (WCAG 2.0 / 2.1 A and AA rules) finds no serious or critical
 * violation in any state the suite reaches — first visit, a photo with its result, the diversity
 * grid and the history strip, a reference image, the interpolation strip and the export controls
 * after an export, an error message, the phone layout, the principal-direction sliders; every
 * control is reached by Tab and shows a focus ring; a new result is announced in a polite live
 * region. Own page, serial, on WebAssembly with the tiny test models.
 */
import { expect, test, type Page } from '@playwright/test';
import { asset } from './assets';
import { afterRender, expectAccessible, ownSerialPage, waitForModel, waitIdle } from './helpers';

let page: Page;
ownSerialPage((p) => {
  page = p;
});

async function open(model: string): Promise<void> {
  await page.goto(`/?model=${model}&backend=wasm`);
  await waitForModel(page, model);
  await waitIdle(page);
}

/** Makes sure a photo is translated (a test run alone starts from a fresh page). */
async function withPhoto(): Promise<void> {
  if (!(await page.evaluate(() => !!window.__drit?.state().model))) await open('tiny');
  if (await page.evaluate(() => !!window.__drit!.state().output)) return;
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
}

test('first visit, before a photo', async () => {
  await open('tiny');
  await expect(page.getByTestId('content-input')).toBeAttached();
  await expectAccessible(page, 'first visit (no photo)');
});

test('a photo, its result, the diversity grid and the history strip', async () => {
  await withPhoto();
  await afterRender(page, () => page.getByTestId('reroll').click());
  await expect(page.getByTestId('grid')).toHaveAttribute('data-count', '6');
  await expect(page.getByTestId('history-entry-1')).toBeVisible();
  await waitIdle(page);
  await expectAccessible(page, 'photo + result + grid + history');
});

test('reference mode with a reference image', async () => {
  await withPhoto();
  await page.getByTestId('mode-reference').click();
  await afterRender(page, () => page.getByTestId('reference-input').setInputFiles(asset('dog.png')));
  await expect(page.getByTestId('reference-thumb')).toBeVisible();
  await expectAccessible(page, 'reference mode');
  await page.getByTestId('mode-sample').click();
  await waitIdle(page);
});

test('the interpolation strip and the export controls after an export', async () => {
  await withPhoto();
  await page.getByTestId('interp-from-current').click();
  await afterRender(page, () => page.getByTestId('reroll').click());
  await page.getByTestId('interp-to-current').click();
  await page.getByTestId('interp-frames').fill('4');
  await page.getByTestId('interp-render').click();
  await expect(page.getByTestId('interp-strip')).toHaveAttribute('data-count', '4');
  await waitIdle(page);
  await expectAccessible(page, 'interpolation strip');
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-gif').click()]);
  await expect(page.getByTestId('export-saved')).toContainText(`Saved ${d.suggestedFilename()}`);
  await expectAccessible(page, 'export controls after a GIF export');
});

test('an error message, then the phone layout', async () => {
  await withPhoto();
  await page.getByTestId('content-input').setInputFiles(asset('not-an-image.jpg'));
  await expect(page.getByTestId('error')).toBeVisible();
  await expectAccessible(page, 'error message shown');
  await page.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(page, 'phone 390x844 with the error');
  await page.getByRole('button', { name: 'Dismiss the error' }).click();
  await expect(page.getByTestId('error')).toBeHidden();
  await expectAccessible(page, 'phone 390x844');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('principal-direction sliders (a pack with statistics)', async () => {
  await open('tiny-stats');
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  await page.getByTestId('directions-principal').click();
  await expect(page.getByTestId('pc-slider-0')).toBeVisible();
  await waitIdle(page);
  await expectAccessible(page, 'principal directions');
});


test('every control is reached by Tab and shows a visible focus ring', async () => {
  await open('tiny');
  await withPhoto();
  await waitIdle(page);
  // The controls a keyboard must reach: every enabled, visible one (a file input through its label).
  const wanted = await page.evaluate(() => {
    // the element, or the visible control that stands for it (a hidden file input's label)
    const on = (el: Element): Element => (el.classList.contains('visually-hidden') && el.closest('.button')) || el;
    const all = [...document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex]')];
    return all
      .filter((el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0)
      .filter((el) => {
        const r = on(el).getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(on(el)).visibility !== 'hidden';
      })
      .map((el, i) => {
        el.dataset.a11yId = String(i);
        return `${el.tagName.toLowerCase()}#${i} ${el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? ''}`;
      });
  });
  expect(wanted.length).toBeGreaterThan(20);

  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached = new Map<string, string>();
  const noRing: string[] = [];
  for (let step = 0; step < 3 * wanted.length; step++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.a11yId ?? null);
    if (id === null) continue; // the document itself, between the last control and the first
    if (reached.has(id)) break; // round the page once
    const focused = page.locator(`[data-a11y-id="${id}"]`);
    const shown = await focused.evaluateHandle((el) => (el.classList.contains('visually-hidden') && el.closest('.button')) || el);
    const style = (): Promise<string> =>
      shown.evaluate((el) => {
        const s = getComputedStyle(el);
        return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} | ${s.boxShadow}`;
      });
    // The ring, in pixels: the control and a margin around it, focused and not.
    const box = (await shown.asElement()!.boundingBox())!;
    const vp = page.viewportSize()!;
    const x = Math.max(0, box.x - 6);
    const y = Math.max(0, box.y - 6);
    const clip = { x, y, width: Math.min(vp.width, box.x + box.width + 6) - x, height: Math.min(vp.height, box.y + box.height + 6) - y };
    const focusedStyle = await style();
    const focusedShot = await page.screenshot({ clip, animations: 'disabled' });
    await focused.evaluate((el) => (el as HTMLElement).blur());
    const blurredStyle = await style();
    const blurredShot = await page.screenshot({ clip, animations: 'disabled' });
    await focused.evaluate((el) => (el as HTMLElement).focus());
    const label = wanted[Number(id)]!;
    reached.set(id, label);
    if (focusedStyle === blurredStyle || focusedShot.equals(blurredShot)) noRing.push(`${label}: ${focusedStyle}`);
  }
  expect(noRing, 'focused controls without a visible focus indicator').toEqual([]);
  const missed = wanted.filter((_, i) => !reached.has(String(i)));
  expect(missed, 'controls Tab never reaches').toEqual([]);
  await page.screenshot({ path: test.info().outputPath('keyboard.png') });
});

test('a new result is announced to screen readers (a polite live region)', async () => {
  await withPhoto();
  const live = page.getByTestId('announce');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await expect(live).toHaveText(/^Translated: cat → dog, (seed \d+|style of .+)/);
  const seed0 = await page.evaluate(() => window.__drit!.state().seed);
  // Re-roll by keyboard: the region says the new seed.
  await page.getByTestId('mode-sample').click();
  await page.getByTestId('reroll').focus();
  await afterRender(page, () => page.keyboard.press('Enter'));
  const seed1 = await page.evaluate(() => window.__drit!.state().seed);
  expect(seed1).not.toBe(seed0);
  await expect(live).toHaveText(`Translated: cat → dog, seed ${seed1}`);
  // A slider moved by keyboard: the same seed, edited.
  await page.getByTestId('slider-0').focus();
  await afterRender(page, () => page.keyboard.press('ArrowRight'));
  await expect(live).toHaveText(`Translated: cat → dog, seed ${seed1}, attribute edited`);
  // A diversity-grid tile picked: said which.
  await afterRender(page, () => page.getByTestId('grid-tile-2').click());
  await expect(live).toHaveText('Translated: cat → dog, diversity-grid sample 3');
  // The direction swapped: said so.
  await afterRender(page, () => page.getByTestId('direction').click());
  await expect(live).toContainText('Translated: dog → cat');
});
