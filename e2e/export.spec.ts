/**
 * Animated export on the automatic backend (WebAssembly in this Chromium) with the tiny test
 * model: the interpolation strip and a sweep of one slider, as an animated GIF and a WebM / MP4 video. Each downloaded file is decoded
 * independently — the GIF by omggif in Node and the browser's ImageDecoder, the WebM by our EBML
 * walker plus the browser's VideoDecoder and <video>, the MP4 by a box walker plus <video> — and
 * checked for frame count, size and content. Cancel leaves no download and the page usable.
 */
import { readFileSync } from 'node:fs';
import { GifReader } from 'omggif';
import { expect, test, type BrowserContext, type Download, type Page } from '@playwright/test';
import { asset } from './assets';
import { BASE, afterRender, dropFiles, logErrors, readmeShot, waitForModel, waitIdle, watchOrigin } from './helpers';
import { readAnimatedWebp, readMp4, readWebm } from './media-files';

// Not a serial group: after a failure Playwright goes on in a fresh worker (a new page from
// beforeAll), and each test renders the strip or sweep it needs when the page lacks it.
test.describe.configure({ mode: 'default' });

let context: BrowserContext;
let page: Page;
let watch: ReturnType<typeof watchOrigin>;
let downloads = 0;

const SIZE = 64; // the tiny model's output
const FRAME_S = 0.16;

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  watch = watchOrigin(context);
  page = await context.newPage();
  logErrors(page);
  page.on('download', () => downloads++);
  await page.goto('/?model=tiny');
  await waitForModel(page, 'tiny');
  await page.getByRole('button', { name: 'Close grid' }).click();
  await afterRender(page, () => dropFiles(page, '[data-testid=content-drop]', [asset('cat.png')]));
});

test.afterAll(async () => {
  expect(watch.foreign, 'requests that left the page origin').toEqual([]);
  await context.close();
});

/** Clicks (or presses Enter on) a control and returns the download it causes, as bytes. */
async function download(testId: string, how: 'click' | 'keyboard' = 'click'): Promise<{ name: string; bytes: Buffer }> {
  const control = page.getByTestId(testId);
  await expect(control).toBeEnabled();
  const act = how === 'click' ? control.click() : control.focus().then(() => page.keyboard.press('Enter'));
  const [d]: [Download, unknown] = await Promise.all([page.waitForEvent('download'), act]);
  await expect(page.getByTestId('export-progress')).toBeHidden();
  await expect(page.getByTestId('export-saved')).toContainText(`Saved ${d.suggestedFilename()}`);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/** How many frames a strip shows now (0 when there is none); does not wait. */
async function shownCount(testId: string): Promise<number> {
  const strip = page.getByTestId(testId);
  return (await strip.count()) ? Number(await strip.getAttribute('data-count')) : 0;
}

/** Renders an interpolation strip of `frames` between the current z and a re-rolled one, unless there is one. */
async function ensureStrip(frames: number): Promise<void> {
  if ((await shownCount('interp-strip')) === frames) return;
  await page.getByTestId('interp-from-current').click();
  await afterRender(page, () => page.getByTestId('reroll').click());
  await page.getByTestId('interp-to-current').click();
  await page.getByTestId('interp-frames').fill(String(frames));
  await page.getByTestId('interp-render').click();
  await expect(page.getByTestId('interp-strip')).toHaveAttribute('data-count', String(frames));
  await waitIdle(page);
}

/** Renders a sweep of z3 with `frames` frames (by keyboard), unless there is one. */
async function ensureSweep(frames: number): Promise<void> {
  if ((await shownCount('sweep-strip')) === frames) return;
  await page.getByTestId('sweep-dim').selectOption({ label: 'z3' });
  await page.getByTestId('sweep-frames').fill(String(frames));
  await page.getByTestId('sweep-render').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('sweep-strip')).toHaveAttribute('data-count', String(frames));
}

