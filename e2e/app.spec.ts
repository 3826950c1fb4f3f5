/**
 * Main suite: the whole app on the automatic backend choice (WebAssembly in this Chromium, whose
 * only WebGPU adapter is SwiftShader; backends.spec.ts and faults.spec.ts force WebGPU) with the
 * tiny test model, driven by real image files. One page is shared by the tests so that the model
 * and its shaders are compiled once. The tests are not a serial group: after a failure Playwright continues in a fresh
 * worker (a new page), and every test first brings the page to the state it needs (`ready`), so one
 * slow or failing test never skips the others.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { asset } from './assets';
import {
  BASE,
  afterRender,
  canvasHash,
  canvasSpread,
  dropFiles,
  logErrors,
  pasteFile,
  pngSize,
  readmeShot,
  renders,
  waitForModel,
  waitIdle,
  watchOrigin,
  zValues,
} from './helpers';

test.describe.configure({ mode: 'default' });

let context: BrowserContext;
let page: Page;
let watch: ReturnType<typeof watchOrigin>;

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  watch = watchOrigin(context);
  page = await context.newPage();
  logErrors(page);
});

test.afterAll(async () => {
  expect(watch.foreign, 'requests that left the page origin').toEqual([]);
  await context.close();
});

/**
 * Brings the shared page to the state most tests start from (cheap when it is already there): the
 * tiny model loaded, sample mode, cat -> dog, and with `content`, cat.png translated with the
 * model's own crop.
 */
async function ready(opts: { content: boolean } = { content: true }): Promise<void> {
  const loaded = await page.evaluate(() => window.__drit?.state().model?.id === 'tiny').catch(() => false);
  if (!loaded) {
    await page.goto('/?model=tiny');
    await waitForModel(page, 'tiny');
  }
  const s = await page.evaluate(() => {
    const st = window.__drit!.state();
    return { mode: st.mode, direction: st.direction, content: st.content?.name ?? null, crop: st.crop };
  });
  if (s.mode !== 'sample') await page.getByTestId('mode-sample').click();
  if (s.direction !== 'a2b') await afterRender(page, () => page.getByTestId('direction').click());
  if (opts.content && s.content === null) {
    await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  }
  if (opts.content && s.crop !== null) await afterRender(page, () => page.getByTestId('crop-reset').click());
  await waitIdle(page);
}

test('loads the model with per-shard progress and a warm-up', async () => {
  const progress: string[] = [];
  // Slow the shard download down a little so that the progress bar can be seen.
  // (context.route also sees the worker's requests.)
  await context.route('**/e2e-packs/tiny/weights-0.bin', async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  await page.goto('/?model=tiny');
  await expect(page.getByTestId('load-progress')).toBeVisible();
  progress.push((await page.getByTestId('load-progress').textContent()) ?? '');
  await expect(page.getByTestId('shard-progress')).toBeVisible();
  progress.push((await page.getByTestId('load-progress').textContent()) ?? '');
  await waitForModel(page, 'tiny');
  await context.unroute('**/e2e-packs/tiny/weights-0.bin');
  expect(progress.join(' ')).toMatch(/shard 1\/1/);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm)$/);
  await expect(page.getByTestId('adapter')).not.toHaveText('–');
  await expect(page.getByTestId('backend-reason')).not.toBeEmpty();
  await expect(page.getByTestId('error')).toBeHidden();
  const st = await page.evaluate(() => window.__drit!.state());
  expect(st.model?.nz).toBe(8);
  expect(st.model?.warmupMs).toBeGreaterThan(0);
  // One slider per attribute dimension.
  await expect(page.locator('input[type=range][data-testid^=slider-]')).toHaveCount(8);
});

test('file picker: content image -> exact model input and a translation', async () => {
  await ready({ content: false });
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  await expect(page.getByTestId('model-input-view')).toHaveJSProperty('width', 64);
  await expect(page.getByTestId('output')).toHaveJSProperty('width', 64);
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  expect(await canvasSpread(page, 'model-input-view')).toBeGreaterThan(1);
  await expect(page.getByTestId('perf-encode')).toHaveText(/\d+(\.\d)? ms/);
  await expect(page.getByTestId('perf-generate')).toHaveText(/\d+(\.\d)? ms/);
  await readmeShot(page, 'main');
});

