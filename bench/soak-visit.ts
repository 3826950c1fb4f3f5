/**
 * A long visit, driven the way a curious visitor uses the page, in a loop: new photos, re-rolls,
 * slider drags, a new diversity grid, a reference (and back to sampling), a direction switch, a
 * model switch and back, a dropped `.pth` (converted, used, then forgotten), the camera on and
 * off, an export and a cancelled one. Converted models are kept (see `dropPth`). Between actions it samples, once per interval, what must
 * stay flat: tfjs tensors (and bytes), the JS heap, live workers, live camera tracks, Cache
 * Storage entries, DOM nodes and the latency of one slider move. Used by the CLI (bench/soak.ts)
 * and by the short browser test (e2e/soak.spec.ts).
 *
 * Every action waits for its visible result (the render counter of the perf readout, a text, a
 * strip, a download) within `actionTimeoutMs`: a control that stops answering ends the visit.
 * Only what the page shows and browser APIs are read, so the same visit runs on the production
 * build; the dev/e2e build's test hook (`window.__drit`) adds tensor bytes.
 * What each build measures:
 *  - both: tensors (the readout's "Tensors", the page worker's tf.memory), page JS heap after a
 *    forced GC (CDP Runtime.getHeapUsage), page + workers JS memory
 *    (performance.measureUserAgentSpecificMemory; the page is cross-origin isolated), live
 *    workers and camera tracks (counted by an init script around `Worker` and `getUserMedia`),
 *    Cache Storage entries (caches.keys), DOM nodes, slider latency (keydown → render counter);
 *  - dev/e2e build only: tfjs bytes of the page's worker (window.__drit.workerMemory).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CDPSession, Download, Page } from '@playwright/test';
import { growthVerdict, type GrowthOptions, type GrowthVerdict } from '../src/testing/growth';

export interface SoakFiles {
  /** Content photos, used in turn (consecutive ones differ). */
  photos: string[];
  /** Reference images, used in turn. */
  references: string[];
  /** A DRIT checkpoint that converts in seconds. */
  pth: string;
}

export interface SoakOptions {
  minutes: number;
  /** Seconds between samples (60 for the report; shorter for the 2-minute test). */
  sampleEveryS: number;
  actionTimeoutMs: number;
  /** The models switched between (ids in the model list) and their names as the readout shows them. */
  models: [{ id: string; name: string }, { id: string; name: string }];
  files: SoakFiles;
  /**
   * Forget each converted model after use ("Forget this model"). The page then loads its default
   * model — the full-size one, whose load dominates the loop (minutes on SwiftShader) — so this
   * is off unless asked for.
   */
  forgetPth?: boolean;
  /** Where to save a full-page screenshot when the visit fails. */
  screenshotOnFailure?: string;
  /** Progress lines (one per sample). */
  log?: (line: string) => void;
  /** Stop after this many full rounds (else only `minutes` ends the visit). */
  maxRounds?: number;
  /** Called after each full round (1, 2, …), before the next one starts. */
  afterRound?: (rounds: number) => Promise<void>;
}

export interface SoakSample {
  /** Seconds since the visit started. */
  t: number;
  rounds: number;
  actions: number;
  tensors: number | null;
  tfBytes: number | null;
  heapPage: number;
  /** Page and workers (measureUserAgentSpecificMemory), null where the browser does not give it. */
  heapAll: number | null;
  workers: number;
  cameraTracks: number;
  /** Cache Storage entries, the visitor's converted models (`/__local-packs/`) left out. */
  cacheEntries: number;
  /** Converted models kept (one more per dropped `.pth`, by design): reported, not judged. */
  localModels: number;
  domNodes: number;
  sliderMs: number;
}

export type MetricName = Exclude<keyof SoakSample, 't' | 'rounds' | 'actions' | 'localModels'>;

