/**
 * Live camera, with Chromium's fake capture device playing a clip of Chelsea the cat
 * (e2e/camera-video.ts): frames are translated continuously with the current z, sliders act on
 * the next frame, "Freeze" turns the frame on screen into the photo (and gives the same
 * translation through the photo path), the camera is released when switched off or hidden, and a
 * denied permission is explained. Runs on WebGPU (SwiftShader) and on wasm.
 */
import { readFileSync } from 'node:fs';
import { chromium, expect, test, type Page } from '@playwright/test';
import { CAMERA_VIDEO } from './camera-video';
import { BASE, canvasHash, canvasSpread, logErrors, pngSize, readmeShot, waitForModel, waitIdle, watchOrigin } from './helpers';

async function cameraFrames(page: Page): Promise<number> {
  return page.evaluate(() => window.__drit!.state().camera.frames);
}

async function startCamera(page: Page): Promise<void> {
  await page.getByTestId('source-camera').click();
  await page.waitForFunction(() => window.__drit!.state().camera.frames >= 2);
  await expect(page.getByTestId('source-camera')).toHaveAttribute('aria-pressed', 'true');
}

// WebGPU with the two-worker pipeline; wasm with both stages in one worker (the fallback path).
for (const [backend, workers] of [['webgpu', 2], ['wasm', 1]] as const) {
  test(`camera on ${backend}, ${workers} worker(s): live frames with the current z, freeze gives the same picture as a photo`, async ({ page, context }) => {
    const watch = watchOrigin(context);
    logErrors(page);
    await page.goto(`/?model=tiny&backend=${backend}`);
    await waitForModel(page, 'tiny');
    await expect(page.getByTestId('backend')).toHaveText(backend);
    if (workers === 1) await page.evaluate(() => window.__drit!.setCameraPipeline(false));

    await startCamera(page);
    const st = await page.evaluate(() => window.__drit!.state().camera);
    expect([st.width, st.height]).toEqual([CAMERA_VIDEO.width, CAMERA_VIDEO.height]);
    // With the pipeline, E_c runs in a second worker while the page's worker paints the previous frame.
    expect(st.workers).toBe(workers);
    await expect(page.getByTestId('camera-video')).toBeVisible();
    await expect(page.getByTestId('model-input-view')).toHaveJSProperty('width', 64);
    await expect(page.getByTestId('output')).toHaveJSProperty('width', 64);
    expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
    await expect(page.getByTestId('camera-fps')).toHaveText(/^\d+\.\d fps/);
    expect(Number(await page.getByTestId('camera-fps').getAttribute('data-fps'))).toBeGreaterThan(0);

    // The clip pans: frames keep coming and the model input changes between them.
    const input1 = await canvasHash(page, 'model-input-view');
    const n1 = await cameraFrames(page);
    await page.waitForFunction((n) => window.__drit!.state().camera.frames >= n + 3, n1);
    expect(await canvasHash(page, 'model-input-view')).not.toBe(input1);
    if (backend === 'webgpu') await readmeShot(page, 'camera');
    // "Download PNG" while live saves the live translation.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    expect(pngSize(readFileSync((await download.path())!))).toEqual({ width: 64, height: 64 });

    // A slider moved while the camera runs paints the next frames with the new z.
    const slider = page.getByTestId('slider-0');
    await slider.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const z = await page.evaluate(() => window.__drit!.state().z.slice());
    await page.waitForFunction((want) => JSON.stringify(window.__drit!.state().camera.frameZ) === JSON.stringify(want), z);

    // Freeze: the frame on screen becomes the photo; the photo path gives the very same output.
    await page.evaluate(() => {
      const w = window as unknown as { __frozen?: { w: number; data: number[] } };
      const unsub = window.__drit!.subscribe((s, prev) => {
        if (prev.camera.status === 'live' && s.camera.status === 'off' && prev.camera.output) {
          w.__frozen = { w: prev.camera.output.width, data: Array.from(prev.camera.output.data) };
          unsub();
        }
      });
    });
    await page.getByTestId('camera-freeze').click();
    await expect(page.getByTestId('content-drop')).toContainText(/camera-.*\.png · 320×240/);
    await page.waitForFunction(() => !!window.__drit!.state().output && window.__drit!.state().perf.renders > 0);
    await waitIdle(page);
    expect(await page.evaluate(() => window.__drit!.cameraTracksLive())).toBe(false);
    const same = await page.evaluate(() => {
      const frozen = (window as unknown as { __frozen?: { w: number; data: number[] } }).__frozen;
      const out = window.__drit!.state().output!;
      if (!frozen) return 'no frozen frame seen';
      if (frozen.w !== out.width) return `width ${frozen.w} vs ${out.width}`;
      let maxDiff = 0;
      for (let i = 0; i < out.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.data[i]! - frozen.data[i]!));
      return maxDiff;
    });
    expect(same).toBe(0);
    await expect(page.getByTestId('error')).toBeHidden();
    expect(watch.foreign).toEqual([]);
  });
}