test('drag & drop a JPEG and paste a PNG from the clipboard', async () => {
  await ready({ content: true });
  const before = await canvasHash(page, 'model-input-view');
  await afterRender(page, () => dropFiles(page, '[data-testid=content-drop]', [asset('cat.jpg')]));
  await expect(page.getByText('cat.jpg ·')).toBeVisible();
  const jpg = await canvasHash(page, 'model-input-view');
  expect(jpg).not.toBe(before); // JPEG artefacts change the input slightly

  await afterRender(page, () => pasteFile(page, asset('cat2.png')));
  await expect(page.getByText('pasted image ·')).toBeVisible();
  expect(await canvasHash(page, 'model-input-view')).not.toBe(jpg);

  // Dropping anywhere on the page works too; the page-wide drop overlay goes away afterwards.
  await afterRender(page, () => dropFiles(page, 'main', [asset('cat.png')]));
  await expect(page.getByText('cat.png ·')).toBeVisible();
  await expect(page.locator('.drop-overlay')).toHaveCount(0);
  expect(await canvasHash(page, 'model-input-view')).toBe(before);
});

test('crop box: drag to move, handle to resize, keyboard, reset to the model crop', async () => {
  await ready({ content: true });
  const modelCrop = await canvasHash(page, 'model-input-view');
  const box = page.getByTestId('crop-box');
  await expect(box).toHaveClass(/default/);
  const b = (await box.boundingBox())!;
  await afterRender(page, async () => {
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2 - 30, b.y + b.height / 2 + 10, { steps: 5 });
    await page.mouse.up();
  });
  const moved = await page.evaluate(() => window.__drit!.state().crop);
  expect(moved).not.toBeNull();
  expect(moved!.size).toBeGreaterThan(100);
  await expect(page.getByText(/^Crop \d+×\d+ at/)).toBeVisible();
  const movedHash = await canvasHash(page, 'model-input-view');
  expect(movedHash).not.toBe(modelCrop);

  const handle = (await page.getByTestId('crop-handle').boundingBox())!;
  await afterRender(page, async () => {
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x - 40, handle.y - 40, { steps: 5 });
    await page.mouse.up();
  });
  const resized = await page.evaluate(() => window.__drit!.state().crop);
  expect(resized!.size).toBeLessThan(moved!.size);

  await box.focus();
  await afterRender(page, () => page.keyboard.press('ArrowRight'));
  const keyed = await page.evaluate(() => window.__drit!.state().crop);
  expect(keyed!.x).toBeGreaterThan(resized!.x);

  await afterRender(page, () => page.getByTestId('crop-reset').click());
  expect(await page.evaluate(() => window.__drit!.state().crop)).toBeNull();
  expect(await canvasHash(page, 'model-input-view')).toBe(modelCrop);
});

test('direction toggle uses the domain names and re-encodes', async () => {
  await ready({ content: true });
  const dir = page.getByTestId('direction');
  await expect(dir).toContainText('cat → dog');
  const out = await canvasHash(page, 'output');
  await afterRender(page, () => dir.click());
  await expect(dir).toContainText('dog → cat');
  expect(await canvasHash(page, 'output')).not.toBe(out);
  await afterRender(page, () => dir.click());
  await expect(dir).toContainText('cat → dog');
  expect(await canvasHash(page, 'output')).toBe(out);
});

test('sample mode: re-roll draws a new seeded z; locked dimensions keep their value', async () => {
  await ready({ content: true });
  await page.getByTestId('mode-sample').click();
  const z0 = await zValues(page);
  const out0 = await canvasHash(page, 'output');
  await page.getByTestId('lock-2').check();
  await afterRender(page, () => page.getByTestId('reroll').click());
  const z1 = await zValues(page);
  expect(z1[2]).toBe(z0[2]);
  expect(z1.filter((v, i) => v !== z0[i]).length).toBeGreaterThanOrEqual(6);
  expect(await canvasHash(page, 'output')).not.toBe(out0);
  // The sliders show the z that the re-roll set.
  await expect(page.getByTestId('slider-value-0')).toHaveText(z1[0]!.toFixed(2));
  await page.getByTestId('lock-2').uncheck();
});