/** Per metric: how much it may move before it "grows" (src/testing/growth.ts). */
export const METRIC_RULES: Record<MetricName, Partial<GrowthOptions>> = {
  tensors: { slack: 0.1, absSlack: 8 },
  tfBytes: { slack: 0.1, absSlack: 256 * 1024 },
  heapPage: { slack: 0.2, absSlack: 4e6 },
  heapAll: { slack: 0.2, absSlack: 8e6 },
  workers: { slack: 0, absSlack: 0.5 },
  cameraTracks: { slack: 0, absSlack: 0.5 },
  cacheEntries: { slack: 0, absSlack: 0.5 },
  domNodes: { slack: 0.1, absSlack: 50 },
  sliderMs: { slack: 1, absSlack: 250 },
};

export interface ActionStat {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface SoakResult {
  samples: SoakSample[];
  verdicts: Partial<Record<MetricName, GrowthVerdict>>;
  actions: Record<string, ActionStat>;
  rounds: number;
  /** Cancelled exports that were cancelled (the rest finished before the cancel landed). */
  cancels: { cancelled: number; finishedFirst: number };
  /** Set when a control stopped answering or the page showed an error. */
  failure: string | null;
}

/**
 * Counts live workers and live camera tracks from inside the page: wraps `Worker` (terminate
 * removes one) and `getUserMedia` (tracks whose readyState is 'live'). Added before the app loads;
 * a string, because the TypeScript loader would add helpers (`__name`) the page does not have.
 */
export const INSTRUMENT_SCRIPT = `(() => {
  const live = new Set();
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(url, options) { super(url, options); live.add(this); }
    terminate() { live.delete(this); super.terminate(); }
  };
  let tracks = [];
  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const get = md.getUserMedia.bind(md);
    // Ended tracks are dropped at each call too, so that the counter itself keeps none alive.
    md.getUserMedia = async (c) => { const s = await get(c); tracks = tracks.filter((t) => t.readyState === 'live'); tracks.push(...s.getTracks()); return s; };
  }
  window.__soak = {
    workers: () => live.size,
    tracks: () => { tracks = tracks.filter((t) => t.readyState === 'live'); return tracks.length; },
  };
})();`;

class Unanswered extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SoakVisit {
  private readonly actions: Record<string, ActionStat> = {};
  private readonly samples: SoakSample[] = [];
  private readonly cancels = { cancelled: 0, finishedFirst: 0 };
  private rounds = 0;
  private actionCount = 0;
  private round = 0;
  private cdp: CDPSession | null = null;
  private readonly t0 = Date.now();

  constructor(
    private readonly page: Page,
    private readonly o: SoakOptions,
  ) {
    page.on('download', (d: Download) => void d.delete().catch(() => {}));
  }

  /** Runs the loop for `minutes`, sampling every `sampleEveryS`; never throws for a stuck control (see `failure`). */
  async run(): Promise<SoakResult> {
    this.cdp = await this.page.context().newCDPSession(this.page);
    let failure: string | null = null;
    const endAt = this.t0 + this.o.minutes * 60_000;
    let nextSample = Date.now();
    try {
      await this.act('first photo', () => this.afterRender(() => this.page.getByTestId('content-input').setInputFiles(this.o.files.photos[0]!)));
      const steps = this.steps();
      while (true) {
        for (const [name, step] of steps) {
          if (Date.now() >= nextSample) {
            await this.sample();
            // Slots missed while a slow action ran are skipped, not made up back to back.
            while (nextSample <= Date.now()) nextSample += this.o.sampleEveryS * 1000;
          }
          if (Date.now() >= endAt) break;
          await this.act(name, step);
        }
        if (Date.now() >= endAt) break;
        this.rounds++;
        this.round++;
        await this.o.afterRound?.(this.rounds);
        if (this.rounds >= (this.o.maxRounds ?? Infinity)) break;
      }
      await this.sample();
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
      if (this.o.screenshotOnFailure) await this.page.screenshot({ path: this.o.screenshotOnFailure, fullPage: true }).catch(() => {});
    }
    return { samples: this.samples, verdicts: soakVerdicts(this.samples), actions: this.actions, rounds: this.rounds, cancels: this.cancels, failure };
  }

