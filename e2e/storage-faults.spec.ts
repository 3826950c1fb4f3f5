/**
 * Storage faults lose nothing (issue 24): Cache Storage full while keeping weights or a converted
 * model, a cached shard damaged on disk, browser storage (localStorage / IndexedDB) unavailable.
 * Each time the page keeps working, says in a notice what was not kept, and what was saved before
 * is still there after a reload. Faults are simulated in the page (init scripts, switched by a
 * cookie) and in the inference worker (a patch put in front of its script as it is served).
 * The service worker updated mid-visit is covered by e2e/production.spec.ts ('a new deploy …').
 */
import { join, resolve } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { asset } from './assets';
import { BASE, afterRender, canvasSpread, dropFiles, logErrors, waitForModel, watchOrigin } from './helpers';

const ROOT = resolve(import.meta.dirname, '..');
const PACK_CACHE = 'drit-model-packs-v1';

/** Every Cache.put in the worker fails as a full disk does. */
const WORKER_QUOTA_FULL = `
Cache.prototype.put = function () {
  return Promise.reject(new DOMException('simulated: the quota has been exceeded', 'QuotaExceededError'));
};
`;

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Switches the worker fault for workers started from now on (a reload starts one). */
  setWorkerFault(on: boolean): void;
  watch: ReturnType<typeof watchOrigin>;
}

async function open(browser: Browser, workerFault = false): Promise<Opened> {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  const watch = watchOrigin(context);
  let fault = workerFault;
  await context.route(
    (url) => url.pathname.endsWith('/src/worker/worker.ts'),
    async (route) => {
      const res = await route.fetch();
      const body = await res.text();
      await route.fulfill({ response: res, body: fault ? `${body}\n${WORKER_QUOTA_FULL}` : body });
    },
  );
  // Private mode: touching localStorage or indexedDB throws (switched by a cookie, so that a reload
  // can come back with storage working).
  await context.addInitScript(() => {
    if (!document.cookie.includes('drit-fault=nostorage')) return;
    const refuse = (): never => {
      throw new DOMException('simulated: storage is disabled', 'SecurityError');
    };
    Object.defineProperty(window, 'localStorage', { get: refuse, configurable: true });
    Object.defineProperty(window, 'indexedDB', { get: refuse, configurable: true });
  });
  const page = await context.newPage();
  logErrors(page);
  return { context, page, watch, setWorkerFault: (on) => (fault = on) };
}

async function close(o: Opened): Promise<void> {
  expect(o.watch.foreign, 'requests that left the page origin').toEqual([]);
  await o.context.close();
}

/** Uncaught errors of the page (a fault must not become one). */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function loadTiny(page: Page): Promise<void> {
  await page.goto('/?model=tiny&backend=wasm');
  await waitForModel(page, 'tiny');
}

/** The page translates a photo. */
async function translates(page: Page): Promise<void> {
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  expect(await canvasSpread(page, 'output')).toBeGreaterThan(1);
  await expect(page.getByTestId('error')).toBeHidden();
}

/** The URLs kept in the model-pack cache. */
function packKeys(page: Page): Promise<string[]> {
  return page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url), PACK_CACHE);
}

/** A test on a fresh context with the tiny model loaded; no uncaught page error may happen in it. */
function faultTest(title: string, workerFault: boolean, body: (o: Opened) => Promise<void>): void {
  test(title, async ({ browser }) => {
    const o = await open(browser, workerFault);
    const errors = pageErrors(o.page);
    await loadTiny(o.page);
    await body(o);
    expect(errors).toEqual([]);
    await close(o);
  });
}

faultTest('Cache Storage full while keeping the weights: the model works and the visitor is told', true, async (o) => {
  await expect(o.page.getByTestId('notice')).toContainText('could not be kept in this browser (browser storage is full)');
  await expect(o.page.getByTestId('error')).toBeHidden();
  await translates(o.page);
  // Nothing half-kept: no shard of the pack went into the cache.
  const keys = await packKeys(o.page);
  expect(keys.filter((k) => k.includes('sha256='))).toEqual([]);
  // With room again, the next visit downloads and keeps them.
  o.setWorkerFault(false);
  await loadTiny(o.page);
  await expect(o.page.getByTestId('notice')).toBeHidden();
  const after = await packKeys(o.page);
  expect(after.filter((k) => k.includes('sha256=')).length).toBeGreaterThan(0);
});