test('diversity grid: N samples in one batched pass; a tile becomes the current z', async () => {
  await ready({ content: true });
  // The grid is there from the start in sample mode; 'New grid' draws another seed.
  const grid = page.getByTestId('grid');
  await expect(grid).toHaveAttribute('data-count', '6');
  await waitIdle(page);
  const seed = await page.evaluate(() => window.__drit!.state().grid!.seed);
  const before = await page.evaluate(() => window.__drit!.workerMemory());
  await page.getByTestId('grid-show').click();
  await page.waitForFunction((s) => window.__drit!.state().grid!.seed !== s, seed);
  await expect(grid).toHaveAttribute('data-count', '6');
  await waitIdle(page);
  const after = await page.evaluate(() => window.__drit!.workerMemory());
  // One generator pass of batch 6 for the six tiles.
  expect(after.generateCalls - before.generateCalls).toBe(1);
  expect(after.lastBatch).toBe(6);
  // The six tiles are six different images from a single generator call of batch 6.
  const hashes = await grid.locator('canvas').evaluateAll((cs) =>
    cs.map((c) => (c as HTMLCanvasElement).toDataURL()),
  );
  expect(new Set(hashes).size).toBe(6);
  const gridZs = await page.evaluate(() => window.__drit!.state().grid!.zs);
  await afterRender(page, () => page.getByTestId('grid-tile-3').click());
  expect(await zValues(page)).toEqual(gridZs[3]);
  await readmeShot(page, 'grid', { fullPage: true });
});

test('sliders re-render live, latest wins, and 50 moves leave no tensors behind', async () => {
  await ready({ content: true });
  await waitIdle(page);
  const baseline = (await page.evaluate(() => window.__drit!.workerMemory())).numTensors;
  const out = await canvasHash(page, 'output');
  const zBefore = await zValues(page);
  await afterRender(page, () => page.getByTestId('slider-0').fill('2.5'));
  // (This failed twice under load on 2026-11-29, unexplained: the message says what changed.)
  expect(await canvasHash(page, 'output'), `z ${zBefore.join(',')} -> ${(await zValues(page)).join(',')}`).not.toBe(out);
  await expect(page.getByTestId('slider-value-0')).toHaveText('2.50');

  // A move whose render is awaited costs exactly one generator call (batch 1): not the open grid,
  // not a thumbnail, not a second pass for the same z. Counted exactly, so any extra call fails.
  for (const [i, v] of [[1, 1.75], [2, -1.25], [1, 0.5]] as const) {
    const c0 = (await page.evaluate(() => window.__drit!.workerMemory())).generateCalls;
    await afterRender(page, () => page.getByTestId(`slider-${i}`).fill(String(v)));
    const c1 = await page.evaluate(() => window.__drit!.workerMemory());
    expect(c1.generateCalls - c0, `move of slider ${i} to ${v}`).toBe(1);
    expect(c1.lastBatch).toBe(1);
  }

  const r0 = await renders(page);
  const values: number[] = [];
  for (let i = 0; i < 50; i++) {
    const v = Math.round((Math.sin(i * 1.7) * 2.9) * 100) / 100;
    values.push(v);
    await page.getByTestId(`slider-${i % 8}`).fill(String(v));
  }
  await page.waitForFunction((n) => window.__drit!.state().perf.renders > n, r0);
  await waitIdle(page);
  const m = await page.evaluate(() => window.__drit!.workerMemory());
  expect(m.numTensors).toBe(baseline);
  const z = await zValues(page);
  for (let d = 0; d < 8; d++) {
    const lastMove = 48 + d < 50 ? 48 + d : 40 + d; // the last i with i % 8 === d
    expect(z[d]).toBeCloseTo(values[lastMove]!, 5);
  }
  // The displayed output is the render of the final z.
  const last = await canvasHash(page, 'output');
  await afterRender(page, () => page.getByTestId('slider-0').fill(String(values[48]! === 1 ? 0.5 : 1)));
  await afterRender(page, () => page.getByTestId('slider-0').fill(String(values[48]!)));
  expect(await canvasHash(page, 'output')).toBe(last);

  // A burst of 50 moves in one task, faster than any render, with nothing rendering when it starts:
  // each move supersedes the one before before it reaches the worker, so exactly one generator
  // pass runs (the final z) and exactly one result reaches the screen. Superseded renders that
  // ran or were applied would show in either count; the image must be the final z's own render.
  const calls1 = (await page.evaluate(() => window.__drit!.workerMemory())).generateCalls;
  const renders1 = await renders(page);
  const finalZ = await page.evaluate(() => {
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    for (let i = 0; i < 50; i++) {
      const el = document.querySelector<HTMLInputElement>(`[data-testid=slider-${i % 8}]`)!;
      setter.call(el, String(((i * 37) % 600) / 100 - 3));
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }
    return window.__drit!.state().z.slice();
  });
  await page.waitForFunction((n) => window.__drit!.state().perf.renders > n, renders1);
  await waitIdle(page);
  const burst = await page.evaluate(() => window.__drit!.workerMemory());
  expect(burst.generateCalls - calls1, 'generator passes for the burst').toBe(1);
  expect(await renders(page), 'results applied for the burst').toBe(renders1 + 1);
  expect(burst.numTensors).toBe(baseline);
  expect(await zValues(page)).toEqual(finalZ);
  const burstOut = await canvasHash(page, 'output');
  // The same z rendered on its own (away and back) gives the same pixels.
  await afterRender(page, () => page.getByTestId('slider-0').fill(String(finalZ[0] === 1 ? 0.5 : 1)));
  expect(await canvasHash(page, 'output')).not.toBe(burstOut);
  await afterRender(page, () => page.getByTestId('slider-0').fill(String(finalZ[0])));
  expect(await canvasHash(page, 'output')).toBe(burstOut);
});