  private steps(): [string, () => Promise<void>][] {
    const { page } = this;
    const { files, models } = this.o;
    return [
      ['new photo', () => this.afterRender(() => page.getByTestId('content-input').setInputFiles(files.photos[(this.round + 1) % files.photos.length]!))],
      ['re-roll', () => this.afterRender(() => page.getByTestId('reroll').click())],
      ['slider drag', () => this.afterRender(() => this.dragSlider())],
      ['new grid', () => this.newGrid()],
      ['reference', () => this.reference()],
      ['direction switch', () => this.switchDirection()],
      ['model switch', () => this.selectModel(models[1])],
      ['model switch back', () => this.selectModel(models[0])],
      ['dropped .pth', () => this.dropPth()],
      ['camera on/off', () => this.camera()],
      ['export + cancel', () => this.exportAndCancel()],
    ];
  }

  private async act(name: string, step: () => Promise<void>): Promise<void> {
    const start = Date.now();
    try {
      await step();
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new Unanswered(`"${name}" did not answer (round ${this.round + 1}, ${((Date.now() - this.t0) / 1000).toFixed(0)} s in): ${why}`);
    }
    const error = this.page.getByTestId('error');
    if (await error.isVisible()) throw new Unanswered(`"${name}" left an error on the page: ${(await error.textContent())?.slice(0, 300)}`);
    const ms = Date.now() - start;
    const s = (this.actions[name] ??= { count: 0, totalMs: 0, maxMs: 0 });
    s.count++;
    s.totalMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
    this.actionCount++;
  }

  private get timeout(): { timeout: number } {
    return { timeout: this.o.actionTimeoutMs };
  }

  private async renders(): Promise<number> {
    return Number(await this.page.getByTestId('renders').textContent());
  }

  /** Runs `action`, waits for the render counter to move and the page to settle. */
  private async afterRender(action: () => Promise<unknown>): Promise<void> {
    const before = await this.renders();
    await action();
    await this.page.waitForFunction((n) => Number(document.querySelector('[data-testid=renders]')?.textContent) > n, before, this.timeout);
    await this.settle();
  }

