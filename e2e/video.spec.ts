/**
 * Translating a video file, on the automatic backend (WebAssembly in this Chromium) with the tiny
 * test model. A short clip with distinct frames and a tone is made in the page (video-clip.ts),
 * dropped, and the downloaded result is read independently: tracks, frame times and audio blocks
 * by the EBML walker (media-files.ts), every frame by the browser's own VideoDecoder, the sound by
 * its AudioDecoder. Each frame must match the single-photo translation of the same source frame
 * (decoded by VideoDecoder too, dropped as a PNG). Also: files refused with their reasons (not a
 * video, too long, too large), Cancel, and the page staying usable after each.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { asset } from './assets';
import { afterRender, shareTinyModelPage } from './helpers';
import { readWebm, type WebmInfo } from './media-files';
import type { ClipSpec } from './video-clip';

let page: Page;
let downloads = 0;

const SIZE = 64; // the tiny model's output
const CLIP = { width: 160, height: 120 } as const;

shareTinyModelPage((opened) => {
  page = opened.page;
  page.on('download', () => downloads++);
});

/** Makes a clip in the page (e2e/video-clip.ts, served by the dev server); its bytes as base64. */
async function makeClip(spec: ClipSpec): Promise<{ b64: string; videoCodec: string; audioCodec: string | null }> {
  return page.evaluate(async (s) => {
    const url = '/e2e/video-clip.ts';
    const m = (await import(/* @vite-ignore */ url)) as typeof import('./video-clip');
    const clip = await m.makeClip(s);
    let bin = '';
    for (let i = 0; i < clip.bytes.length; i += 0x8000) bin += String.fromCharCode(...clip.bytes.subarray(i, i + 0x8000));
    return { b64: btoa(bin), videoCodec: clip.videoCodec, audioCodec: clip.audioCodec };
  }, spec);
}

/** Drops files made in the page (base64 bytes, or `zeros` bytes of 0) on the content drop zone, as a user would. */
async function dropMade(files: { name: string; type: string; b64?: string; zeros?: number }[]): Promise<void> {
  const dt = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = f.b64 !== undefined ? Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0)) : new Uint8Array(f.zeros ?? 0);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('[data-testid=content-drop]', type, { dataTransfer: dt });
  await dt.dispose();
}

function frameTimes(n: number, fps: number): number[] {
  return Array.from({ length: n }, (_, k) => k / fps);
}

/** The colour space a WebM's Colour element declares (ISO/IEC 23091-2 codes), as WebCodecs names it. */
function colourSpace(c: WebmInfo['colour']): VideoColorSpaceInit {
  const matrix = ({ 1: 'bt709', 5: 'bt470bg', 6: 'smpte170m' } as const)[c.matrix as 1];
  const transfer = ({ 1: 'bt709', 6: 'smpte170m', 13: 'iec61966-2-1' } as const)[c.transfer as 1];
  const primaries = ({ 1: 'bt709', 5: 'bt470bg', 6: 'smpte170m' } as const)[c.primaries as 1];
  return { ...(matrix ? { matrix } : {}), ...(transfer ? { transfer } : {}), ...(primaries ? { primaries } : {}), ...(c.range ? { fullRange: c.range === 2 } : {}) };
}

/**
 * Decodes the video track of a WebM with the browser's VideoDecoder, with the colour space the file
 * declares (without it the decoder assumes another matrix and every colour is off by a few levels);
 * each frame drawn at (w, h) and read back as RGBA.
 */
async function decodeFrames(webm: WebmInfo, w: number, h: number): Promise<number[][]> {
  const track = webm.tracks.find((t) => t.codecId.startsWith('V_'))!;
  const codec = track.codecId === 'V_VP9' ? 'vp09.00.10.08' : track.codecId === 'V_VP8' ? 'vp8' : '';
  expect(codec, `codec ${track.codecId}`).not.toBe('');
  const payloads = webm.blocks.filter((b) => b.track === track.number).map((b) => b.data);
  return page.evaluate(
    async ({ codec, colorSpace, frames, w, h }) => {
      const out: number[][] = [];
      // The app reads frames the same way (a default 2D canvas; willReadFrequently would pick another YUV -> RGB path).
      const ctx = new OffscreenCanvas(w, h).getContext('2d')!;
      let failure: unknown = null;
      const dec = new VideoDecoder({
        output: (f) => {
          ctx.drawImage(f, 0, 0, w, h);
          f.close();
          out.push(Array.from(ctx.getImageData(0, 0, w, h).data));
        },
        error: (e) => {
          failure = e;
        },
      });
      dec.configure({ codec, colorSpace });
      frames.forEach((b64, i) => {
        const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        dec.decode(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 1000, data }));
      });
      await dec.flush();
      dec.close();
      if (failure) throw failure;
      return out;
    },
    { codec, colorSpace: colourSpace(webm.colour), frames: payloads.map((p) => p.toString('base64')), w, h },
  );
}

