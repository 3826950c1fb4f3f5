/** Shared helpers of the browser suite: origin watch, waiting for renders, dropping real files. */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { ROOT, asset } from './assets';

export const PORT = Number(process.env.E2E_PORT ?? 5199);
export const BASE = `http://localhost:${PORT}`;
export const PROD_BASE = `http://localhost:${Number(process.env.E2E_PROD_PORT ?? 5198)}`;

/** Records every request of a context (pages and workers) that leaves the page's origin. */
export function watchOrigin(context: BrowserContext, origin = BASE): { foreign: string[]; count(): number } {
  const foreign: string[] = [];
  let count = 0;
  context.on('request', (req) => {
    count++;
    const url = req.url();
    if (url.startsWith('blob:') || url.startsWith('data:')) return; // never leave the page
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return { foreign, count: () => count };
}

/** Forwards the page's console errors to the test output (helps when a test fails in CI). */
export function logErrors(page: Page): void {
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[console.error] ${m.text().slice(0, 500)}`);
  });
}

export async function waitForModel(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const s = window.__drit?.state();
      return !!s && s.model?.id === want && s.loading === null;
    },
    id,
  );
}

export async function renders(page: Page): Promise<number> {
  return page.evaluate(() => window.__drit!.state().perf.renders);
}

/** Waits until every render channel is idle (no output, grid or strip in progress). */
export async function waitIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const s = window.__drit!.state();
      return !s.rendering && !s.grid?.busy && !s.interp.busy && s.loading === null;
    },
  );
}

/** Runs `action` and waits for at least one new output render after it. */
export async function afterRender(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await renders(page);
  await action();
  await page.waitForFunction((n) => window.__drit!.state().perf.renders > n, before);
  await waitIdle(page);
}

/** FNV-1a hash of a canvas' pixels (to tell images apart), or '' when it is empty. */
export async function canvasHash(page: Page, testId: string): Promise<string> {
  return page.getByTestId(testId).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    if (!c.width || !c.height || c.dataset.empty) return '';
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i]!, 0x01000193) >>> 0;
    return `${c.width}x${c.height}:${h.toString(16)}`;
  });
}

/** Standard deviation of a canvas' pixel values: > 0 means it is not a flat colour. */
export async function canvasSpread(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    let s2 = 0;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      for (let k = 0; k < 3; k++) {
        s += d[i + k]!;
        s2 += d[i + k]! * d[i + k]!;
        n++;
      }
    }
    return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
  });
}

export async function zValues(page: Page): Promise<number[]> {
  return page.evaluate(() => window.__drit!.state().z.slice());
}

function mimeOf(path: string): string {
  if (path.endsWith('.png')) return 'image/png';
  if (path.endsWith('.jpg') || path.endsWith('.jpeg')) return 'image/jpeg';
  return 'application/octet-stream';
}

/** Drops real files (read from disk) onto an element, as a user dragging them from a file manager. */
export async function dropFiles(page: Page, selector: string, paths: string[]): Promise<void> {
  const files = paths.map((p) => ({ name: basename(p), type: mimeOf(p), b64: readFileSync(p).toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: dt });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: dt });
}

/** Pastes a real image file as the clipboard's content (a paste event carrying the file). */
export async function pasteFile(page: Page, path: string): Promise<void> {
  const b64 = readFileSync(path).toString('base64');
  await page.evaluate(
    ({ b64, type }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'clipboard.png', { type }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { b64, type: mimeOf(path) },
  );
}

/** PNG width/height from a file's IHDR. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Screenshots for the README: copied to e2e/screenshots only when UPDATE_SCREENSHOTS=1. */
export async function readmeShot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const tmp = join(ROOT, 'test-results', 'screenshots', `${name}.png`);
  mkdirSync(join(ROOT, 'test-results', 'screenshots'), { recursive: true });
  await page.screenshot({ path: tmp, fullPage: opts.fullPage ?? false });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(join(ROOT, 'e2e/screenshots'), { recursive: true });
    copyFileSync(tmp, join(ROOT, 'e2e/screenshots', `${name}.png`));
  }
}

/**
 * A shared page for a serial suite: its own context (origin watched), the tiny test model loaded,
 * the diversity grid closed (app.spec.ts covers it) and a first image translated.
 */
async function openTinyModelPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; watch: ReturnType<typeof watchOrigin> }> {
  const context = await browser.newContext({ baseURL: BASE });
  const watch = watchOrigin(context);
  const page = await context.newPage();
  logErrors(page);
  await page.goto('/?model=tiny');
  await waitForModel(page, 'tiny');
  await page.getByRole('button', { name: 'Close grid' }).click();
  await afterRender(page, () => page.getByTestId('content-input').setInputFiles(asset('cat.png')));
  return { context, page, watch };
}

/**
 * One tiny-model page shared by the tests of a spec file: opened before the first test (handed to
 * `onOpen`), checked for requests that left the origin and closed after the last. Not a serial
 * group: after a failure Playwright goes on in a fresh worker, where this opens a new page, so one
 * slow or failing test does not skip the rest.
 */
export function shareTinyModelPage(onOpen: (opened: { context: BrowserContext; page: Page }) => void): void {
  test.describe.configure({ mode: 'default' });
  let opened: Awaited<ReturnType<typeof openTinyModelPage>> | undefined;
  test.beforeAll(async ({ browser }) => {
    opened = await openTinyModelPage(browser);
    onOpen(opened);
  });
  test.afterAll(async () => {
    if (!opened) return;
    expect(opened.watch.foreign, 'requests that left the page origin').toEqual([]);
    await opened.context.close();
  });
}

/**
 * A page of its own for a serial spec file: a fresh context (1280x900, requests leaving the origin
 * recorded) opened before the first test and handed to `onOpen`, checked for such requests and
 * closed after the last.
 */
export function ownSerialPage(onOpen: (page: Page) => void): void {
  test.describe.configure({ mode: 'serial' });
  let context: BrowserContext | undefined;
  let watch: ReturnType<typeof watchOrigin> | undefined;
  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
    watch = watchOrigin(context);
    const page = await context.newPage();
    logErrors(page);
    onOpen(page);
  });
  test.afterAll(async () => {
    expect(watch?.foreign, 'requests that left the page origin').toEqual([]);
    await context?.close();
  });
}

/** The WCAG 2.0 / 2.1 A and AA rules of axe-core: what e2e/a11y.spec.ts measures. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe-core's serious and critical violations of the page as it is now: "id (impact): help — targets". */
export async function axeViolations(page: Page): Promise<string[]> {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      // the selectors, with axe's own words where it measured something (a contrast ratio)
      const nodes = v.nodes.map((n) => `${n.target.join(' ')}${n.any[0]?.message ? ` [${n.any[0].message}]` : ''}`);
      return `${v.id} (${v.impact}): ${v.help} — ${nodes.join(', ')}`;
    });
}

/**
 * Fails, listing them (rule id, help, the elements' selectors), when axe-core finds serious or
 * critical WCAG 2.1 A/AA violations on the page in the state it is in; `label` names the state.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const found = await axeViolations(page);
  expect(found, `serious or critical accessibility violations: ${label}\n${found.join('\n')}`).toEqual([]);
}
