/**
 * Test clips, made in the page (the dev server serves this module): distinct frames of Chelsea
 * the cat (public/examples/chelsea.png, CC0) — a window panning across the photo, each frame with
 * its own hue — encoded with the browser's WebCodecs into WebM (VP9, else VP8) or MP4 (H.264), with
 * an optional Opus / AAC sine tone. mediabunny muxes the clip; the app reads it with mediabunny's
 * demuxer, and the tests read the app's output with their own walkers (media-files.ts) instead.
 */
import { AudioSample, AudioSampleSource, canEncodeAudio } from 'mediabunny';
// the video side through the module that the app's video export uses, not a second list of names
import * as mux from '../src/export/mux';

export interface ClipSpec {
  container: 'webm' | 'mp4';
  width: number;
  height: number;
  /** When each frame is shown (seconds, from 0); the last lasts `lastDuration`. */
  timestamps: number[];
  lastDuration: number;
  /** Seconds of a 440 Hz stereo tone at 48 kHz, from 0; 0 = no audio track. */
  toneSeconds: number;
}

export interface Clip {
  bytes: Uint8Array;
  videoCodec: string;
  audioCodec: string | null;
}

/** Frame k of n: the photo's window k of n (left to right), hue turned by k/n of a circle. */
export function drawTestFrame(ctx: OffscreenCanvasRenderingContext2D, photo: ImageBitmap, k: number, n: number): void {
  const { width: w, height: h } = ctx.canvas;
  const scale = photo.height / h;
  const sw = w * scale;
  const x0 = n <= 1 ? 0 : (k * (photo.width - sw)) / (n - 1);
  ctx.filter = `hue-rotate(${Math.round((k * 360) / n)}deg)`;
  ctx.drawImage(photo, x0, 0, sw, photo.height, 0, 0, w, h);
  ctx.filter = 'none';
}

export async function makeClip(spec: ClipSpec): Promise<Clip> {
  const photo = await createImageBitmap(await (await fetch('/examples/chelsea.png')).blob());
  const codecs = spec.container === 'webm' ? (['vp9', 'vp8'] as const) : (['avc'] as const);
  let videoCodec: (typeof codecs)[number] | null = null;
  for (const c of codecs) {
    if (await mux.canEncodeVideo(c, { width: spec.width, height: spec.height })) {
      videoCodec = c;
      break;
    }
  }
  if (!videoCodec) throw new Error(`this browser cannot encode ${codecs.join(' / ')}`);
  const target = new mux.BufferTarget();
  const output = new mux.Output({ format: spec.container === 'webm' ? new mux.WebMOutputFormat() : new mux.Mp4OutputFormat({ fastStart: 'in-memory' }), target });
  const video = new mux.VideoSampleSource({ codec: videoCodec, bitrate: mux.QUALITY_HIGH, keyFrameInterval: 1 });
  output.addVideoTrack(video);
  let audioCodec: 'opus' | 'aac' | null = null;
  let audio: AudioSampleSource | null = null;
  if (spec.toneSeconds > 0) {
    for (const c of spec.container === 'webm' ? (['opus'] as const) : (['aac', 'opus'] as const)) {
      if (await canEncodeAudio(c, { numberOfChannels: 2, sampleRate: 48000 })) {
        audioCodec = c;
        break;
      }
    }
    if (!audioCodec) throw new Error('this browser cannot encode Opus / AAC audio');
    audio = new AudioSampleSource({ codec: audioCodec, bitrate: mux.QUALITY_HIGH });
    output.addAudioTrack(audio);
  }
  await output.start();
  if (audio) {
    const rate = 48000;
    const n = Math.round(spec.toneSeconds * rate);
    const data = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) data[i] = data[n + i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate);
    const sample = new AudioSample({ data, format: 'f32-planar', numberOfChannels: 2, sampleRate: rate, timestamp: 0 });
    await audio.add(sample);
    sample.close();
  }
  const canvas = new OffscreenCanvas(spec.width, spec.height);
  const ctx = canvas.getContext('2d')!;
  const n = spec.timestamps.length;
  for (let k = 0; k < n; k++) {
    drawTestFrame(ctx, photo, k, n);
    const t = spec.timestamps[k]!;
    const duration = k + 1 < n ? spec.timestamps[k + 1]! - t : spec.lastDuration;
    const sample = new mux.VideoSample(canvas, { timestamp: t, duration });
    await video.add(sample);
    sample.close();
  }
  await output.finalize();
  photo.close();
  return { bytes: new Uint8Array(target.buffer!), videoCodec, audioCodec };
}
