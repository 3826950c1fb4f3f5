/**
 * A video file through the model: demux the MP4 / WebM (mediabunny), decode its frames with the
 * browser's WebCodecs, hand each planned frame (video-plan.ts) to `translate` (the app sends it
 * to the worker), and encode the translations into a new WebM / MP4 with the same timing. The
 * audio is copied as it is when the output container takes its codec, else decoded and re-encoded
 * (Opus / AAC); when it cannot be decoded the result is video only and says why. Decoding the next
 * frame and encoding the last translation overlap with the translation in flight.
 */
import type { Input, Output, VideoSample, VideoSampleSource } from 'mediabunny';
import type { RgbaFrame } from '../worker/protocol';
import { abortError, throwIfAborted } from './common';
import { VIDEO_LIMITS, fileSizeProblem, planFrames, trackProblem, type PlannedFrame } from './video-plan';
import { CODEC_LABEL, CONTAINER_MIME, addFrame, chooseVideoCodec, evenFrame, newVideoOutput, videoUnavailableReason, type VideoCodecName, type VideoContainer } from './video';

type Io = typeof import('./video-io');

export interface VideoProgress {
  stage: 'reading' | 'translating' | 'finishing';
  /** Frames translated and encoded, of `total` (0 while reading). */
  done: number;
  total: number;
}

export interface TranslateVideoOptions {
  container: VideoContainer;
  /** Translates frame `index` of `total`; the bitmap is handed over (transfer or close it). */
  translate(frame: ImageBitmap, index: number, total: number): Promise<RgbaFrame>;
  signal?: AbortSignal;
  onProgress?(p: VideoProgress): void;
  maxFps?: number;
}

export interface VideoTranslation {
  blob: Blob;
  codec: VideoCodecName;
  width: number;
  height: number;
  frames: number;
  seconds: number;
  /** What happened to the sound, in words ("Opus audio copied"), or null when the clip had none. */
  audio: string | null;
  /** Why the sound is missing although the clip had some, or null. */
  audioProblem: string | null;
}

const AUDIO_NAME: Record<string, string> = { opus: 'Opus', vorbis: 'Vorbis', aac: 'AAC', mp3: 'MP3', flac: 'FLAC' };
const audioName = (c: string | null): string => (c ? (AUDIO_NAME[c] ?? c) : 'unknown');

/** Hands out items (audio packets or samples) in order, up to a time, then stops until asked again. */
class Pump<T extends { timestamp: number }> {
  private next: T | null | undefined;
  constructor(
    private readonly items: AsyncGenerator<T, void, unknown>,
    private readonly add: (item: T) => Promise<void>,
    private readonly drop: (item: T) => void,
  ) {}

  /** Adds every item that starts before `t` (source seconds). */
  async until(t: number): Promise<void> {
    for (;;) {
      if (this.next === undefined) {
        const r = await this.items.next();
        this.next = r.done ? null : r.value;
      }
      if (this.next === null || this.next.timestamp >= t) return;
      const item = this.next;
      this.next = undefined;
      await this.add(item);
    }
  }

  async close(): Promise<void> {
    if (this.next) this.drop(this.next);
    this.next = null;
    await this.items.return(undefined);
  }
}

interface AudioPlan {
  pump: Pick<Pump<{ timestamp: number }>, 'until' | 'close'> | null;
  audio: string | null;
  problem: string | null;
}

