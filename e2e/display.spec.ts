/**
 * What the visitor sees, read back as screen pixels: the crop box's dimming stays inside the photo
 * (the rest of the page, the result canvas included, keeps its colours), and the screen shows the
 * result canvas's own pixels, i.e. what "Download PNG" saves. On wasm with the tiny test model.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { asset } from './assets';
import { afterRender, logErrors, waitForModel, waitIdle, watchOrigin } from './helpers';

type Rgb = [number, number, number];

/** Screen pixels of a region (CSS pixels, device scale 1) as a decoded PNG. */
async function screenPixels(page: Page, clip: { x: number; y: number; width: number; height: number }): Promise<PNG> {
  return PNG.sync.read(await page.screenshot({ clip, animations: 'disabled', caret: 'hide' }));
}

function meanRgb(data: Uint8Array | Buffer | number[]): Rgb {
  const s: Rgb = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) for (let k = 0; k < 3; k++) s[k] = s[k]! + data[i + k]!;
  const n = data.length / 4;
  return s.map((v) => v / n) as Rgb;
}

/** The central half of an element's box (clear of rounded corners and borders). */
async function centre(el: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = (await el.boundingBox())!;
  return { x: Math.round(b.x + b.width / 4), y: Math.round(b.y + b.height / 4), width: Math.round(b.width / 2), height: Math.round(b.height / 2) };
}

/** Mean colour of the central half of a canvas's own pixels (what a download saves). */
async function canvasCentreMean(el: Locator): Promise<Rgb> {
  const data = await el.evaluate((node) => {
    const c = node as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(c.width / 4, c.height / 4, c.width / 2, c.height / 2).data;
    return Array.from(d);
  });
  return meanRgb(data);
}

function expectClose(a: Rgb, b: Rgb, tol: number, what: string): void {
  const diff = a.map((v, k) => Math.abs(v - b[k]!));
  expect(Math.max(...diff), `${what}: screen ${a.map((v) => v.toFixed(1))} vs ${b.map((v) => v.toFixed(1))}`).toBeLessThanOrEqual(tol);
}

test('a loaded photo darkens only the photo outside its crop, not the page; the result on screen is the canvas', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const watch = watchOrigin(context);
  const page = await context.newPage();
  logErrors(page);
  await page.goto('/?model=tiny&backend=wasm');
  await waitForModel(page, 'tiny');
  await waitIdle(page);
  await page.mouse.move(0, 0);

  // Controls before any photo: a button and the page heading.
  const control = page.getByTestId('reroll');
  const heading = page.locator('header h1');
  const output = page.getByTestId('output');
  const controlBefore = (await screenPixels(page, (await control.boundingBox())!)).data;
  const headingBefore = (await screenPixels(page, (await heading.boundingBox())!)).data;

  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  await expect(page.getByTestId('crop-box')).toBeVisible();
  await page.mouse.move(0, 0);

  // The same control and heading colours: nothing lies over them (45 % black would take ~100 levels off the button).
  const controlAfter = (await screenPixels(page, (await control.boundingBox())!)).data;
  const headingAfter = (await screenPixels(page, (await heading.boundingBox())!)).data;
  expectClose(meanRgb(controlAfter), meanRgb(controlBefore), 0.5, 'Re-roll button');
  expectClose(meanRgb(headingAfter), meanRgb(headingBefore), 0.5, 'page heading');

  // The result on screen has the canvas's own colours (scaled up, so compare means of the centre).
  const onScreen = meanRgb((await screenPixels(page, await centre(output))).data);
  const own = await canvasCentreMean(output);
  expectClose(onScreen, own, 3, 'result canvas');
  const panel2: Rgb = [0x21, 0x25, 0x2e]; // the empty canvas's background (--panel-2)
  expect(Math.max(...onScreen.map((v, k) => Math.abs(v - panel2[k]!))), 'the result is drawn').toBeGreaterThan(3);

  // Inside the photo the dimming is there: outside the crop box darker than inside it.
  const frame = (await page.locator('.crop-frame').boundingBox())!;
  const box = (await page.getByTestId('crop-box').boundingBox())!;
  expect(box.x - frame.x, 'the model crop leaves a margin on the left of cat.png').toBeGreaterThan(4);
  const photo = await screenPixels(page, frame);
  const px = (x: number, y: number): Rgb => {
    const i = (Math.round(y) * photo.width + Math.round(x)) * 4;
    return [photo.data[i]!, photo.data[i + 1]!, photo.data[i + 2]!];
  };
  const shaded = px((box.x - frame.x) / 2, frame.height / 2);
  const img = page.locator('.crop-frame img');
  const natural = await img.evaluate((el, at) => {
    const im = el as HTMLImageElement;
    const c = document.createElement('canvas');
    c.width = im.clientWidth;
    c.height = im.clientHeight;
    const g = c.getContext('2d')!;
    g.drawImage(im, 0, 0, c.width, c.height);
    return Array.from(g.getImageData(Math.round(at.x), Math.round(at.y), 1, 1).data);
  }, { x: (box.x - frame.x) / 2, y: frame.height / 2 });
  // 45 % black over the photo there (loose: scaling and rounding).
  for (let k = 0; k < 3; k++) expect(Math.abs(shaded[k]! - 0.55 * natural[k]!), `shade channel ${k}`).toBeLessThanOrEqual(12);

  expect(watch.foreign, 'requests that left the page origin').toEqual([]);
  await context.close();
});