/** Decodes Opus payloads with the browser's AudioDecoder: seconds of sound and its RMS level. */
async function decodeOpus(payloads: Buffer[]): Promise<{ seconds: number; rms: number }> {
  return page.evaluate(async (frames) => {
    let samples = 0;
    let sum = 0;
    let n = 0;
    let rate = 48000;
    const dec = new AudioDecoder({
      output: (a) => {
        rate = a.sampleRate;
        samples += a.numberOfFrames;
        const plane = new Float32Array(a.numberOfFrames);
        a.copyTo(plane, { planeIndex: 0, format: 'f32-planar' });
        for (const v of plane) {
          sum += v * v;
          n++;
        }
        a.close();
      },
      error: () => {},
    });
    dec.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
    frames.forEach((b64, i) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: i * 20_000, data }));
    });
    await dec.flush();
    dec.close();
    return { seconds: samples / rate, rms: Math.sqrt(sum / Math.max(1, n)) };
  }, payloads.map((p) => p.toString('base64')));
}

/** Turns RGBA frames into PNG files in the page (lossless), as base64. */
async function toPngs(frames: number[][], w: number, h: number): Promise<string[]> {
  return page.evaluate(
    async ({ frames, w, h }) => {
      const out: string[] = [];
      for (const px of frames) {
        const c = new OffscreenCanvas(w, h);
        c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(px), w, h), 0, 0);
        const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
        let bin = '';
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        out.push(btoa(bin));
      }
      return out;
    },
    { frames, w, h },
  );
}

/** Mean absolute difference of luma (BT.601), over 2×2 blocks when `block` is 2. */
function meanLumaError(a: ArrayLike<number>, b: ArrayLike<number>, size: number, block = 1): number {
  const luma = (px: ArrayLike<number>, x: number, y: number): number => {
    const i = (y * size + x) * 4;
    return 0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!;
  };
  let sum = 0;
  let n = 0;
  for (let y = 0; y < size; y += block) {
    for (let x = 0; x < size; x += block) {
      let d = 0;
      for (let dy = 0; dy < block; dy++) for (let dx = 0; dx < block; dx++) d += luma(a, x + dx, y + dy) - luma(b, x + dx, y + dy);
      sum += Math.abs(d / (block * block));
      n++;
    }
  }
  return sum / n;
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

type Captured = { frames: number[][]; inputs: number[][]; stop?: () => void };

/** Starts recording the frames the app hands to the encoder (each translation as it comes back from the worker) and their model inputs. */
async function captureEncoded(): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __videoCaptured?: Captured };
    w.__videoCaptured?.stop?.();
    const captured: Captured = { frames: [], inputs: [] };
    w.__videoCaptured = captured;
    let last: unknown = null;
    captured.stop = window.__drit!.subscribe((s) => {
      const f = s.video.job?.frame;
      if (f && f !== last) {
        captured.frames.push(Array.from(f.data));
        captured.inputs.push(Array.from(s.video.job!.input!.data));
      }
      last = f ?? last;
    });
  });
}

/** What `captureEncoded` recorded (and stops recording). */
async function readEncoded(): Promise<{ frames: number[][]; inputs: number[][] }> {
  return page.evaluate(() => {
    const c = (window as unknown as { __videoCaptured: Captured }).__videoCaptured;
    c.stop?.();
    return { frames: c.frames, inputs: c.inputs };
  });
}