test('the camera is released when switched off and when the page is hidden', async ({ page }) => {
  logErrors(page);
  await page.goto('/?model=tiny');
  await waitForModel(page, 'tiny');
  await startCamera(page);
  expect(await page.evaluate(() => window.__drit!.cameraTracksLive())).toBe(true);
  // The phone layout holds the live video, its crop box and the camera buttons without overflow.
  await page.setViewportSize({ width: 360, height: 780 });
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await expect(page.getByTestId('camera-freeze')).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId('source-camera').click();
  await expect(page.getByTestId('source-camera')).toHaveAttribute('aria-pressed', 'false');
  expect(await page.evaluate(() => window.__drit!.cameraTracksLive())).toBe(false);
  await expect(page.getByTestId('camera-fps')).toHaveText('off');

  await startCamera(page);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect(page.getByTestId('notice')).toContainText('switched off while the page was hidden');
  expect(await page.evaluate(() => window.__drit!.cameraTracksLive())).toBe(false);
  await expect(page.getByTestId('source-camera')).toHaveAttribute('aria-pressed', 'false');
});

/** Every pixel of a canvas is transparent (it was cleared), or the canvas has no size. */
async function canvasBlank(page: Page, testId: string): Promise<boolean> {
  return page.getByTestId(testId).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    if (!c.width || !c.height) return true;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return false;
    return true;
  });
}

test('Stop camera: without a photo the result is empty again; with one, its translation returns', async ({ page }) => {
  logErrors(page);
  await page.goto('/?model=tiny&backend=wasm');
  await waitForModel(page, 'tiny');
  await page.evaluate(() => window.__drit!.setCameraPipeline(false));
  const result = page.locator('section[aria-labelledby=output-title]');
  await startCamera(page);
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  await page.getByTestId('source-camera').click();
  await expect(page.getByTestId('source-camera')).toHaveAttribute('aria-pressed', 'false');
  // The panel asks for a photo, and the result canvases show nothing (not the last camera frame).
  await expect(result.getByText('The translation appears here once you drop a photo.')).toBeVisible();
  await expect(page.getByTestId('output')).toHaveAttribute('data-empty', 'true');
  expect(await canvasBlank(page, 'output')).toBe(true);
  expect(await result.locator('canvas').first().evaluate((c) => (c as HTMLElement).dataset.empty)).toBe('true');

  // With a photo: the camera's frames replace its translation while live, and it comes back after.
  await page.getByTestId('example').click();
  await page.waitForFunction(() => window.__drit!.state().perf.renders > 0);
  await waitIdle(page);
  const photo = await canvasHash(page, 'output');
  await startCamera(page);
  expect(await canvasHash(page, 'output')).not.toBe(photo);
  await page.getByTestId('source-camera').click();
  await expect(page.getByTestId('source-camera')).toHaveAttribute('aria-pressed', 'false');
  await waitIdle(page);
  expect(await canvasHash(page, 'output')).toBe(photo);
});

test('permission denied: a clear message, and the page stays usable', async ({ browserName }) => {
  test.skip(browserName !== 'chromium');
  // A browser whose (fake) permission prompt answers "block", as a user who refuses the camera.
  const browser = await chromium.launch({
    executablePath: test.info().project.use.launchOptions?.executablePath,
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream=deny', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ baseURL: BASE });
    const page = await context.newPage();
    logErrors(page);
    await page.goto('/?model=tiny&backend=wasm');
    await waitForModel(page, 'tiny');
    await page.getByTestId('source-camera').click();
    await expect(page.getByTestId('error')).toContainText('permission was denied');
    await expect(page.getByTestId('source-camera')).toHaveAttribute('aria-pressed', 'false');
    // Still usable: the example photo translates.
    await page.getByTestId('example').click();
    await page.waitForFunction(() => window.__drit!.state().perf.renders > 0);
    expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  } finally {
    await browser.close();
  }
});
