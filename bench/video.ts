/**
 * npm run bench:video [-- --backends wasm,webgpu] [--model cat2dog] [--no-build] [--seconds 5] [--container webm]
 *
 * Video-file translation throughput in Chromium on the production build with the shipped model:
 * a clip is recorded in the page first (MediaRecorder: a 320×240 window panning across Chelsea at
 * 30 fps, with a 440 Hz tone, WebM), then dropped on the page as a user would, and the page's own
 * progress is timed: frames per second from the first frame handed to the worker to the finished
 * file (decoding, the worker's E_c + G per frame, encoding and muxing included, audio copied).
 */
import { parseArgs } from 'node:util';
import type { Page } from '@playwright/test';
import { launchChromium, servePreview } from './browser';

const PORT = 5333;
const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm' },
    model: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    container: { type: 'string', default: 'webm' },
  },
});

/** Records `seconds` of a 320×240, 30 fps clip with a tone (MediaRecorder, WebM) in the page; a handle to the File. */
async function recordClip(page: Page, seconds: number) {
  return page.evaluateHandle(async (secs) => {
    const photo = await createImageBitmap(await (await fetch('examples/chelsea.png')).blob());
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const ctx = canvas.getContext('2d')!;
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const dest = audio.createMediaStreamDestination();
    tone.frequency.value = 440;
    tone.connect(dest);
    tone.start();
    const stream = new MediaStream([...canvas.captureStream(30).getVideoTracks(), ...dest.stream.getAudioTracks()]);
    const rec = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8,opus', videoBitsPerSecond: 2_000_000 });
    const parts: Blob[] = [];
    rec.ondataavailable = (e) => parts.push(e.data);
    const stopped = new Promise((r) => (rec.onstop = r));
    rec.start();
    const t0 = performance.now();
    // (No named functions in here: tsx's keepNames would wrap them in a helper the page lacks.)
    for (let t = 0; t < secs; t = (performance.now() - t0) / 1000) {
      const x = (photo.width - 320) * (t / secs);
      ctx.drawImage(photo, x, (photo.height - 240) / 2, 320, 240, 0, 0, 320, 240);
      await new Promise((r) => requestAnimationFrame(r));
    }
    rec.stop();
    await stopped;
    tone.stop();
    await audio.close();
    return new File(parts, 'bench-clip.webm', { type: 'video/webm' });
  }, seconds);
}

async function main(): Promise<void> {
  const seconds = Number(args.seconds);
  const server = await servePreview(PORT, !args['no-build'], '.cache/bench/dist-video');
  const rows: string[] = [];
  try {
    for (const backend of (args.backends ?? '').split(',').filter(Boolean)) {
      const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
      try {
        const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
        await page.goto(`${server.base}?backend=${backend}${args.model ? `&model=${args.model}` : ''}`);
        await page.waitForFunction(() => !!window.__drit?.state().model && !window.__drit.state().loading && window.__drit.state().z.length > 0, null, { timeout: 600_000 });
        if (args.container === 'mp4') await page.getByTestId('video-container').selectOption('mp4');
        const file = await recordClip(page, seconds);
        // Timed by the page itself: from the first frame sent to the worker to the finished file.
        const timing = page.evaluate(
          () =>
            new Promise<{ frames: number; ms: number; workerMs: number; summary: string }>((resolve) => {
              let t0 = 0;
              let frames = 0;
              let workerMs = 0;
              const stop = window.__drit!.subscribe((s) => {
                const job = s.video.job;
                if (job?.stage === 'translating' && !t0) t0 = performance.now();
                if (job) frames = job.done;
                if (job?.workerMs) workerMs = job.workerMs;
                if (!job && t0) {
                  stop();
                  resolve({ frames, ms: performance.now() - t0, workerMs, summary: s.video.result?.summary ?? s.error ?? '' });
                }
              });
            }),
        );
        const dt = await page.evaluateHandle((f) => {
          const d = new DataTransfer();
          d.items.add(f);
          return d;
        }, file);
        for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('[data-testid=content-drop]', type, { dataTransfer: dt });
        const r = await timing;
        const s = await page.evaluate(() => ({ backend: window.__drit!.state().backend?.name, model: window.__drit!.state().model?.name, crop: window.__drit!.state().model?.preprocess.crop }));
        rows.push(`| ${s.backend} | ${s.model} | ${s.crop} | ${r.frames} | ${((r.frames * 1000) / r.ms).toFixed(1)} | ${(r.ms / r.frames).toFixed(1)} | ${r.workerMs.toFixed(1)} | ${r.summary} |`);
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.stop();
  }
  console.log(`\n${new Date().toISOString()}; Debian Chromium, production build; clip: ${seconds} s, 320×240 @ 30 fps, VP8 + Opus (MediaRecorder)\n`);
  console.log('| backend | model | px | frames | frames/s | ms per frame (wall) | worker ms per frame | result |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
process.exit(0);
