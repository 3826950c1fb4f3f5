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

  // Controls before any photo: a button, the page heading, the empty result canvas.
  const control = page.getByTestId('reroll');
  const heading = page.locator('header h1');
  const output = page.getByTestId('output');
  const controlBefore = (await screenPixels(page, (await control.boundingBox())!)).data;
  const headingBefore = (await screenPixels(page, (await heading.boundingBox())!)).data;
  const emptyOutput = meanRgb((await screenPixels(page, await centre(output))).data);

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
  expect(Math.max(...onScreen.map((v, k) => Math.abs(v - emptyOutput[k]!))), 'the result is drawn').toBeGreaterThan(3);

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
