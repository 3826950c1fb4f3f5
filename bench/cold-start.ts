/**
 * npm run bench:cold-start [-- --backends auto,webgpu,wasm] [--model cat2dog] [--no-build] [--runs N] [--port 5197]
 *                          [--ort wasm,webgpu] [--ort-threads 2] [--ort-port 5198] [--dist DIR]
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
 *
 * --ort: the same model exported to ONNX (bench/export_onnx.py) on onnxruntime-web (execution
 * providers `wasm` and/or `webgpu`, --ort-threads wasm threads; default 2, the count the app's wasm
 * backend uses on this machine) in a minimal page (bench/ort-page) from our own origin
 * (bench/ort-server.ts): page -> sessions ready -> first output (decode, resize, E_c + G, draw), in the
 * same run, each ORT run after the app's runs of the same round. Every visit also counts the bytes it
 * loads (network or HTTP cache), as code (html/js/mjs/wasm, raw and gzip -9) and model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { REPO, launchChromium, servePreview } from './browser';
import { inputFile, BENCH_CACHE } from './input';
import { ensureOnnx } from './ort';
import { serveOrtPage } from './ort-server';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'auto,webgpu,wasm' },
    model: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    port: { type: 'string', default: '5197' },
    image: { type: 'string', default: join(REPO, 'fixtures', 'translate', 'input.png') },
    ort: { type: 'string', default: 'wasm' },
    'ort-threads': { type: 'string', default: '2' },
    'ort-port': { type: 'string', default: '5198' },
    dist: { type: 'string' },
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
  bytes: Bytes;
}

interface Bytes {
  code: number;
  codeGzip: number;
  model: number;
}

/** Counts what the page downloads from now on (responses with a body), split into code and model bytes. */
function countBytes(page: Page): { bytes: Bytes; settle(): Promise<void> } {
  const bytes: Bytes = { code: 0, codeGzip: 0, model: 0 };
  const pending: Promise<void>[] = [];
  page.on('response', (r) => {
    if (r.status() !== 200) return;
    pending.push(r.body().then((b) => {
      if (/\.(html|m?js|wasm|css)$|\/$/.test(new URL(r.url()).pathname)) {
        bytes.code += b.length;
        bytes.codeGzip += gzipSync(b, { level: 9 }).length;
      } else bytes.model += b.length;
    }, () => undefined));
  });
  return { bytes, settle: async () => void (await Promise.all(pending)) };
}

