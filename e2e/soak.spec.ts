/**
 * A 2-minute soak on WebAssembly (the long one is `npm run soak -- --minutes 30`, reported in
 * docs/benchmarks.md): the curious-visitor loop of bench/soak-visit.ts, with the fake camera,
 * sampled every 15 s. Fails when a control stops answering, the page shows an error, a request
 * leaves the origin, or a metric (tensors, tfjs bytes, JS heap, workers, camera tracks, Cache
 * Storage entries, DOM nodes, slider latency) grows from the first round to the last ones.
 */
import { chromium, expect, test } from '@playwright/test';
import { ROOT, asset } from './assets';
import { BASE, logErrors, waitForModel, watchOrigin } from './helpers';
import { INSTRUMENT_SCRIPT, SoakVisit, summaryText, type MetricName } from '../bench/soak-visit';

const MINUTES = 2;

test('a 2-minute visit on wasm: every control keeps answering and nothing grows', async () => {
  test.setTimeout(MINUTES * 60_000 + 8 * 60_000);
  const browser = await chromium.launch({
    executablePath: test.info().project.use.launchOptions?.executablePath,
    args: [
      ...(test.info().project.use.launchOptions?.args ?? []),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${asset('chelsea.y4m')}`,
      '--enable-blink-features=ForceEagerMeasureMemory',
    ],
  });
  try {
    const context = await browser.newContext({ baseURL: BASE, permissions: ['camera'], acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const watch = watchOrigin(context);
    await context.addInitScript({ content: INSTRUMENT_SCRIPT });
    const page = await context.newPage();
    logErrors(page);
    await page.goto('/?model=tiny&backend=wasm');
    await waitForModel(page, 'tiny');
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    const visit = new SoakVisit(page, {
      minutes: MINUTES,
      sampleEveryS: 15,
      actionTimeoutMs: 120_000,
      models: [
        { id: 'tiny', name: 'Tiny test model (concat 0)' },
        { id: 'tiny-c1', name: 'Tiny test model (concat 1)' },
      ],
      files: { photos: [asset('cat.png'), asset('cat2.png'), asset('cat.jpg')], references: [asset('dog.png'), asset('cat2.png')], pth: `${ROOT}/fixtures/c1/checkpoint_zip.pth` },
    });
    const r = await visit.run();
    const summary = summaryText(r);
    console.log(summary);
    expect(r.failure, summary).toBeNull();
    // Every kind of action ran, and each metric got a verdict from enough samples.
    for (const a of ['new photo', 're-roll', 'slider drag', 'new grid', 'reference', 'direction switch', 'model switch', 'dropped .pth', 'camera on/off', 'export + cancel']) {
      expect(r.actions[a]?.count ?? 0, `${a} ran`).toBeGreaterThan(0);
    }
    const metrics: MetricName[] = ['tensors', 'tfBytes', 'heapPage', 'heapAll', 'workers', 'cameraTracks', 'cacheEntries', 'domNodes', 'sliderMs'];
    for (const m of metrics) {
      expect(r.verdicts[m]?.verdict, `${m}\n${summary}`).toBe('flat');
    }
    expect(watch.foreign, 'requests that left the page origin').toEqual([]);
    await context.close();
  } finally {
    await browser.close();
  }
});