  /** No spinner and no change of the render counter for 400 ms. */
  private async settle(): Promise<void> {
    const deadline = Date.now() + this.o.actionTimeoutMs;
    let last = -1;
    let stableSince = Date.now();
    while (Date.now() < deadline) {
      const busy = (await this.page.locator('[data-testid=rendering], [data-testid=load-progress], [data-testid=convert-progress]').count()) > 0;
      const n = await this.renders();
      if (busy || n !== last) {
        last = n;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= 400) {
        return;
      }
      await sleep(100);
    }
    const shown = await this.page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=rendering], [data-testid=load-progress], [data-testid=convert-progress], [data-testid=notice], [data-testid=error]')]
        .map((e) => `${e.getAttribute('data-testid')}: ${(e.textContent ?? '').trim().slice(0, 160)}`)
        .join(' | '),
    );
    throw new Error(`the page did not settle within ${this.o.actionTimeoutMs} ms (render counter ${last}; ${shown || 'no spinner'})`);
  }

  private async dragSlider(): Promise<void> {
    const slider = this.page.getByTestId('slider-1');
    const box = await slider.boundingBox(this.timeout);
    if (!box) throw new Error('slider-1 is not on screen');
    await slider.scrollIntoViewIfNeeded();
    const b = (await slider.boundingBox())!;
    const y = b.y + b.height / 2;
    const [from, to] = this.round % 2 ? [0.7, 0.3] : [0.3, 0.7];
    await this.page.mouse.move(b.x + b.width * from, y);
    await this.page.mouse.down();
    await this.page.mouse.move(b.x + b.width * to, y, { steps: 6 });
    await this.page.mouse.up();
  }

  /** The shown grid's seed ('' when no grid is shown). */
  private gridSeed(): Promise<string> {
    return this.page.evaluate(() => document.querySelector('[data-testid=grid]')?.closest('section')?.querySelector('.hint')?.textContent ?? '');
  }

  // A new grid answers when it shows another seed with every tile drawn. (Comparing a tile's pixels
  // is not enough: the tiny test model can paint the same first tile for two seeds.)
  private async newGrid(): Promise<void> {
    const before = await this.gridSeed();
    await this.page.getByTestId('grid-show').click(this.timeout);
    await this.page.waitForFunction(
      (b) => {
        const grid = document.querySelector<HTMLElement>('[data-testid=grid]');
        const section = grid?.closest('section');
        const seed = section?.querySelector('.hint')?.textContent ?? '';
        const tiles = grid ? grid.querySelectorAll('[data-testid^=grid-tile-]').length : 0;
        return seed !== '' && seed !== b && tiles > 0 && Number(grid!.dataset.count) === tiles && section?.getAttribute('aria-busy') !== 'true';
      },
      before,
      this.timeout,
    );
    await this.settle();
  }

  private async reference(): Promise<void> {
    const { page } = this;
    await page.getByTestId('mode-reference').click(this.timeout);
    await this.settle();
    const ref = this.o.files.references[this.round % this.o.files.references.length]!;
    await this.afterRender(() => page.getByTestId('reference-input').setInputFiles(ref));
    await page.getByTestId('reference-thumb').waitFor({ state: 'visible', ...this.timeout });
    await page.getByTestId('mode-sample').click(this.timeout);
    await this.settle();
  }

  private async switchDirection(): Promise<void> {
    const dir = this.page.getByTestId('direction');
    const before = await dir.textContent();
    await this.afterRender(() => dir.click(this.timeout));
    await this.page.waitForFunction((b) => document.querySelector('[data-testid=direction]')?.textContent !== b, before, this.timeout);
  }

  private async selectModel(m: { id: string; name: string }): Promise<void> {
    const { page } = this;
    const current = await page.getByTestId('model-select').inputValue();
    if (current !== m.id) await this.afterRender(() => page.getByTestId('model-select').selectOption(m.id, this.timeout));
    await page.waitForFunction((name) => document.querySelector('[data-testid=model-name]')?.textContent?.startsWith(name), m.name, this.timeout);
    await this.settle();
  }

  private async dropPth(): Promise<void> {
    const { page } = this;
    const b64 = readFileSync(this.o.files.pth).toString('base64');
    const name = basename(this.o.files.pth);
    await this.afterRender(async () => {
      const dt = await page.evaluateHandle(
        ({ b64, name }) => {
          const bin = atob(b64);
          const bytes = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
          return dt;
        },
        { b64, name },
      );
      for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('main', type, { dataTransfer: dt });
      await dt.dispose();
      await page.waitForFunction(() => document.querySelector('[data-testid=model-select] option:checked')?.textContent?.includes('converted here'), null, this.timeout);
    });
    if (this.o.forgetPth) {
      // Forget it again (a visitor tidying up): the page falls back to its default model.
      await page.getByRole('button', { name: 'Forget this model' }).click(this.timeout);
      await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid=model-select] option')].some((o) => o.textContent?.includes('converted here')), null, this.timeout);
      await this.settle();
    }
    // Back to the first model. Without `forgetPth` the converted one stays stored, as the page
    // promises; the samples count such models apart.
    await this.selectModel(this.o.models[0]);
  }

  private async camera(): Promise<void> {
    const { page } = this;
    await page.getByTestId('source-camera').click(this.timeout);
    await page.waitForFunction(() => /\d fps/.test(document.querySelector('[data-testid=camera-fps]')?.textContent ?? ''), null, this.timeout);
    await page.getByTestId('source-camera').click(this.timeout);
    await page.waitForFunction(() => document.querySelector('[data-testid=camera-fps]')?.textContent === 'off', null, this.timeout);
    await this.settle();
  }

  private async exportAndCancel(): Promise<void> {
    const { page } = this;
    await page.getByTestId('sweep-frames').fill('12', this.timeout);
    await page.getByTestId('sweep-render').click(this.timeout);
    await page.waitForFunction(() => document.querySelector('[data-testid=sweep-strip]')?.getAttribute('data-count') === '12', null, this.timeout);
    await this.settle();
    // An export that completes: a GIF download.
    const saved = page.getByTestId('export-saved');
    const [download] = await Promise.all([page.waitForEvent('download', this.timeout), page.getByTestId('sweep-export-gif').click(this.timeout)]);
    await page.waitForFunction((f) => document.querySelector('[data-testid=export-saved]')?.textContent?.includes(`Saved ${f}`), download.suggestedFilename(), this.timeout);
    // And one cancelled as soon as its Cancel button shows (the video, longer to encode).
    const video = page.getByTestId('sweep-export-video');
    const id = (await video.isEnabled()) ? 'sweep-export-video' : 'sweep-export-gif';
    const before = await saved.textContent();
    await page.evaluate((id) => {
      const obs = new MutationObserver(() => {
        const cancel = document.querySelector<HTMLButtonElement>('[data-testid=export-cancel]');
        if (cancel) {
          obs.disconnect();
          cancel.click();
        }
      });
      obs.observe(document.body, { subtree: true, childList: true });
      document.querySelector<HTMLButtonElement>(`[data-testid=${id}]`)!.click();
    }, id);
    await page.waitForFunction(
      (b) => {
        const t = document.querySelector('[data-testid=export-saved]')?.textContent ?? '';
        return !document.querySelector('[data-testid=export-progress]') && (t.includes('cancelled') || (t.startsWith('Saved') && t !== b));
      },
      before,
      this.timeout,
    );
    if ((await saved.textContent())?.includes('cancelled')) this.cancels.cancelled++;
    else this.cancels.finishedFirst++;
  }

  /** Latency of one slider move (keyboard): keydown → the render counter moves. */
  private async sliderLatency(): Promise<number> {
    const { page } = this;
    await page.getByTestId('slider-0').focus(this.timeout);
    const key = this.samples.length % 2 ? 'ArrowLeft' : 'ArrowRight';
    await page.evaluate((timeout) => {
      const el = document.querySelector('[data-testid=renders]')!;
      const before = el.textContent;
      const w = window as unknown as { __soakLatency?: Promise<number> };
      w.__soakLatency = new Promise<number>((resolve, reject) => {
        let t0 = 0;
        document.addEventListener('keydown', () => (t0 = performance.now()), { once: true, capture: true });
        const obs = new MutationObserver(() => {
          if (t0 && el.textContent !== before) {
            obs.disconnect();
            resolve(performance.now() - t0);
          }
        });
        obs.observe(el, { subtree: true, childList: true, characterData: true });
        setTimeout(() => reject(new Error(`a slider move did not render within ${timeout} ms`)), timeout);
      });
    }, this.o.actionTimeoutMs);
    await page.keyboard.press(key);
    const ms = await page.evaluate(() => (window as unknown as { __soakLatency: Promise<number> }).__soakLatency);
    await this.settle();
    return ms;
  }

  private async sample(): Promise<void> {
    const { page } = this;
    await this.settle();
    const sliderMs = await this.sliderLatency();
    await this.cdp!.send('HeapProfiler.collectGarbage');
    const heap = (await this.cdp!.send('Runtime.getHeapUsage')) as { usedSize: number };
    const inPage = await page.evaluate(async () => {
      const soak = (window as unknown as { __soak: { workers(): number; tracks(): number } }).__soak;
      let cacheEntries = 0;
      for (const name of await caches.keys()) {
        cacheEntries += (await (await caches.open(name)).keys()).filter((r) => !new URL(r.url).pathname.startsWith('/__local-packs/')).length;
      }
      const localModels = [...document.querySelectorAll('[data-testid=model-select] option')].filter((o) => o.textContent?.includes('converted here')).length;
      let heapAll: number | null = null;
      const p = performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
      if (self.crossOriginIsolated && p.measureUserAgentSpecificMemory) heapAll = (await p.measureUserAgentSpecificMemory()).bytes;
      let tfBytes: number | null = null;
      let tensors: number | null = null;
      if (window.__drit) {
        const m = await window.__drit.workerMemory();
        tfBytes = m.numBytes;
        tensors = m.numTensors;
      }
      const shown = Number(document.querySelector('[data-testid=tensors]')?.textContent);
      return {
        workers: soak.workers(),
        cameraTracks: soak.tracks(),
        cacheEntries,
        localModels,
        heapAll,
        tfBytes,
        tensors: tensors ?? (Number.isFinite(shown) ? shown : null),
        domNodes: document.getElementsByTagName('*').length,
      };
    });
    const s: SoakSample = { t: Math.round((Date.now() - this.t0) / 1000), rounds: this.rounds, actions: this.actionCount, heapPage: heap.usedSize, sliderMs: Math.round(sliderMs), ...inPage };
    this.samples.push(s);
    this.o.log?.(`t=${s.t}s rounds=${s.rounds} tensors=${s.tensors} tfBytes=${s.tfBytes} heapPage=${(s.heapPage / 1e6).toFixed(1)}MB heapAll=${s.heapAll === null ? '-' : (s.heapAll / 1e6).toFixed(1) + 'MB'} workers=${s.workers} tracks=${s.cameraTracks} cache=${s.cacheEntries} local=${s.localModels} dom=${s.domNodes} slider=${s.sliderMs}ms`);
  }
}