async function measure(page: Page, url: string, backend: string, visit: 'cold' | 'cached'): Promise<Row> {
  const counter = countBytes(page);
  await page.goto(url);
  const ready = await waitFor(page, (s) => s.ready, 'model load');
  const before = ready.renders;
  const t0 = Date.now();
  await page.locator('[data-testid="content-input"]').setInputFiles(args.image!);
  const out = await waitFor(page, (s) => s.renders > before && s.perf.generateMs !== undefined, 'first output');
  await counter.settle();
  page.removeAllListeners('response');
  return {
    bytes: counter.bytes,
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

interface OrtResult {
  importMs?: number;
  fetchMs?: number;
  readyMs?: number;
  firstOutputMs?: number;
  modelBytes?: number;
  error?: string;
}

/** One visit of the ONNX Runtime Web page; the same columns as the app's rows where they exist. */
async function measureOrt(page: Page, url: string, ep: string, visit: 'cold' | 'cached'): Promise<Row> {
  const counter = countBytes(page);
  await page.goto(url);
  const start = Date.now();
  let r: OrtResult = {};
  while (r.firstOutputMs === undefined) {
    r = await page.evaluate(() => (window as unknown as { __ortBench?: OrtResult }).__ortBench ?? {});
    if (r.error) throw new Error(`ONNX Runtime page (${ep}): ${r.error}`);
    if (Date.now() - start > 600_000) throw new Error(`ONNX Runtime page (${ep}): timed out`);
    await page.waitForTimeout(50);
  }
  await counter.settle();
  page.removeAllListeners('response');
  return {
    asked: `ort-${ep}`, backend: `onnxruntime-web ${ep}`, reason: '-', visit, adapter: '-',
    mb: r.modelBytes ? (r.modelBytes / 2 ** 20).toFixed(1) : '-',
    readyMs: r.readyMs ?? NaN, packMs: (r.fetchMs ?? NaN) - (r.importMs ?? NaN), buildMs: (r.readyMs ?? NaN) - (r.fetchMs ?? NaN),
    warmupMs: NaN, firstOutputMs: r.firstOutputMs, encodeMs: NaN, generateMs: NaN, bytes: counter.bytes,
  };
}

/** The shipped model (or --model) exported to ONNX, as `npm run bench` caches it. */
function ortExport(): string {
  const id = args.model ?? 'cat2dog';
  const pack = join(REPO, 'public', 'models', id);
  if (!existsSync(join(pack, 'manifest.json'))) throw new Error(`--ort: no pack at public/models/${id}`);
  const size = (JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as { preprocess: { crop: number } }).preprocess.crop;
  return ensureOnnx(pack, join(BENCH_CACHE, 'onnx', id), size, inputFile(size).path).dir;
}

async function main(): Promise<void> {
  const eps = (args.ort ?? '').split(',').filter(Boolean);
  for (const ep of eps) if (ep !== 'wasm' && ep !== 'webgpu') throw new Error(`--ort: unknown execution provider '${ep}' (wasm, webgpu)`);
  const ortServer = eps.length ? await serveOrtPage(Number(args['ort-port']), ortExport(), args.image!) : undefined;
  const server = await servePreview(Number(args.port), !args['no-build'], args.dist);
  const rows: Row[] = [];
  try {
    const base = server.base;
    for (let run = 0; run < Number(args.runs); run++) {
      for (const backend of (args.backends ?? '').split(',').filter(Boolean)) {
        const browser = await launchChromium();
        const context = await browser.newContext();
        const page = await context.newPage();
        const query = [backend === 'auto' ? '' : `backend=${backend}`, args.model ? `model=${args.model}` : ''].filter(Boolean).join('&');
        const url = `${base}${query ? `?${query}` : ''}`;
        rows.push(await measure(page, url, backend, 'cold'));
        rows.push(await measure(page, url, backend, 'cached'));
        await browser.close();
      }
      for (const ep of eps) {
        const browser = await launchChromium();
        const page = await (await browser.newContext()).newPage();
        const url = `${ortServer!.base}?ep=${ep}&threads=${args['ort-threads']}`;
        rows.push(await measureOrt(page, url, ep, 'cold'));
        rows.push(await measureOrt(page, url, ep, 'cached'));
        await browser.close();
      }
    }
  } finally {
    server.stop();
    ortServer?.stop();
  }
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-');
  console.log(`\n${new Date().toISOString()}; Debian Chromium; production build\n`);
  const kb = (v: number) => (v / 1024).toFixed(0);
  console.log('| asked | backend | visit | pack MB | page -> model ready ms | fetch + verify ms | build tensors ms | warm-up ms | drop -> first output ms | encode ms | generate ms | code kB loaded (gzip -9) | model kB loaded | adapter |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.asked} | ${r.backend} | ${r.visit} | ${r.mb} | ${f(r.readyMs)} | ${f(r.packMs)} | ${f(r.buildMs)} | ${f(r.warmupMs)} | ${f(r.firstOutputMs)} | ${f(r.encodeMs)} | ${f(r.generateMs)} | ${kb(r.bytes.code)} (${kb(r.bytes.codeGzip)}) | ${kb(r.bytes.model)} | ${r.adapter} |`);
  }
  if (eps.length) {
    console.log('\nONNX Runtime rows: "fetch + verify" = fetch of the two .onnx files (no hash check), "build tensors" = creating both sessions; the first output is decode + resize + E_c + G + draw, as in the app.');
    // Medians over runs per (asked, visit): the RATIO lines compare the app's forced wasm with ORT's wasm.
    const med = (asked: string, visit: string, key: 'readyMs' | 'firstOutputMs'): number => {
      const v = rows.filter((r) => r.asked === asked && r.visit === visit).map((r) => r[key] + (key === 'readyMs' ? r.firstOutputMs : 0)).sort((a, b) => a - b);
      return v[Math.floor((v.length - 1) / 2)] ?? NaN;
    };
    for (const ep of eps) {
      const app = ep === 'webgpu' ? 'webgpu' : 'wasm';
      for (const visit of ['cold', 'cached']) {
        const ratio = med(app, visit, 'readyMs') / med(`ort-${ep}`, visit, 'readyMs');
        if (Number.isFinite(ratio)) console.log(`RATIO ${app}/ort-${ep} cold-start-${visit} (page -> first output): ${ratio.toFixed(2)}`);
      }
      const a = rows.find((r) => r.asked === app && r.visit === 'cold');
      const o = rows.find((r) => r.asked === `ort-${ep}` && r.visit === 'cold');
      if (a && o) console.log(`RATIO ${app}/ort-${ep} code-bytes-gzip: ${(a.bytes.codeGzip / o.bytes.codeGzip).toFixed(2)} (${kb(a.bytes.codeGzip)} vs ${kb(o.bytes.codeGzip)} kB)`);
    }
  }
  console.log('\nWhy each backend ran (the perf readout):');
  for (const r of new Map(rows.map((r) => [r.asked, r])).values()) console.log(`- ${r.asked}: ${r.backend} — ${r.reason}`);
}

await main();
process.exit(0);