/** The ping-pong order the exports use: 0..n-1 and back, without repeating the ends. */
function pingPong(n: number): number[] {
  return [...Array.from({ length: n }, (_, i) => i), ...Array.from({ length: n - 2 }, (_, i) => n - 2 - i)];
}

async function stripFrames(which: 'interp' | 'sweep'): Promise<number[][]> {
  return page.evaluate((w) => {
    const s = window.__drit!.state();
    const strip = w === 'interp' ? s.interp.strip : s.exporting.sweep.strip;
    return strip.map((f) => Array.from(f.data));
  }, which);
}

function meanRgbError(a: Uint8Array | number[], b: number[]): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < b.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      sum += Math.abs(a[i + c]! - b[i + c]!);
      n++;
    }
  }
  return sum / n;
}

/** Decodes a GIF with omggif and checks frames, size, loop, delay and each frame against the strip. */
function checkGif(bytes: Buffer, strip: number[][]): void {
  const gif = new GifReader(new Uint8Array(bytes));
  const order = pingPong(strip.length);
  expect(gif.numFrames()).toBe(order.length);
  expect([gif.width, gif.height]).toEqual([SIZE, SIZE]);
  expect(gif.loopCount()).toBe(0); // forever
  order.forEach((k, i) => {
    expect(gif.frameInfo(i).delay).toBe(FRAME_S * 100);
    const px = new Uint8Array(SIZE * SIZE * 4);
    gif.decodeAndBlitFrameRGBA(i, px);
    // Its own strip frame within quantisation error, and (the frames differ) closer to it than to another.
    const own = meanRgbError(px, strip[k]!);
    expect(own).toBeLessThan(6);
    const other = strip[(k + 1) % strip.length]!;
    expect(own).toBeLessThan(meanRgbError(px, other));
  });
}

/**
 * Decodes an animated image with the browser's own decoder (WebCodecs ImageDecoder) and compares
 * every frame with the strip frame it should show: frame count, sizes and the largest pixel error.
 */
async function browserImageFrames(bytes: Buffer, type: string, which: 'interp' | 'sweep'): Promise<{ frameCount: number; sizes: string[]; maxError: number }> {
  return page.evaluate(
    async ({ b64, type, which }) => {
      const s = window.__drit!.state();
      const strip = which === 'interp' ? s.interp.strip : s.exporting.sweep.strip;
      const order = [...strip.keys(), ...[...strip.keys()].slice(1, -1).reverse()];
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dec = new ImageDecoder({ data, type });
      await dec.tracks.ready;
      await dec.completed;
      const frameCount = dec.tracks.selectedTrack!.frameCount;
      const sizes: string[] = [];
      let maxError = 0;
      for (let i = 0; i < frameCount; i++) {
        const { image } = await dec.decode({ frameIndex: i });
        const w = image.displayWidth;
        const h = image.displayHeight;
        sizes.push(`${w}x${h}`);
        const ctx = new OffscreenCanvas(w, h).getContext('2d')!;
        ctx.drawImage(image, 0, 0);
        image.close();
        const px = ctx.getImageData(0, 0, w, h).data;
        const want = strip[order[i]!]!.data;
        for (let j = 0; j < want.length; j++) maxError = Math.max(maxError, Math.abs(px[j]! - want[j]!));
      }
      dec.close();
      return { frameCount, sizes, maxError };
    },
    { b64: bytes.toString('base64'), type, which },
  );
}

/** Plays the file in a <video> element up to its first decoded frame: size and duration. */
async function browserVideo(bytes: Buffer, type: string): Promise<{ width: number; height: number; duration: number }> {
  return page.evaluate(
    async ({ b64, type }) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([data], { type }));
      const video = document.createElement('video');
      video.muted = true;
      try {
        await new Promise<void>((resolve, reject) => {
          video.addEventListener('loadeddata', () => resolve(), { once: true });
          video.addEventListener('error', () => reject(new Error(`the browser cannot play it: ${video.error?.message ?? '?'}`)), { once: true });
          video.src = url;
        });
        return { width: video.videoWidth, height: video.videoHeight, duration: video.duration };
      } finally {
        URL.revokeObjectURL(url);
      }
    },
    { b64: bytes.toString('base64'), type },
  );
}

