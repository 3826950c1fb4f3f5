/**
 * npm run bench:cold-start [-- --backends auto,webgpu,wasm] [--model cat2dog] [--no-build] [--runs N] [--port 5197]
 *
 * `auto` visits without `?backend=` (the app's automatic choice: the row shows the backend it
 * picked and, below the table, why); any other name is forced with `?backend=`.
 *
 * Cold start in Chromium on the production build (vite build + vite preview): page load -> model
 * ready -> first output, split into the worker's own timings (fetch + sha256 verify of the pack,
 * weight tensor creation, warm-up pass = weight upload + shader compilation + one run) and the
 * first real translation after an image is dropped. Every run uses a fresh browser profile (empty
 * HTTP and Cache Storage), then a reload in the same profile shows the cached second visit.
 * Debian's Chromium with --enable-unsafe-webgpu (SwiftShader on machines without a GPU).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from '@playwright/test';
import { REPO, launchChromium, servePreview } from './browser';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'auto,webgpu,wasm' },
    model: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    port: { type: 'string', default: '5197' },
    image: { type: 'string', default: join(REPO, 'fixtures', 'translate', 'input.png') },
  },
});

interface Perf {
  packMs?: number;
  buildMs?: number;
  warmupMs?: number;
  encodeMs?: number;
  generateMs?: number;
}

interface Snapshot {
  ready: boolean;
  error: string | null;
  backend: string | null;
  adapter: string | null;
  reason: string | null;
  fromCache: boolean | null;
  bytes: number | null;
  renders: number;
  perf: Perf;
  now: number;
}

async function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => {
    const s = window.__drit!.state();
    return {
      ready: !!s.model && !s.loading,
      error: s.error,
      backend: s.backend?.name ?? null,
      adapter: s.backend?.adapter ?? null,
      reason: s.backend?.reason ?? null,
      fromCache: s.model?.fromCache ?? null,
      bytes: s.model?.bytes ?? null,
      renders: s.perf.renders,
      perf: { ...s.perf },
      now: performance.now(),
    };
  });
}

async function waitFor(page: Page, pred: (s: Snapshot) => boolean, what: string, timeoutMs = 600_000): Promise<Snapshot> {
  const start = Date.now();
  for (;;) {
    const s = await snapshot(page);
    if (s.error) throw new Error(`${what}: the page reports an error: ${s.error}`);
    if (pred(s)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: timed out`);
    await page.waitForTimeout(50);
  }
}

interface Row {
  /** 'auto' or the forced backend. */
  asked: string;
  backend: string;
  reason: string;
  visit: 'cold' | 'cached';
  adapter: string;
  mb: string;
  readyMs: number;
  packMs: number;
  buildMs: number;
  warmupMs: number;
  firstOutputMs: number;
  encodeMs: number;
  generateMs: number;
}

async function measure(page: Page, url: string, backend: string, visit: 'cold' | 'cached'): Promise<Row> {
  await page.goto(url);
  const ready = await waitFor(page, (s) => s.ready, 'model load');
  const before = ready.renders;
  const t0 = Date.now();
  await page.locator('[data-testid="content-input"]').setInputFiles(args.image!);
  const out = await waitFor(page, (s) => s.renders > before && s.perf.generateMs !== undefined, 'first output');
  return {
    asked: backend,
    backend: ready.backend ?? '-',
    reason: ready.reason ?? '-',
    visit,
    adapter: ready.adapter ?? '-',
    mb: ready.bytes ? (ready.bytes / 2 ** 20).toFixed(1) : '-',
    readyMs: ready.now,
    packMs: ready.perf.packMs ?? NaN,
    buildMs: ready.perf.buildMs ?? NaN,
    warmupMs: ready.perf.warmupMs ?? NaN,
    firstOutputMs: Date.now() - t0,
    encodeMs: out.perf.encodeMs ?? NaN,
    generateMs: out.perf.generateMs ?? NaN,
  };
}

async function main(): Promise<void> {
  const server = await servePreview(Number(args.port), !args['no-build']);
  const rows: Row[] = [];
  try {
    const base = server.base;
    for (const backend of (args.backends ?? '').split(',').filter(Boolean)) {
      for (let run = 0; run < Number(args.runs); run++) {
        const browser = await launchChromium();
        const context = await browser.newContext();
        const page = await context.newPage();
        const query = [backend === 'auto' ? '' : `backend=${backend}`, args.model ? `model=${args.model}` : ''].filter(Boolean).join('&');
        const url = `${base}${query ? `?${query}` : ''}`;
        rows.push(await measure(page, url, backend, 'cold'));
        rows.push(await measure(page, url, backend, 'cached'));
        await browser.close();
      }
    }
  } finally {
    server.stop();
  }
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-');
  console.log(`\n${new Date().toISOString()}; Debian Chromium; production build\n`);
  console.log('| asked | backend | visit | pack MB | page -> model ready ms | fetch + verify ms | build tensors ms | warm-up ms | drop -> first output ms | encode ms | generate ms | adapter |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.asked} | ${r.backend} | ${r.visit} | ${r.mb} | ${f(r.readyMs)} | ${f(r.packMs)} | ${f(r.buildMs)} | ${f(r.warmupMs)} | ${f(r.firstOutputMs)} | ${f(r.encodeMs)} | ${f(r.generateMs)} | ${r.adapter} |`);
  }
  console.log('\nWhy each backend ran (the perf readout):');
  for (const r of new Map(rows.map((r) => [r.asked, r])).values()) console.log(`- ${r.asked}: ${r.backend} — ${r.reason}`);
}

await main();
process.exit(0);