/**
 * The verdict per metric. Warm-up: the samples taken before the first round of actions was done
 * (the first camera start, export, conversion load code and fill caches once), at least one.
 * Metrics the build does not give (null) get none.
 */
export function soakVerdicts(samples: SoakSample[]): Partial<Record<MetricName, GrowthVerdict>> {
  const warmup = Math.max(1, samples.filter((s) => s.rounds === 0).length);
  const verdicts: Partial<Record<MetricName, GrowthVerdict>> = {};
  for (const m of Object.keys(METRIC_RULES) as MetricName[]) {
    const xs = samples.map((s) => s[m]);
    if (xs.some((x) => x === null)) continue;
    verdicts[m] = growthVerdict(xs as number[], { ...METRIC_RULES[m], warmup });
  }
  return verdicts;
}

/** Per-sample CSV (one line per sample, a header first). */
export function samplesCsv(samples: SoakSample[]): string {
  const cols: (keyof SoakSample)[] = ['t', 'rounds', 'actions', 'tensors', 'tfBytes', 'heapPage', 'heapAll', 'workers', 'cameraTracks', 'cacheEntries', 'localModels', 'domNodes', 'sliderMs'];
  return [cols.join(','), ...samples.map((s) => cols.map((c) => s[c] ?? '').join(','))].join('\n') + '\n';
}