test('reset returns to the z that was sampled; keyboard moves a slider', async () => {
  await ready({ content: true });
  const base = await page.evaluate(() => window.__drit!.state().baseZ);
  // Move away from the sampled z first (a reset to the z already shown renders nothing).
  await afterRender(page, () => page.getByTestId('slider-2').fill(base[2] === 1.23 ? '-1.23' : '1.23'));
  await afterRender(page, () => page.getByTestId('reset').click());
  expect(await zValues(page)).toEqual(base);
  const slider = page.getByTestId('slider-1');
  await slider.focus();
  const v = (await zValues(page))[1]!;
  await afterRender(page, () => page.keyboard.press('ArrowRight'));
  expect((await zValues(page))[1]).toBeCloseTo(Math.min(3, Math.round((v + 0.01) * 100) / 100), 2);
});

test('history: every step is an entry with a thumbnail; Ctrl+Z / Ctrl+Shift+Z; a star is kept for the next visit', async () => {
  await ready({ content: true });
  const history = page.getByTestId('history');
  const count = async (): Promise<number> => Number(await history.getAttribute('data-count'));
  const index = async (): Promise<number> => Number(await history.getAttribute('data-index'));
  await afterRender(page, () => page.getByTestId('reroll').click()); // a known last entry to start from
  const n0 = await count();
  const z0 = await zValues(page);
  await afterRender(page, () => page.getByTestId('reroll').click());
  const z1 = await zValues(page);
  await afterRender(page, () => page.getByTestId('reroll').click());
  const z2 = await zValues(page);
  expect(await count()).toBe(n0 + 2);
  expect(await index()).toBe(n0 + 1);
  // a thumbnail of the output is drawn for the current entry
  expect(await canvasSpread(page, `history-thumb-${n0 + 1}`)).toBeGreaterThan(0);
  // a slider drag ends in one entry (release), not one per move
  const slider = page.getByTestId('slider-0');
  await slider.focus();
  await afterRender(page, () => page.keyboard.press('ArrowRight'));
  expect(await count()).toBe(n0 + 3);
  const z3 = await zValues(page);
  expect(z3[0]).toBeCloseTo(Math.min(3, Math.round((z2[0]! + 0.01) * 100) / 100), 2);
  // undo twice, redo once, with the keyboard (focus on the page body)
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await afterRender(page, () => page.keyboard.press('Control+z'));
  expect(await zValues(page)).toEqual(z2);
  await afterRender(page, () => page.keyboard.press('Control+z'));
  expect(await zValues(page)).toEqual(z1);
  await afterRender(page, () => page.keyboard.press('Control+Shift+z'));
  expect(await zValues(page)).toEqual(z2);
  // clicking an entry shows its z; a new step then drops the undone future
  await afterRender(page, () => page.getByTestId(`history-entry-${n0 - 1}`).click());
  expect(await zValues(page)).toEqual(z0);
  await page.getByTestId('history-star').click();
  await expect(page.getByTestId('history-star')).toHaveAttribute('aria-pressed', 'true');
  await afterRender(page, () => page.getByTestId('reroll').click());
  expect(await count()).toBe(n0 + 1);
  // the starred z is offered again on the next visit (per model, browser storage)
  const next = await context.newPage();
  await next.goto('/?model=tiny');
  await waitForModel(next, 'tiny');
  const starred = await next.evaluate(() => window.__drit!.state().history.entries.filter((e) => e.starred).map((e) => e.z));
  await next.close();
  expect(starred).toEqual([z0]);
});

