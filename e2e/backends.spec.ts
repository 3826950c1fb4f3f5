/**
 * The automatic backend choice, and `?backend=` forcing a backend (for tests and for users with
 * buggy drivers) even where it renders in software, as WebGPU and WebGL do on SwiftShader here.
 */
import { expect, test, type Page } from '@playwright/test';
import { asset } from './assets';
import { afterRender, canvasSpread, logErrors, waitForModel, watchOrigin } from './helpers';

const pixels = new Map<string, number[]>();

/** The page's WebGPU adapter as the app would judge it: null without one, else whether it is software. */
async function webgpuAdapter(page: Page): Promise<{ software: boolean } | null> {
  return page.evaluate(async () => {
    type Info = { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(o?: object): Promise<{ info?: Info; isFallbackAdapter?: boolean } | null> } }).gpu;
    const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const text = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].join(' ');
    return { software: !!(adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe|software/i.test(text) };
  });
}

test('a default visit with only a software WebGPU adapter runs on WebAssembly and says why', async ({ page, context }) => {
  const watch = watchOrigin(context);
  logErrors(page);
  await page.goto('/?model=tiny');
  const adapter = await webgpuAdapter(page);
  test.skip(adapter === null || !adapter.software, 'this browser has a hardware WebGPU adapter (or none): the software case cannot be seen here');
  await waitForModel(page, 'tiny');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('backend-reason')).toContainText('WebAssembly — WebGPU adapter is a software fallback (SwiftShader)');
  await expect(page.getByTestId('backend-reason')).toContainText('slower than WebAssembly here');
  // A deliberate choice, not a failure: no warning banner.
  await expect(page.getByTestId('backend-notice')).toHaveCount(0);
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  expect(watch.foreign).toEqual([]);
});

for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
  test(`?backend=${backend} runs the model there`, async ({ page, context }) => {
    const watch = watchOrigin(context);
    logErrors(page);
    // Same share link on every backend: the seeded z is identical everywhere.
    await page.goto(`/?backend=${backend}&model=tiny#m=tiny&d=a2b&z=0.5,-1,0.25,1.5,-0.5,0,1,-2&s=7`);
    await waitForModel(page, 'tiny');
    await expect(page.getByTestId('backend')).toHaveText(backend);
    await expect(page.getByTestId('backend-notice')).toHaveCount(0);
    await expect(page.getByTestId('backend-reason')).toContainText(`forced by ?backend=${backend}`);
    if (backend === 'wasm') {
      // Cross-origin isolation (COOP/COEP) lets the wasm backend use threads.
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await expect(page.getByTestId('adapter')).toContainText('threads');
    }
    await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
    expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
    pixels.set(
      backend,
      await page.getByTestId('output').evaluate((c) => {
        const el = c as HTMLCanvasElement;
        return Array.from(el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data);
      }),
    );
    expect(watch.foreign).toEqual([]);
  });
}

test('wasm and cpu give the same picture for the same z', () => {
  test.skip(pixels.size < 2, 'needs both backend tests');
  const a = pixels.get('wasm')!;
  const b = pixels.get('cpu')!;
  expect(a.length).toBe(b.length);
  // Float sums may differ in the last bit, which the truncating uint8 mapping can turn into one level.
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThanOrEqual(2);
});