/** Plain summary: the verdict per metric, the actions done, and the failure if any. */
export function summaryText(r: SoakResult): string {
  const lines: string[] = [];
  lines.push(`samples: ${r.samples.length}, rounds: ${r.rounds}, exports cancelled: ${r.cancels.cancelled} (finished before the cancel: ${r.cancels.finishedFirst})`);
  for (const [m, v] of Object.entries(r.verdicts)) {
    lines.push(`${m}: ${v.verdict}${v.verdict === 'short' ? ` (${v.samples} samples after the warm-up)` : ` (early median ${v.early}, late median ${v.late})${v.verdict === 'grows' ? ` — ${v.reason}` : ''}`}`);
  }
  for (const [a, s] of Object.entries(r.actions)) lines.push(`action ${a}: ${s.count}× mean ${Math.round(s.totalMs / s.count)} ms, max ${s.maxMs} ms`);
  lines.push(r.failure ? `FAILED: ${r.failure}` : 'every control answered');
  return lines.join('\n') + '\n';
}

/** The samples as a Markdown table (every `every`-th one, and the last), for docs/benchmarks.md. */
export function samplesMarkdown(samples: SoakSample[], every = 1): string {
  const mb = (b: number | null) => (b === null ? '–' : (b / 1e6).toFixed(1));
  const rows = samples.filter((_, i) => i % every === 0 || i === samples.length - 1);
  return [
    '| min | rounds | tensors | tfjs MB | page heap MB | page + workers MB | workers | camera tracks | cache entries | converted models | DOM nodes | slider ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((s) => `| ${(s.t / 60).toFixed(1)} | ${s.rounds} | ${s.tensors ?? '–'} | ${s.tfBytes === null ? '–' : (s.tfBytes / 1e6).toFixed(2)} | ${mb(s.heapPage)} | ${mb(s.heapAll)} | ${s.workers} | ${s.cameraTracks} | ${s.cacheEntries} | ${s.localModels} | ${s.domNodes} | ${s.sliderMs} |`),
  ].join('\n') + '\n';
}

/** True when the visit passed: no control stuck and no metric grew. */
export function soakPassed(r: SoakResult): boolean {
  return !r.failure && Object.values(r.verdicts).every((v) => v.verdict !== 'grows');
}