test('reference mode: the thumbnail stays and z = E_a(reference)', async () => {
  await ready({ content: true });
  await page.getByTestId('mode-reference').click();
  const z0 = await zValues(page);
  await afterRender(page, () => page.getByTestId('reference-input').setInputFiles(asset('dog.png')));
  await expect(page.getByTestId('reference-thumb')).toBeVisible();
  const st = await page.evaluate(() => window.__drit!.state());
  expect(st.mode).toBe('reference');
  expect(st.reference!.status).toBe('ready');
  expect(st.reference!.mu).toHaveLength(8);
  expect(st.reference!.input!.width).toBeGreaterThan(1); // its real model input, not a placeholder
  expect(st.z).toEqual(st.reference!.mu);
  expect(st.z).not.toEqual(z0);
  // The sliders show the reference's attribute.
  await expect(page.getByTestId('slider-value-3')).toHaveText(st.z[3]!.toFixed(2));
  // A second reference dropped onto the reference area replaces it.
  await afterRender(page, () => dropFiles(page, '[data-testid=reference-drop]', [asset('cat2.png')]));
  const st2 = await page.evaluate(() => window.__drit!.state());
  expect(st2.reference!.slot.name).toBe('cat2.png');
  expect(st2.z).not.toEqual(st.z);
  await expect(page.getByTestId('reference-thumb')).toBeVisible();
  await readmeShot(page, 'reference');
});

test('interpolation: strip of K frames in one pass, animated preview, download', async () => {
  await ready({ content: true });
  await page.getByTestId('interp-from-current').click();
  await page.getByTestId('mode-sample').click();
  await afterRender(page, () => page.getByTestId('reroll').click());
  await page.getByTestId('interp-to-current').click();
  await page.getByTestId('interp-frames').fill('5');
  await page.getByTestId('interp-render').click();
  await expect(page.getByTestId('interp-strip')).toHaveAttribute('data-count', '5');
  expect((await page.evaluate(() => window.__drit!.workerMemory())).lastBatch).toBe(5);
  // The animated preview cycles through the frames.
  const seen = new Set<string>();
  for (let i = 0; i < 12 && seen.size < 2; i++) {
    seen.add(await canvasHash(page, 'interp-preview'));
    await page.waitForTimeout(120);
  }
  expect(seen.size).toBeGreaterThan(1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('interp-download').click()]);
  expect(download.suggestedFilename()).toBe('drit-interpolation.png');
  const png = readFileSync(await download.path());
  expect(pngSize(png)).toEqual({ width: 5 * 64 + 4 * 2, height: 64 });
  await readmeShot(page, 'interpolation', { fullPage: true });
});