/** Adds the audio track to `output` (before it starts): copied, re-encoded, or none with the reason. */
async function planAudio(io: Io, output: Output, name: string, container: VideoContainer, t0: number, input: Input): Promise<AudioPlan> {
  const track = await input.getPrimaryAudioTrack();
  if (!track) return { pump: null, audio: null, problem: null };
  const codec = await track.getCodec();
  if (codec && output.format.getSupportedAudioCodecs().includes(codec)) {
    const source = new io.EncodedAudioPacketSource(codec);
    output.addAudioTrack(source);
    const decoderConfig = (await track.getDecoderConfig()) ?? undefined;
    let first = true;
    const pump = new Pump(
      new io.EncodedPacketSink(track).packets(),
      async (p) => {
        if (p.timestamp < t0) return;
        const shifted = p.clone({ timestamp: p.timestamp - t0 });
        await source.add(shifted, first && decoderConfig ? { decoderConfig } : undefined);
        first = false;
      },
      () => {},
    );
    return { pump, audio: `${audioName(codec)} audio copied`, problem: null };
  }
  const channels = await track.getNumberOfChannels();
  const sampleRate = await track.getSampleRate();
  if (!(await track.canDecode())) {
    return { pump: null, audio: null, problem: `the ${audioName(codec)} sound of “${name}” cannot be decoded by this browser, so the video is silent` };
  }
  const wanted = container === 'webm' ? (['opus'] as const) : (['aac', 'opus'] as const);
  let target: 'opus' | 'aac' | null = null;
  for (const c of wanted) {
    if (output.format.getSupportedAudioCodecs().includes(c) && (await io.canEncodeAudio(c, { numberOfChannels: channels, sampleRate }))) {
      target = c;
      break;
    }
  }
  if (!target) {
    return { pump: null, audio: null, problem: `this browser cannot encode ${wanted.map(audioName).join(' or ')} sound (${channels} channels, ${sampleRate} Hz), so the video is silent` };
  }
  const source = new io.AudioSampleSource({ codec: target, bitrate: io.QUALITY_HIGH });
  output.addAudioTrack(source);
  const pump = new Pump(
    new io.AudioSampleSink(track).samples(),
    async (s) => {
      try {
        if (s.timestamp < t0) return;
        s.setTimestamp(s.timestamp - t0);
        await source.add(s);
      } finally {
        s.close();
      }
    },
    (s) => s.close(),
  );
  return { pump, audio: `${audioName(codec)} audio re-encoded as ${audioName(target)}`, problem: null };
}

/** A decoded frame as an upright bitmap of its display size (rotation and pixel aspect applied). */
function frameBitmap(sample: VideoSample): ImageBitmap {
  const canvas = new OffscreenCanvas(sample.displayWidth, sample.displayHeight);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas to read the video frame with');
  sample.drawWithFit(ctx, { fit: 'fill' });
  return canvas.transferToImageBitmap();
}

/** Reads, checks and plans the file: its video track, the frames to translate and where they start. */
async function openVideo(io: Io, file: Blob, name: string, maxFps: number, signal: AbortSignal | undefined) {
  const input = new io.Input({ source: new io.BlobSource(file), formats: [io.MP4, io.QTFF, io.WEBM, io.MATROSKA] });
  try {
    let readable = false;
    try {
      readable = await input.canRead();
    } catch {
      readable = false;
    }
    if (!readable) throw new Error(`“${name}” is not an MP4 or WebM video this page can read.`);
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new Error(`“${name}” has no video track.`);
    const width = await track.getDisplayWidth();
    const height = await track.getDisplayHeight();
    const quick = await input.getDurationFromMetadata([track]);
    const tooLong = trackProblem(name, { seconds: quick ?? 1, width, height });
    if (tooLong) throw new Error(tooLong);
    const end = await track.computeDuration();
    const first = await track.getFirstTimestamp();
    const problem = trackProblem(name, { seconds: end - Math.max(0, first), width, height });
    if (problem) throw new Error(problem);
    if (!(await track.canDecode())) {
      const codec = await track.getCodec();
      throw new Error(`this browser cannot decode the ${codec ? (CODEC_LABEL[codec as VideoCodecName] ?? codec.toUpperCase()) : 'unknown'} video in “${name}”.`);
    }
    const timestamps: number[] = [];
    for await (const p of new io.EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
      timestamps.push(p.timestamp);
      if (timestamps.length % 256 === 0) throwIfAborted(signal);
    }
    const plan = planFrames(timestamps.filter((t) => t >= 0), end, maxFps);
    if (!plan.length) throw new Error(`“${name}” has no video frames.`);
    return { input, track, plan };
  } catch (e) {
    input.dispose();
    throw e;
  }
}

