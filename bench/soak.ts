/**
 * npm run soak -- --minutes N [--backend wasm|webgpu] [--build dev|prod] [--sample-s 60] [--port 5311] [--out DIR] [--forget]
 *
 * A long visit (bench/soak-visit.ts) in Chromium with the fake camera, on the small test models
 * (`--mode e2e` packs: every translation is quick, so the loop exercises the page rather than
 * waiting on the model). `--build dev` serves `vite --mode e2e` (test hooks present: tfjs bytes
 * too); `--build prod` builds the production bundle and serves it with `vite preview --mode e2e`
 * (no test hooks; tensors from the perf readout). Writes samples.json, samples.csv and
 * summary.txt to DIR (default .cache/soak/<backend>-<build>-<time>) and exits 1 when a metric
 * grows or a control stops answering. `--forget`: each converted model is forgotten after use
 * (the page then loads its default, full-size model each round: fine on wasm, too slow on SwiftShader).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { asset } from '../e2e/assets';
import globalSetup from '../e2e/global-setup';
import { REPO, launchChromium } from './browser';
import { INSTRUMENT_SCRIPT, SoakVisit, samplesCsv, samplesMarkdown, soakPassed, summaryText } from './soak-visit';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    backend: { type: 'string', default: 'wasm' },
    build: { type: 'string', default: 'dev' },
    'sample-s': { type: 'string', default: '60' },
    'action-timeout-s': { type: 'string', default: '240' },
    port: { type: 'string', default: '5311' },
    out: { type: 'string' },
    forget: { type: 'boolean', default: false },
  },
});

function fail(msg: string): never {
  console.error(`soak: ${msg}`);
  process.exit(2);
}

async function waitForServer(base: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) fail(`the server exited (${server.exitCode})`);
    try {
      if ((await fetch(base)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`no server at ${base}`);
}

async function main(): Promise<void> {
  const minutes = Number(args.minutes);
  const backend = args.backend!;
  const build = args.build!;
  const port = Number(args.port);
  if (!(minutes > 0)) fail('--minutes must be a positive number');
  if (backend !== 'wasm' && backend !== 'webgpu') fail('--backend is wasm or webgpu');
  if (build !== 'dev' && build !== 'prod') fail('--build is dev or prod');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = args.out ?? join(REPO, '.cache', 'soak', `${backend}-${build}-${stamp}`);
  mkdirSync(out, { recursive: true });

  // The test packs and inputs (written by the browser suite's setup; made here when missing).
  if (!existsSync(join(REPO, 'e2e/.packs/index.json')) || !existsSync(asset('chelsea.y4m'))) await globalSetup();

  let server: ChildProcess;
  if (build === 'prod') {
    const dist = join(REPO, '.cache', 'soak', `dist-${port}`);
    const b = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
    if (b.status !== 0) fail('vite build failed');
    server = spawn('npx', ['vite', 'preview', '--mode', 'e2e', '--outDir', dist, '--port', String(port), '--strictPort'], { cwd: REPO, stdio: 'ignore', detached: true });
  } else {
    server = spawn('npx', ['vite', '--mode', 'e2e', '--port', String(port), '--strictPort'], { cwd: REPO, stdio: 'ignore', detached: true });
  }
  const base = `http://localhost:${port}/`;
  const browser = await launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${asset('chelsea.y4m')}`,
    '--enable-blink-features=ForceEagerMeasureMemory',
  ]);
  let passed = false;
  try {
    await waitForServer(base, server);
    const context = await browser.newContext({ permissions: ['camera'], acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const foreign: string[] = [];
    context.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== new URL(base).origin) foreign.push(u);
    });
    await context.addInitScript({ content: INSTRUMENT_SCRIPT });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    await page.goto(`${base}?model=tiny&backend=${backend}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=model-name]')?.textContent?.startsWith('Tiny test model (concat 0)'), null, { timeout: 600_000 });
    const shown = await page.getByTestId('backend').textContent();
    if (shown !== backend) fail(`the page runs on ${shown}, not ${backend}`);
    const adapter = await page.getByTestId('adapter').textContent();
    console.log(`soak: ${minutes} min, ${backend} (${adapter}), ${build} build, a sample every ${args['sample-s']} s → ${out}`);
    const visit = new SoakVisit(page, {
      minutes,
      sampleEveryS: Number(args['sample-s']),
      actionTimeoutMs: Number(args['action-timeout-s']) * 1000,
      models: [
        { id: 'tiny', name: 'Tiny test model (concat 0)' },
        { id: 'tiny-c1', name: 'Tiny test model (concat 1)' },
      ],
      files: { photos: [asset('cat.png'), asset('cat2.png'), asset('cat.jpg')], references: [asset('dog.png'), asset('cat2.png')], pth: join(REPO, 'fixtures/c1/checkpoint_zip.pth') },
      log: (line) => console.log(line),
      screenshotOnFailure: join(out, 'failure.png'),
      forgetPth: args.forget,
    });
    const result = await visit.run();
    if (foreign.length) result.failure = `${result.failure ? `${result.failure}; ` : ''}requests left the origin: ${foreign.slice(0, 5).join(', ')}`;
    const meta = { date: new Date().toISOString(), minutes, backend, adapter, build, forgetPth: args.forget, sampleEveryS: Number(args['sample-s']), chromium: browser.version() };
    writeFileSync(join(out, 'samples.json'), JSON.stringify({ meta, ...result }, null, 1));
    writeFileSync(join(out, 'samples.csv'), samplesCsv(result.samples));
    const summary = `${JSON.stringify(meta)}\n${summaryText(result)}\n${samplesMarkdown(result.samples)}`;
    writeFileSync(join(out, 'summary.txt'), summary);
    console.log(summary);
    passed = soakPassed(result);
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
  process.exit(passed ? 0 : 1);
}

await main();