faultTest('Cache Storage full while keeping a converted model: it is used from memory; models kept before stay', false, async (o) => {
  // One conversion kept while there is room.
  await dropFiles(o.page, 'main', [join(ROOT, 'fixtures/c1/checkpoint_zip.pth')]);
  await expect(o.page.getByTestId('notice')).toContainText('Converted “checkpoint_zip.pth”');
  await o.page.waitForFunction(() => window.__drit!.state().model?.id.startsWith('local-') && !window.__drit!.state().loading);
  const kept = await o.page.evaluate(() => window.__drit!.state().model!.id);

  // The disk fills up; a second conversion cannot be stored.
  o.setWorkerFault(true);
  await loadTiny(o.page);
  await o.page.getByTestId('model-input').setInputFiles(join(ROOT, 'fixtures/c0_zeropad/checkpoint_legacy.pth'));
  await expect(o.page.getByTestId('notice')).toContainText('could not be stored in this browser (browser storage is full)');
  await expect(o.page.getByTestId('notice')).toContainText('until this tab is closed');
  await o.page.waitForFunction((id) => {
    const s = window.__drit!.state();
    return !!s.model && s.model.id.startsWith('local-') && s.model.id !== id && !s.loading;
  }, kept);
  await translates(o.page);
  // It was not half-written into the cache either.
  const memoryId = await o.page.evaluate(() => window.__drit!.state().model!.id);
  const keys = await packKeys(o.page);
  expect(keys.filter((k) => k.includes(memoryId))).toEqual([]);

  // After a reload the model converted before is still there, and works; the unstored one is gone.
  o.setWorkerFault(false);
  await loadTiny(o.page);
  const options = o.page.getByTestId('model-select').locator('option', { hasText: 'converted here' });
  await expect(options).toHaveCount(1);
  expect(await options.first().getAttribute('value')).toBe(kept);
  await o.page.getByTestId('model-select').selectOption(kept);
  await waitForModel(o.page, kept);
  await translates(o.page);
});

faultTest('a cached shard damaged on disk: the SHA-256 check catches it, it is downloaded again, the model loads', false, async (o) => {
  // Flip bytes of one kept shard, as a damaged disk would.
  const { key, original } = await o.page.evaluate(async (name) => {
    const cache = await caches.open(name);
    const shard = (await cache.keys()).find((r) => r.url.includes('sha256='))!;
    const bytes = new Uint8Array(await (await cache.match(shard))!.arrayBuffer());
    const original = Array.from(bytes.slice(0, 64));
    const damaged = bytes.slice();
    for (let i = 0; i < Math.min(64, damaged.length); i++) damaged[i] = damaged[i]! ^ 0xff;
    await cache.put(shard, new Response(damaged));
    return { key: shard.url, original };
  }, PACK_CACHE);

  await loadTiny(o.page);
  await expect(o.page.getByTestId('notice')).toContainText('was damaged (it failed its SHA-256 check); it was downloaded again');
  await expect(o.page.getByTestId('error')).toBeHidden();
  await translates(o.page);
  // The good shard is what is kept now.
  const now = await o.page.evaluate(
    async ({ name, key }) => Array.from(new Uint8Array(await (await (await caches.open(name)).match(key))!.arrayBuffer()).slice(0, 64)),
    { name: PACK_CACHE, key },
  );
  expect(now).toEqual(original);
});

faultTest('browser storage unavailable (private mode): the page works, a star says it is not kept, stars kept before return', false, async (o) => {
  await translates(o.page);
  await afterRender(o.page, () => o.page.getByTestId('reroll').click());
  await o.page.getByTestId('history-star').click();
  await expect(o.page.getByTestId('history-star')).toHaveAttribute('aria-pressed', 'true');
  const starredBefore = await o.page.evaluate(() => window.__drit!.state().history.entries.filter((e) => e.starred).map((e) => e.z));
  expect(starredBefore).toHaveLength(1);

  // Storage switched off: everything still works; a new star is not kept, and the visitor is told.
  await o.context.addCookies([{ name: 'drit-fault', value: 'nostorage', url: BASE }]);
  await loadTiny(o.page);
  expect(await o.page.evaluate(() => {
    try {
      return typeof localStorage;
    } catch (e) {
      return (e as Error).name;
    }
  })).toBe('SecurityError');
  await translates(o.page);
  await afterRender(o.page, () => o.page.getByTestId('reroll').click());
  await o.page.getByTestId('history-star').click();
  await expect(o.page.getByTestId('history-star')).toHaveAttribute('aria-pressed', 'true');
  await expect(o.page.getByTestId('notice')).toContainText('could not be saved for the next visit');
  await expect(o.page.getByTestId('error')).toBeHidden();

  // Storage back: the star saved before is still there.
  await o.context.clearCookies();
  await loadTiny(o.page);
  const starredAfter = await o.page.evaluate(() => window.__drit!.state().history.entries.filter((e) => e.starred).map((e) => e.z));
  expect(starredAfter).toEqual(starredBefore);
});