/** Decodes every frame of a WebM's VP9/VP8 track with the browser's VideoDecoder. */
async function decodeWebmFrames(codecId: string, frames: Buffer[]): Promise<{ decoded: number; sizes: string[] }> {
  const codec = codecId === 'V_VP9' ? 'vp09.00.10.08' : codecId === 'V_VP8' ? 'vp8' : '';
  expect(codec, `codec ${codecId}`).not.toBe('');
  return page.evaluate(
    async ({ codec, frames, frameUs }) => {
      const sizes: string[] = [];
      const dec = new VideoDecoder({
        output: (f) => {
          sizes.push(`${f.displayWidth}x${f.displayHeight}`);
          f.close();
        },
        error: (e) => {
          throw e;
        },
      });
      dec.configure({ codec });
      frames.forEach((b64, i) => {
        const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        dec.decode(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * frameUs, data }));
      });
      await dec.flush();
      dec.close();
      return { decoded: sizes.length, sizes };
    },
    { codec, frames: frames.map((f) => f.toString('base64')), frameUs: FRAME_S * 1e6 },
  );
}

async function checkWebm(bytes: Buffer, frames: number): Promise<void> {
  const webm = readWebm(bytes);
  expect(webm.docType).toBe('webm');
  expect(webm.codecId).toMatch(/^V_VP[89]$/);
  expect([webm.width, webm.height]).toEqual([SIZE, SIZE]);
  expect(webm.frames).toHaveLength(frames);
  expect(webm.keyFrames).toBeGreaterThanOrEqual(1);
  const decoded = await decodeWebmFrames(webm.codecId, webm.frames);
  expect(decoded.decoded).toBe(frames);
  expect(new Set(decoded.sizes)).toEqual(new Set([`${SIZE}x${SIZE}`]));
  const played = await browserVideo(bytes, 'video/webm');
  expect([played.width, played.height]).toEqual([SIZE, SIZE]);
  expect(played.duration).toBeCloseTo(frames * FRAME_S, 1);
}

test('interpolation strip -> animated GIF: downloads, decodes, frame count, size and pixels', async () => {
  await ensureStrip(4);
  const strip = await stripFrames('interp');
  const { name, bytes } = await download('export-gif');
  expect(name).toBe('drit-interpolation.gif');
  expect(bytes.subarray(0, 6).toString('ascii')).toBe('GIF89a');
  checkGif(bytes, strip);
  // The browser's own GIF decoder agrees: 6 frames of 64×64, each its strip frame within quantisation.
  const decoded = await browserImageFrames(bytes, 'image/gif', 'interp');
  expect(decoded.frameCount).toBe(6);
  expect(new Set(decoded.sizes)).toEqual(new Set([`${SIZE}x${SIZE}`]));
  expect(decoded.maxError).toBeLessThan(64);
  await expect(page.getByTestId('export-saved')).toContainText('6 frames, 64×64');
});

test('interpolation strip -> animated WebP: lossless, every frame decodes to its strip frame', async () => {
  await ensureStrip(4);
  const { name, bytes } = await download('export-webp');
  expect(name).toBe('drit-interpolation.webp');
  const webp = readAnimatedWebp(bytes);
  expect(webp.flags & 0x02).toBe(0x02); // animation
  expect([webp.width, webp.height, webp.loops]).toEqual([SIZE, SIZE, 0]);
  expect(webp.frames).toHaveLength(6);
  for (const f of webp.frames) expect(f).toEqual({ width: SIZE, height: SIZE, durationMs: FRAME_S * 1000, image: 'VP8L' });
  const decoded = await browserImageFrames(bytes, 'image/webp', 'interp');
  expect(decoded.frameCount).toBe(6);
  expect(new Set(decoded.sizes)).toEqual(new Set([`${SIZE}x${SIZE}`]));
  expect(decoded.maxError).toBe(0); // lossless
});