/** An element's box lies wholly inside the window (scrolled to the top). */
async function expectInView(page: Page, el: Locator, what: string): Promise<void> {
  const vp = page.viewportSize()!;
  const b = await el.boundingBox();
  expect(b, `${what} is laid out`).not.toBeNull();
  expect(b!.x, `${what} left`).toBeGreaterThanOrEqual(0);
  expect(b!.y, `${what} top`).toBeGreaterThanOrEqual(0);
  expect(b!.x + b!.width, `${what} right`).toBeLessThanOrEqual(vp.width);
  expect(b!.y + b!.height, `${what} bottom (window ${vp.height})`).toBeLessThanOrEqual(vp.height);
}

for (const [name, width, height] of [['phone', 390, 844], ['laptop', 1280, 800]] as const) {
  test(`${name} ${width}×${height}: progress from the first frame, then the photo, its translation and the main controls in view together`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    const watch = watchOrigin(context);
    const page = await context.newPage();
    logErrors(page);
    // Before the script runs, the page itself says it is loading.
    const html = await (await page.request.get('/')).text();
    expect(html).toMatch(/<div id="root">\s*<p[^>]*role="status"[^>]*>Loading DRIT…<\/p>/);
    // Slow the model list down a little: the start-up stages are shown while they run.
    await context.route('**/models/index.json', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.goto('/?model=tiny&backend=wasm');
    await expect(page.getByTestId('start-progress').or(page.getByTestId('load-progress'))).toBeVisible();
    await expect(page.getByTestId('model-select')).not.toHaveText('—');
    await expect(page.getByTestId('start-progress')).toContainText('Reading the model list');
    await waitForModel(page, 'tiny');
    await context.unroute('**/models/index.json');
    await expect(page.getByTestId('start-progress')).toHaveCount(0);
    // No photo yet: the grid waits closed (no blank tiles), the result shows no empty frames.
    await expect(page.getByTestId('grid-waiting')).toBeVisible();
    await expect(page.locator('[data-testid^=grid-tile-]')).toHaveCount(0);
    await expect(page.getByTestId('output')).toBeHidden();

    await afterRender(page, () => page.getByTestId('example').click());
    await expect(page.getByTestId('grid')).toHaveAttribute('data-count', '6');
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await expectInView(page, page.locator('.crop-frame'), 'the photo');
    await expectInView(page, page.getByTestId('output'), 'its translation');
    for (const id of ['example', 'content-input', 'direction', 'reroll', 'download']) {
      await expectInView(page, id === 'content-input' ? page.locator('label.button', { has: page.getByTestId(id) }) : page.getByTestId(id), id);
    }
    const out = (await page.getByTestId('output').boundingBox())!;
    expect(out.width, 'the translation is big enough to see').toBeGreaterThanOrEqual(150);
    if (name === 'laptop') {
      // The columns stack their panels: no gap under the photo's panel before the next one.
      const content = (await page.locator('section[aria-labelledby=content-title]').boundingBox())!;
      const interp = (await page.locator('section[aria-labelledby=interp-title]').boundingBox())!;
      expect(interp.y - (content.y + content.height)).toBeLessThanOrEqual(13);
      const result = (await page.locator('section[aria-labelledby=output-title]').boundingBox())!;
      const grid = (await page.locator('section[aria-labelledby=grid-title]').boundingBox())!;
      expect(grid.y - (result.y + result.height)).toBeLessThanOrEqual(13);
    }
    await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
    expect(watch.foreign, 'requests that left the page origin').toEqual([]);
    await context.close();
  });
}