async function waitDownload(act: () => Promise<unknown>): Promise<{ name: string; bytes: Buffer }> {
  const [d]: [Download, unknown] = await Promise.all([page.waitForEvent('download'), act()]);
  await expect(page.getByTestId('video-progress')).toBeHidden();
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/** The page still renders: a slider move brings a new output. */
async function stillWorks(): Promise<void> {
  const z0 = await page.evaluate(() => window.__drit!.state().z[0]!);
  await afterRender(page, () => page.getByTestId('slider-0').fill(String(z0 === 1 ? 0.5 : 1)));
}

test('a WebM clip with sound -> a WebM whose frames are the single-photo translations of its frames, sound kept', async () => {
  const fps = 8;
  const n = 8;
  const made = await makeClip({ container: 'webm', ...CLIP, timestamps: frameTimes(n, fps), lastDuration: 1 / fps, toneSeconds: n / fps });
  expect(made.audioCodec).toBe('opus');
  const z = await page.evaluate(() => window.__drit!.state().z.slice());
  await captureEncoded();
  const out = await waitDownload(() => dropMade([{ name: 'clip.webm', type: 'video/webm', b64: made.b64 }]));
  expect(out.name).toBe('drit-clip.webm');
  await expect(page.getByTestId('video-saved')).toContainText(`Saved drit-clip.webm`);
  await expect(page.getByTestId('video-saved')).toContainText(`${n} frames at ${SIZE}×${SIZE}, 1.0 s, Opus audio copied`);
  await expect(page.getByTestId('error')).toBeHidden();

  // The file, read by our own EBML walker: one video and one Opus track, 8 frames 125 ms apart.
  const webm = readWebm(out.bytes);
  expect(webm.docType).toBe('webm');
  expect([webm.width, webm.height]).toEqual([SIZE, SIZE]);
  const video = webm.tracks.find((t) => t.codecId.startsWith('V_'))!;
  const audio = webm.tracks.find((t) => t.codecId === 'A_OPUS')!;
  expect(video.codecId).toMatch(/^V_VP[89]$/);
  expect(audio, 'an Opus track').toBeTruthy();
  const videoBlocks = webm.blocks.filter((b) => b.track === video.number);
  expect(videoBlocks.map((b) => b.timeMs)).toEqual(frameTimes(n, fps).map((t) => Math.round(t * 1000)));
  // The sound: the same second of tone (Opus copied packet for packet; amplitude 0.5 -> RMS 0.35).
  const sound = await decodeOpus(webm.blocks.filter((b) => b.track === audio.number).map((b) => b.data));
  expect(sound.seconds).toBeGreaterThan(0.9);
  expect(sound.seconds).toBeLessThan(1.2);
  expect(sound.rms).toBeGreaterThan(0.3);
  expect(sound.rms).toBeLessThan(0.4);

  // Every output frame, decoded by the browser's VideoDecoder.
  const got = await decodeFrames(webm, SIZE, SIZE);
  expect(got).toHaveLength(n);

  // The references: each source frame decoded from the input clip (VideoDecoder), dropped as a PNG photo, translated with the same z.
  const input = readWebm(Buffer.from(made.b64, 'base64'));
  const sourceFrames = await decodeFrames(input, CLIP.width, CLIP.height);
  expect(sourceFrames).toHaveLength(n);
  const pngs = await toPngs(sourceFrames, CLIP.width, CLIP.height);
  const refs: number[][] = [];
  const refInputs: number[][] = [];
  for (const [k, b64] of pngs.entries()) {
    await afterRender(page, () => dropMade([{ name: `frame-${k}.png`, type: 'image/png', b64 }]));
    refs.push(await page.evaluate(() => Array.from(window.__drit!.state().output!.data)));
    refInputs.push(await page.evaluate(() => Array.from(window.__drit!.state().modelInput!.data)));
  }
  expect(await page.evaluate(() => window.__drit!.state().z.slice())).toEqual(z);

  const { frames: raw, inputs } = await readEncoded();
  // What the app encoded is exactly the single-photo translation of each source frame (same model input, same output).
  expect(raw).toHaveLength(n);
  raw.forEach((f, k) => {
    expect(maxError(inputs[k]!, refInputs[k]!), `frame ${k}: model input`).toBe(0);
    expect(maxError(f, refs[k]!), `frame ${k}: translation`).toBe(0);
  });
  // And the file keeps it up to codec loss. The tiny test model paints pixel-level noise that 4:2:0
  // video cannot hold (chroma at half resolution, fine luma detail quantised: mean RGB error ~45
  // per pixel), but the luma of 2×2 blocks survives: measured 0.5-0.6 levels against its own
  // frame's reference and >= 10.8 against any other frame of this clip. A shuffled, repeated or
  // untranslated frame fails.
  const errors = got.map((px) => refs.map((r) => meanLumaError(px, r, SIZE, 2)));
  console.log('decoded frame k vs reference j, mean 2×2-block luma error:', errors.map((row) => row.map((e) => e.toFixed(1)).join(' ')).join(' | '));
  errors.forEach((row, k) => {
    expect(row[k], `frame ${k} against its own reference`).toBeLessThan(2);
    for (const [j, e] of row.entries()) if (j !== k) expect(e, `frame ${k} against frame ${j}'s reference`).toBeGreaterThan(Math.max(5, 4 * row[k]!));
  });
});

test('files refused with their reason, nothing downloaded, and the page still works', async () => {
  const before = downloads;
  // Not a video, although named like one.
  const png = readFileSync(asset('cat.png')).toString('base64');
  await dropMade([{ name: 'holiday.webm', type: 'video/webm', b64: png }]);
  await expect(page.getByTestId('error')).toContainText('Video not translated: “holiday.webm” is not an MP4 or WebM video this page can read.');
  await stillWorks();
  // Too long: two frames, the second at 61 s (a real 62 s clip, tiny file).
  const long = await makeClip({ container: 'webm', ...CLIP, timestamps: [0, 61], lastDuration: 1, toneSeconds: 0 });
  await dropMade([{ name: 'long.webm', type: 'video/webm', b64: long.b64 }]);
  await expect(page.getByTestId('error')).toContainText(/Video not translated: “long\.webm” is 6[12]\.\d s long; videos up to 60 s can be translated\. Trim it first\./);
  await stillWorks();
  // Too large: 201 MB (refused by its size, before anything is read).
  await dropMade([{ name: 'big.mp4', type: 'video/mp4', zeros: 201 * 1024 * 1024 }]);
  await expect(page.getByTestId('error')).toContainText('Video not translated: “big.mp4” is 201 MB; videos up to 200 MB can be translated.');
  await stillWorks();
  await page.waitForTimeout(500);
  expect(downloads).toBe(before);
  await expect(page.getByTestId('video-progress')).toBeHidden();
});

test('cancel: a translation stopped mid-way saves nothing and the page stays usable', async () => {
  const before = downloads;
  const made = await makeClip({ container: 'webm', ...CLIP, timestamps: frameTimes(60, 10), lastDuration: 0.1, toneSeconds: 0 });
  await dropMade([{ name: 'long-ish.webm', type: 'video/webm', b64: made.b64 }]);
  await expect(page.getByTestId('video-progress-text')).toContainText(/frame [1-9]\d* of 60, /);
  await page.getByTestId('video-cancel').click();
  await expect(page.getByTestId('video-progress')).toBeHidden();
  await expect(page.getByTestId('video-message')).toHaveText('Video translation cancelled; nothing was saved.');
  await page.waitForTimeout(1000);
  expect(downloads).toBe(before);
  await expect(page.getByTestId('error')).toBeHidden();
  await stillWorks();
  // And the next video goes through.
  const small = await makeClip({ container: 'webm', ...CLIP, timestamps: frameTimes(3, 10), lastDuration: 0.1, toneSeconds: 0 });
  const out = await waitDownload(() => dropMade([{ name: 'small.webm', type: 'video/webm', b64: small.b64 }]));
  expect(readWebm(out.bytes).blocks).toHaveLength(3);
  await expect(page.getByTestId('video-saved')).toContainText('3 frames at 64×64, 0.3 s;');
});

test('z along the video: a sweep of z1 paints the first frame at z1 = -3, the middle at 0 and the last at +3', async () => {
  const z = await page.evaluate(() => window.__drit!.state().z.slice());
  await page.getByTestId('sweep-dim').selectOption({ label: 'z1' });
  await page.getByTestId('video-path').selectOption('sweep');
  const made = await makeClip({ container: 'webm', ...CLIP, timestamps: frameTimes(3, 10), lastDuration: 0.1, toneSeconds: 0 });
  await captureEncoded();
  await waitDownload(() => dropMade([{ name: 'sweep.webm', type: 'video/webm', b64: made.b64 }]));
  const { frames } = await readEncoded();
  expect(frames).toHaveLength(3);
  // References: each source frame as a photo, with z1 set on its slider to the sweep's value there.
  const source = await decodeFrames(readWebm(Buffer.from(made.b64, 'base64')), CLIP.width, CLIP.height);
  const pngs = await toPngs(source, CLIP.width, CLIP.height);
  for (const [k, z1] of [-3, 0, 3].entries()) {
    await afterRender(page, () => dropMade([{ name: `sweep-${k}.png`, type: 'image/png', b64: pngs[k]! }]));
    const now = await page.evaluate(() => window.__drit!.state().z[0]!);
    if (z1 !== now) await afterRender(page, () => page.getByTestId('slider-0').fill(String(z1)));
    const state = await page.evaluate(() => ({ z: window.__drit!.state().z.slice(), out: Array.from(window.__drit!.state().output!.data) }));
    expect(state.z).toEqual([z1, ...z.slice(1)]);
    expect(maxError(frames[k]!, state.out), `frame ${k} at z1 = ${z1}`).toBe(0);
  }
  await page.getByTestId('video-path').selectOption('current');
});