test('interpolation strip -> WebM video (export-video): every frame decodes, size and duration', async () => {
  await ensureStrip(4);
  await expect(page.getByTestId('export-container')).toHaveValue('webm');
  const { name, bytes } = await download('export-video');
  expect(name).toBe('drit-interpolation.webm');
  await checkWebm(bytes, 6);
});

test('interpolation strip -> MP4 video where the browser encodes H.264', async () => {
  await ensureStrip(4);
  await page.getByTestId('export-container').selectOption('mp4');
  const avc = await page.evaluate(async () => (await VideoEncoder.isConfigSupported({ codec: 'avc1.42001f', width: 64, height: 64 })).supported === true);
  if (!avc) {
    await page.getByTestId('export-video').click();
    await expect(page.getByTestId('error')).toContainText('cannot encode H.264');
    await page.getByTestId('export-container').selectOption('webm');
    return;
  }
  const { name, bytes } = await download('export-video');
  expect(name).toBe('drit-interpolation.mp4');
  const mp4 = readMp4(bytes);
  expect(mp4.sampleEntry).toBe('avc1');
  expect(mp4.samples).toBe(6);
  expect([mp4.width, mp4.height]).toEqual([SIZE, SIZE]);
  const played = await browserVideo(bytes, 'video/mp4');
  expect([played.width, played.height]).toEqual([SIZE, SIZE]);
  expect(played.duration).toBeCloseTo(6 * FRAME_S, 1);
  await page.getByTestId('export-container').selectOption('webm');
});

test('sweep of one slider from -3 to 3, exported by keyboard as GIF and WebM', async () => {
  const z = await page.evaluate(() => window.__drit!.state().z.slice());
  await page.getByTestId('sweep-frames').fill('2'); // drops any earlier sweep: this one is new
  await ensureSweep(5);
  const zs = await page.evaluate(() => window.__drit!.state().exporting.sweep.zs);
  expect(zs.map((r) => r[2])).toEqual([-3, -1.5, 0, 1.5, 3]);
  for (const r of zs) expect(r.filter((_, i) => i !== 2)).toEqual(z.filter((_, i) => i !== 2));
  const strip = await stripFrames('sweep');
  const gif = await download('sweep-export-gif', 'keyboard');
  expect(gif.name).toBe('drit-sweep-z3.gif');
  checkGif(gif.bytes, strip);
  const webm = await download('sweep-export-video', 'keyboard');
  expect(webm.name).toBe('drit-sweep-z3.webm');
  await checkWebm(webm.bytes, 8);
  await page.getByTestId('sweep-strip').scrollIntoViewIfNeeded();
  await readmeShot(page, 'export');
});

test('a new picture drops the strip and the sweep made from the old one; a z change keeps them', async () => {
  await ensureStrip(4);
  await ensureSweep(5);
  // Moving a slider changes z, not the picture: both stay.
  const z0 = await page.evaluate(() => window.__drit!.state().z[0]!);
  await afterRender(page, () => page.getByTestId('slider-0').fill(String(z0 === 1 ? 0.5 : 1)));
  expect(await shownCount('interp-strip')).toBe(4);
  expect(await shownCount('sweep-strip')).toBe(5);
  // The other direction is another picture: both go, and the state says so too.
  await afterRender(page, () => page.getByTestId('direction').click());
  await expect.poll(() => shownCount('interp-strip')).toBe(0);
  await expect.poll(() => shownCount('sweep-strip')).toBe(0);
  const s = await page.evaluate(() => ({ interp: window.__drit!.state().interp.strip.length, sweep: window.__drit!.state().exporting.sweep.strip.length }));
  expect(s).toEqual({ interp: 0, sweep: 0 });
  await afterRender(page, () => page.getByTestId('direction').click());
});

