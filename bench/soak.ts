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
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from './browser';
import { openSoakPage, soakInputs } from './soak-page';
import { SoakVisit, samplesCsv, samplesMarkdown, soakPassed, summaryText } from './soak-visit';

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

async function main(): Promise<void> {
  const minutes = Number(args.minutes);
  const backend = args.backend!;
  const build = args.build!;
  if (!(minutes > 0)) {
    console.error('soak: --minutes must be a positive number');
    process.exit(2);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = args.out ?? join(REPO, '.cache', 'soak', `${backend}-${build}-${stamp}`);
  mkdirSync(out, { recursive: true });
  const { page, browser, adapter, foreign, close } = await openSoakPage(backend, build, Number(args.port));
  let passed = false;
  try {
    console.log(`soak: ${minutes} min, ${backend} (${adapter}), ${build} build, a sample every ${args['sample-s']} s → ${out}`);
    const visit = new SoakVisit(page, {
      minutes,
      sampleEveryS: Number(args['sample-s']),
      actionTimeoutMs: Number(args['action-timeout-s']) * 1000,
      ...soakInputs(),
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
    await close();
  }
  process.exit(passed ? 0 : 1);
}

await main();
