/**
 * npm run bench:camera [-- --backends wasm,webgpu] [--model cat2dog] [--no-build] [--frames N]
 *
 * Live-camera frame rate in Chromium on the production build: Chromium's fake capture device
 * plays a 320×240, 60 fps clip of Chelsea (e2e/camera-video.ts), the app translates it with the shipped
 * model, and after a few warm-up frames the page's own figures are read: frames per second (the
 * readout's moving average, and frames / wall time) and the worker's time per frame (reading the
 * frame + crop + resize, and E_c + G). One frame is in flight at a time, as in the app.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CAMERA_VIDEO, writeCameraVideo } from '../e2e/camera-video';
import { REPO, launchChromium, servePreview } from './browser';

const PORT = 5196;
/** Faster than any backend here translates, so the camera never limits the figure. */
const CLIP_FPS = 60;
const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,webgpu' },
    model: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    frames: { type: 'string', default: '40' },
  },
});

async function main(): Promise<void> {
  const clip = join(REPO, '.cache', 'bench', 'camera.y4m');
  mkdirSync(join(REPO, '.cache', 'bench'), { recursive: true });
  writeCameraVideo(REPO, clip, CLIP_FPS);
  const frames = Number(args.frames);
  const server = await servePreview(PORT, !args['no-build']);
  const rows: string[] = [];
  try {
    for (const backend of (args.backends ?? '').split(',').filter(Boolean)) {
      const browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`]);
      try {
        const context = await browser.newContext({ permissions: ['camera'] });
        const page = await context.newPage();
        await page.goto(`${server.base}?backend=${backend}${args.model ? `&model=${args.model}` : ''}`);
        await page.waitForFunction(() => !!window.__drit?.state().model && !window.__drit.state().loading, null, { timeout: 600_000 });
        await page.getByTestId('source-camera').click();
        // Warm-up frames (first-call kernel selection), then the measured ones.
        await page.waitForFunction(() => window.__drit!.state().camera.frames >= 5, null, { timeout: 600_000 });
        const start = await page.evaluate(() => ({ n: window.__drit!.state().camera.frames, t: performance.now() }));
        await page.waitForFunction((want) => window.__drit!.state().camera.frames >= want, start.n + frames, { timeout: 1_200_000 });
        const end = await page.evaluate(() => {
          const s = window.__drit!.state();
          return { n: s.camera.frames, t: performance.now(), fps: s.camera.fps, frameMs: s.camera.frameMs, backend: s.backend?.name, model: s.model?.name, crop: s.model?.preprocess.crop };
        });
        const wallFps = ((end.n - start.n) * 1000) / (end.t - start.t);
        rows.push(`| ${end.backend} | ${end.model} | ${end.crop} | ${wallFps.toFixed(1)} | ${end.fps?.toFixed(1) ?? '-'} | ${end.frameMs?.toFixed(1) ?? '-'} | ${end.n - start.n} |`);
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.stop();
  }
  console.log(`\n${new Date().toISOString()}; Debian Chromium, production build; camera clip ${CAMERA_VIDEO.width}×${CAMERA_VIDEO.height} @ ${CLIP_FPS} fps (fake device)\n`);
  console.log('| backend | model | px | frames/s (wall) | frames/s (readout) | worker ms per frame | frames |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
process.exit(0);