test('output: download PNG, copy to the clipboard, share link restores the settings', async () => {
  await ready({ content: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  expect(download.suggestedFilename()).toBe('drit-output.png');
  expect(pngSize(readFileSync(await download.path()))).toEqual({ width: 64, height: 64 });

  await page.getByTestId('copy').click();
  await expect(page.getByTestId('notice')).toContainText('copied');
  const types = await page.evaluate(async () => (await navigator.clipboard.read()).flatMap((i) => [...i.types]));
  expect(types).toContain('image/png');

  await page.getByTestId('direction').click();
  await waitIdle(page);
  await page.getByTestId('share').click();
  await expect(page.getByTestId('notice')).toContainText('Share link');
  const url = page.url();
  expect(url).toMatch(/#m=tiny&d=b2a&z=/);
  const st = await page.evaluate(() => window.__drit!.state());

  const other = await context.newPage();
  logErrors(other);
  await other.goto(url);
  await waitForModel(other, 'tiny');
  await expect(other.getByTestId('direction')).toContainText('dog → cat');
  const z = await zValues(other);
  z.forEach((v, i) => expect(v).toBeCloseTo(st.z[i]!, 3));
  await expect(other.getByTestId('notice')).toContainText('Drop your own image');
  await other.getByTestId('content-input').setInputFiles(asset('cat.png'));
  await other.waitForFunction(() => window.__drit!.state().output !== null);
  await other.close();
  await page.getByTestId('direction').click();
  await waitIdle(page);
});

test('controls are labelled and keyboard operable', async () => {
  await ready({ content: true });
  await page.getByTestId('mode-reference').click();
  for (const id of ['content-input', 'reference-input', 'model-input', 'direction', 'reroll', 'mode-sample', 'mode-reference', 'slider-0', 'slider-7', 'model-select']) {
    const name = await page.getByTestId(id).evaluate((el) => {
      const e = el as HTMLInputElement;
      return (e.labels?.[0]?.textContent ?? '') + (el.getAttribute('aria-label') ?? '') + (el.textContent ?? '');
    });
    expect(name.trim(), `accessible name of ${id}`).not.toBe('');
  }
  await page.getByTestId('mode-sample').click();
  const seed = await page.getByTestId('seed').textContent();
  await page.getByTestId('reroll').focus();
  await afterRender(page, () => page.keyboard.press('Enter'));
  expect(await page.getByTestId('seed').textContent()).not.toBe(seed);
  await page.getByTestId('direction').focus();
  await afterRender(page, () => page.keyboard.press('Space'));
  await expect(page.getByTestId('direction')).toContainText('dog → cat');
  await afterRender(page, () => page.keyboard.press('Space'));
});

test('works on a 360 px wide phone screen', async () => {
  await ready({ content: true });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByTestId('output')).toBeVisible();
  const out = await page.getByTestId('output').boundingBox();
  expect(out!.width).toBeGreaterThan(100);
  await readmeShot(page, 'phone', { fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('second visit: weights come from the cache, also offline', async () => {
  await ready({ content: false });
  const shardRequests: string[] = [];
  const other = await context.newPage();
  logErrors(other);
  other.on('request', (r) => {
    if (r.url().includes('/e2e-packs/tiny/weights')) shardRequests.push(r.url());
  });
  await other.goto('/?model=tiny');
  await waitForModel(other, 'tiny');
  expect(shardRequests).toEqual([]);
  await expect(other.getByTestId('model-name')).toContainText('(cached)');
  // Offline: switching to another model and back loads the cached pack without the network.
  await context.setOffline(true);
  try {
    await other.getByTestId('model-select').selectOption('tiny-corrupt');
    await expect(other.getByTestId('error')).toBeVisible();
    await other.getByTestId('model-select').selectOption('tiny');
    await waitForModel(other, 'tiny');
    await afterRender(other, () => other.getByTestId('content-input').setInputFiles(asset('cat.png')));
    expect(await canvasSpread(other, 'output')).toBeGreaterThan(1);
  } finally {
    await context.setOffline(false);
    await other.close();
  }
});
