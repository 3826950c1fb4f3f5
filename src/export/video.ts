/**
 * Video from RGBA frames: the browser's own WebCodecs VideoEncoder (VP9, else VP8, into WebM;
 * H.264 into MP4 where the browser encodes it), muxed by mediabunny (MPL-2.0, the maintained
 * successor of webm-muxer / mp4-muxer). mediabunny is loaded on the first video export only, so
 * it costs the page nothing until then; it drives the VideoEncoder itself, with backpressure.
 * Without WebCodecs there is no video export (the GIF export needs none): see docs/limits.md.
 */
import type { RgbaFrame } from '../worker/protocol';
import { abortError, checkFrames, throwIfAborted, yieldToUi, type EncodeOptions } from './common';

export type VideoContainer = 'webm' | 'mp4';

/** The codecs tried for each container, best first (mediabunny's codec names). */
export const CONTAINER_CODECS = {
  webm: ['vp9', 'vp8'],
  mp4: ['avc'],
} as const satisfies Record<VideoContainer, readonly string[]>;

export type VideoCodecName = (typeof CONTAINER_CODECS)[VideoContainer][number];

export const CODEC_LABEL: Record<VideoCodecName, string> = { vp9: 'VP9', vp8: 'VP8', avc: 'H.264' };

export const CONTAINER_MIME: Record<VideoContainer, string> = { webm: 'video/webm', mp4: 'video/mp4' };

/** Why this browser cannot export video, or null when it can (WebCodecs' VideoEncoder exists). */
export function videoUnavailableReason(): string | null {
  if (typeof globalThis.VideoEncoder === 'function' && typeof globalThis.VideoFrame === 'function') return null;
  return 'This browser has no WebCodecs video encoder (VideoEncoder), so it cannot make a video; the GIF export works everywhere.';
}

/**
 * A frame padded to even width and height (repeating the last column / row): 4:2:0 video, which
 * every encoder here produces, has no odd sizes. Even frames are returned as they are.
 */
export function evenFrame(frame: RgbaFrame): RgbaFrame {
  const w = frame.width + (frame.width % 2);
  const h = frame.height + (frame.height % 2);
  if (w === frame.width && h === frame.height) return frame;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(y, frame.height - 1);
    const row = frame.data.subarray(sy * frame.width * 4, (sy + 1) * frame.width * 4);
    data.set(row, y * w * 4);
    if (w > frame.width) data.set(row.subarray(row.length - 4), (y * w + w - 1) * 4);
  }
  return { width: w, height: h, data };
}

export interface VideoOptions extends EncodeOptions {
  container: VideoContainer;
  /** How long each frame is shown, in milliseconds. */
  frameMs: number;
}

export interface VideoResult {
  blob: Blob;
  codec: VideoCodecName;
  width: number;
  height: number;
}

type Mux = typeof import('./mux');

/** The best codec this browser encodes into `container` at this size; throws a message for users when none. */
export async function chooseVideoCodec(container: VideoContainer, width: number, height: number): Promise<VideoCodecName> {
  const mb: Mux = await import('./mux');
  for (const c of CONTAINER_CODECS[container]) {
    if (await mb.canEncodeVideo(c, { width, height, bitrate: mb.QUALITY_HIGH })) return c;
  }
  const tried = CONTAINER_CODECS[container].map((c) => CODEC_LABEL[c]).join(' or ');
  throw new Error(`this browser cannot encode ${tried} video at ${width}×${height}, so no ${container.toUpperCase()} file can be made; try the other video format or the GIF`);
}

/** A muxer writing `container` into memory (MP4 with its index in front, for playback while loading). */
export async function newVideoOutput(container: VideoContainer) {
  const mb: Mux = await import('./mux');
  const target = new mb.BufferTarget();
  const output = new mb.Output({
    format: container === 'webm' ? new mb.WebMOutputFormat() : new mb.Mp4OutputFormat({ fastStart: 'in-memory' }),
    target,
  });
  return { output, target };
}

/** Adds one even-sized RGBA frame (shown from `timestamp` for `duration` seconds) to a video source. */
export async function addFrame(source: InstanceType<Mux['VideoSampleSource']>, f: RgbaFrame, timestamp: number, duration: number): Promise<void> {
  const mb: Mux = await import('./mux');
  const sample = new mb.VideoSample(f.data, { format: 'RGBA', codedWidth: f.width, codedHeight: f.height, timestamp, duration });
  try {
    await source.add(sample);
  } finally {
    sample.close();
  }
}

/** Encodes and muxes the frames; rejects with an AbortError when cancelled (nothing is kept). */
export async function encodeVideo(frames: readonly RgbaFrame[], opts: VideoOptions): Promise<VideoResult> {
  checkFrames(frames);
  const why = videoUnavailableReason();
  if (why) throw new Error(why);
  throwIfAborted(opts.signal);
  const mb = await import('./mux');
  const even = frames.map(evenFrame);
  const { width, height } = even[0]!;
  const codec = await chooseVideoCodec(opts.container, width, height);
  throwIfAborted(opts.signal);
  const { output, target } = await newVideoOutput(opts.container);
  const source = new mb.VideoSampleSource({ codec, bitrate: mb.QUALITY_HIGH });
  const seconds = opts.frameMs / 1000;
  output.addVideoTrack(source, { frameRate: 1 / seconds });
  let finished = false;
  try {
    await output.start();
    for (let i = 0; i < even.length; i++) {
      throwIfAborted(opts.signal);
      await addFrame(source, even[i]!, i * seconds, seconds);
      // The last step (flushing the encoder, writing the index) counts as one more frame.
      opts.onProgress?.((i + 1) / (even.length + 1));
      await yieldToUi();
    }
    throwIfAborted(opts.signal);
    await output.finalize();
    finished = true;
  } finally {
    if (!finished && output.state !== 'canceled' && output.state !== 'finalized') await output.cancel();
  }
  if (opts.signal?.aborted) throw abortError();
  opts.onProgress?.(1);
  if (!target.buffer) throw new Error('the video muxer produced no data');
  return { blob: new Blob([target.buffer], { type: CONTAINER_MIME[opts.container] }), codec, width, height };
}