test('cancel: an export stopped mid-way downloads nothing and the page stays usable', async () => {
  // Sixteen frames: the video then has 30 to encode, and the cancel lands after the first.
  await ensureSweep(16);
  const before = downloads;
  for (const testId of ['sweep-export-video', 'sweep-export-gif']) {
    // Press Cancel (as a user would) as soon as the first frame is encoded.
    const progressAtCancel = await page.evaluate(
      (id) =>
        new Promise<number>((resolve) => {
          const drit = window.__drit!;
          const stop = drit.subscribe((s) => {
            const job = s.exporting.job;
            if (!job || job.progress <= 0) return;
            stop();
            // After the current task: React has then drawn the progress bar with its Cancel button
            // (the encoder goes on only in a later task, after yielding to the page).
            queueMicrotask(() => {
              const cancel = document.querySelector<HTMLButtonElement>('[data-testid=export-cancel]');
              cancel?.click();
              resolve(cancel ? job.progress : -1);
            });
          });
          document.querySelector<HTMLButtonElement>(`[data-testid=${id}]`)!.click();
        }),
      testId,
    );
    expect(progressAtCancel, 'Cancel pressed while the export ran').toBeGreaterThan(0);
    expect(progressAtCancel).toBeLessThan(1);
    await expect(page.getByTestId('export-progress')).toBeHidden();
    await expect(page.getByTestId('export-saved')).toHaveText('Export cancelled; nothing was saved.');
  }
  await page.waitForTimeout(1000);
  expect(downloads).toBe(before);
  await expect(page.getByTestId('error')).toBeHidden();
  // Still usable: the next export completes.
  const gif = await download('sweep-export-gif');
  expect(new GifReader(new Uint8Array(gif.bytes)).numFrames()).toBe(30);
});

test('phone layout (360 px): the export controls fit and work', async () => {
  await ensureStrip(4);
  await ensureSweep(16);
  await page.setViewportSize({ width: 360, height: 780 });
  for (const id of ['export-gif', 'export-webp', 'export-video', 'sweep-render', 'sweep-export-gif', 'sweep-export-webp', 'sweep-export-video', 'export-container']) {
    const box = (await page.getByTestId(id).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const { bytes } = await download('export-gif');
  expect(new GifReader(new Uint8Array(bytes)).numFrames()).toBe(6);
  await page.getByTestId('sweep-strip').scrollIntoViewIfNeeded();
  await readmeShot(page, 'export-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('without WebCodecs the video export says why and the GIF export still works', async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: BASE, acceptDownloads: true });
  const w = watchOrigin(ctx);
  const p = await ctx.newPage();
  logErrors(p);
  await p.addInitScript(() => {
    // A browser without WebCodecs video encoding.
    Reflect.deleteProperty(window, 'VideoEncoder');
  });
  await p.goto('/?model=tiny');
  await waitForModel(p, 'tiny');
  await p.getByRole('button', { name: 'Close grid' }).click();
  await afterRender(p, () => dropFiles(p, '[data-testid=content-drop]', [asset('cat.png')]));
  await p.getByTestId('sweep-frames').fill('3');
  await p.getByTestId('sweep-render').click();
  await expect(p.getByTestId('sweep-strip')).toHaveAttribute('data-count', '3');
  await expect(p.getByTestId('sweep-export-video')).toBeDisabled();
  await expect(p.getByTestId('sweep-export-video')).toHaveAttribute('title', /no WebCodecs video encoder/);
  await expect(p.getByTestId('export-video-unavailable')).toContainText('no WebCodecs video encoder');
  const [d] = await Promise.all([p.waitForEvent('download'), p.getByTestId('sweep-export-gif').click()]);
  expect(new GifReader(new Uint8Array(readFileSync(await d.path()))).numFrames()).toBe(4);
  expect(w.foreign).toEqual([]);
  await ctx.close();
});