/** Translates every planned frame of a video file; rejects with an AbortError when cancelled (nothing is kept). */
export async function translateVideoFile(file: Blob, name: string, opts: TranslateVideoOptions): Promise<VideoTranslation> {
  const sizeProblem = fileSizeProblem(name, file.size);
  if (sizeProblem) throw new Error(sizeProblem);
  const why = videoUnavailableReason();
  if (why) throw new Error(why);
  const { signal } = opts;
  throwIfAborted(signal);
  opts.onProgress?.({ stage: 'reading', done: 0, total: 0 });
  const io: Io = await import('./video-io');
  const { input, track, plan } = await openVideo(io, file, name, opts.maxFps ?? VIDEO_LIMITS.maxFps, signal);
  const total = plan.length;
  const t0 = plan[0]!.source;
  let output: Output | null = null;
  let audio: AudioPlan = { pump: null, audio: null, problem: null };
  let result: { codec: VideoCodecName; width: number; height: number; target: { buffer: ArrayBuffer | null } } | null = null;
  let videoSource: VideoSampleSource | null = null;
  let done = 0;
  let finished = false;

  /** The first translation fixes the output size: the muxer, its codec and the audio track start then. */
  const start = async (frame: RgbaFrame): Promise<void> => {
    const { width, height } = evenFrame(frame);
    const codec = await chooseVideoCodec(opts.container, width, height);
    const out = await newVideoOutput(opts.container);
    output = out.output;
    // Very high: the frames are small (the model's output size), and a model's fine texture is what lower rates lose first.
    videoSource = new io.VideoSampleSource({ codec, bitrate: io.QUALITY_VERY_HIGH });
    output.addVideoTrack(videoSource);
    audio = await planAudio(io, output, name, opts.container, t0, input);
    await output.start();
    result = { codec, width, height, target: out.target };
  };
  const encode = async (frame: RgbaFrame, p: PlannedFrame): Promise<void> => {
    if (!result) await start(frame);
    throwIfAborted(signal);
    await addFrame(videoSource!, evenFrame(frame), p.timestamp, p.duration);
    await audio.pump?.until(p.source + p.duration);
    done++;
    opts.onProgress?.({ stage: 'translating', done, total });
  };

  try {
    opts.onProgress?.({ stage: 'translating', done: 0, total });
    let next = 0;
    let inflight: Promise<void> = Promise.resolve();
    const eps = 1e-6;
    for await (const sample of new io.VideoSampleSink(track).samples()) {
      try {
        throwIfAborted(signal);
        const p = plan[next];
        if (!p || sample.timestamp < p.source - eps) continue;
        const k = next++;
        const bitmap = frameBitmap(sample);
        const translated = opts.translate(bitmap, k, total);
        // Both are awaited later (through `inflight`, on the next frame or after the loop); an early
        // exit (cancel, a failed encode) must not leave their rejections unhandled meanwhile.
        translated.catch(() => {});
        await inflight;
        inflight = translated.then((f) => encode(f, p));
        inflight.catch(() => {});
      } finally {
        sample.close();
      }
      if (next >= total) break;
    }
    await inflight;
    throwIfAborted(signal);
    if (!output || !result) throw new Error(`no frame of “${name}” could be decoded.`);
    opts.onProgress?.({ stage: 'finishing', done, total });
    await audio.pump?.until(Infinity);
    await (output as Output | null)?.finalize();
    finished = true;
  } finally {
    await audio.pump?.close().catch(() => {});
    const out = output as Output | null;
    if (!finished && out && out.state !== 'canceled' && out.state !== 'finalized') await out.cancel().catch(() => {});
    input.dispose();
  }
  if (signal?.aborted) throw abortError();
  const r = result as { codec: VideoCodecName; width: number; height: number; target: { buffer: ArrayBuffer | null } } | null;
  if (!r?.target.buffer) throw new Error('the video muxer produced no data');
  const last = plan[done - 1] ?? plan[plan.length - 1]!;
  return {
    blob: new Blob([r.target.buffer], { type: CONTAINER_MIME[opts.container] }),
    codec: r.codec,
    width: r.width,
    height: r.height,
    frames: done,
    seconds: last.timestamp + last.duration,
    audio: audio.audio,
    audioProblem: audio.problem,
  };
}
