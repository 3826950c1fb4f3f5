/**
 * Animated WebP: each frame is encoded by the browser's own WebP encoder (canvas
 * `convertToBlob('image/webp', quality 1)`, which Chromium and Firefox make lossless: VP8L), and
 * the stills are put into one animated RIFF container here (VP8X + ANIM + one ANMF per frame, as
 * in Google's WebP container specification). Full colour, unlike the GIF's 256.
 * Frames are opaque; colour profiles (ICCP) of the stills are dropped: the animation is sRGB.
 */
import type { RgbaFrame } from '../worker/protocol';
import { checkFrames, throwIfAborted, yieldToUi, type EncodeOptions } from './common';

interface Chunk {
  fourcc: string;
  /** The payload, without header or padding. */
  data: Uint8Array;
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** The chunks of a RIFF/WEBP file; throws on anything that is not one. */
export function readWebpChunks(file: Uint8Array): Chunk[] {
  if (file.length < 12 || fourcc(file, 0) !== 'RIFF' || fourcc(file, 8) !== 'WEBP') throw new Error('not a WebP file');
  const end = Math.min(file.length, 8 + u32le(file, 4));
  const chunks: Chunk[] = [];
  for (let pos = 12; pos + 8 <= end; ) {
    const size = u32le(file, pos + 4);
    if (pos + 8 + size > end) throw new Error(`WebP chunk '${fourcc(file, pos)}' runs past the end of the file`);
    chunks.push({ fourcc: fourcc(file, pos), data: file.subarray(pos + 8, pos + 8 + size) });
    pos += 8 + size + (size & 1);
  }
  return chunks;
}

class Riff {
  private readonly parts: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }
  ascii(s: string): void {
    this.bytes(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  }
  le(value: number, n: number): void {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (value / 2 ** (8 * i)) & 255;
    this.bytes(b);
  }
  chunk(cc: string, payload: Uint8Array): void {
    this.ascii(cc);
    this.le(payload.length, 4);
    this.bytes(payload);
    if (payload.length & 1) this.bytes(new Uint8Array(1));
  }
  result(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

export interface WebpAnimation {
  width: number;
  height: number;
  /** Milliseconds per frame (at most 2^24 - 1). */
  durationMs: number;
  /** 0 = forever. */
  loops: number;
}

/** One animated WebP from still WebP files of the canvas size (their VP8 / VP8L and ALPH chunks). */
export function muxAnimatedWebp(stills: readonly Uint8Array[], anim: WebpAnimation): Uint8Array<ArrayBuffer> {
  const { width, height } = anim;
  if (width < 1 || height < 1 || width > 1 << 24 || height > 1 << 24) throw new Error(`bad WebP canvas size ${width}×${height}`);
  const frames = stills.map((file, i) => {
    const image = readWebpChunks(file).filter((c) => c.fourcc === 'ALPH' || c.fourcc === 'VP8 ' || c.fourcc === 'VP8L');
    if (!image.some((c) => c.fourcc !== 'ALPH')) throw new Error(`WebP frame ${i + 1} has no image data`);
    return image;
  });
  const alpha = frames.some((f) => f.some((c) => c.fourcc === 'ALPH'));
  const body = new Riff();
  const vp8x = new Riff();
  vp8x.le((alpha ? 0x10 : 0) | 0x02, 1); // alpha?, animation
  vp8x.le(0, 3);
  vp8x.le(width - 1, 3);
  vp8x.le(height - 1, 3);
  body.chunk('VP8X', vp8x.result());
  const animChunk = new Riff();
  animChunk.le(0xffffffff, 4); // background: opaque white (BGRA)
  animChunk.le(anim.loops, 2);
  body.chunk('ANIM', animChunk.result());
  for (const image of frames) {
    const anmf = new Riff();
    anmf.le(0, 3); // x / 2
    anmf.le(0, 3); // y / 2
    anmf.le(width - 1, 3);
    anmf.le(height - 1, 3);
    anmf.le(Math.min(0xffffff, Math.round(anim.durationMs)), 3);
    anmf.le(0x02, 1); // do not blend with the previous frame, no disposal
    for (const c of image) anmf.chunk(c.fourcc, c.data);
    body.chunk('ANMF', anmf.result());
  }
  const file = new Riff();
  file.ascii('RIFF');
  file.le(4 + body.length, 4);
  file.ascii('WEBP');
  file.bytes(body.result());
  return file.result();
}

/** Why this browser cannot make WebP files, or null when its canvas encodes WebP. */
export function webpUnavailableReason(): string | null {
  if (typeof document === 'undefined') return 'WebP export needs a page with a canvas';
  const c = document.createElement('canvas');
  c.width = c.height = 1;
  return c.toDataURL('image/webp').startsWith('data:image/webp')
    ? null
    : 'This browser’s canvas cannot encode WebP images, so it cannot make an animated WebP; the GIF export works everywhere.';
}

async function stillWebp(frame: RgbaFrame): Promise<Uint8Array> {
  const canvas = document.createElement('canvas');
  canvas.width = frame.width;
  canvas.height = frame.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas to encode the WebP frames with');
  ctx.putImageData(new ImageData(frame.data, frame.width, frame.height), 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/webp', 1));
  if (!blob || blob.type !== 'image/webp') throw new Error(webpUnavailableReason() ?? 'the browser did not encode a WebP frame');
  return new Uint8Array(await blob.arrayBuffer());
}

/** Encodes the frames (browser WebP encoder, lossless) and muxes them; AbortError on cancel. */
export async function encodeAnimatedWebp(
  frames: readonly RgbaFrame[],
  opts: EncodeOptions & { delayMs: number; loops?: number },
): Promise<Uint8Array<ArrayBuffer>> {
  const { width, height } = checkFrames(frames);
  const stills: Uint8Array[] = [];
  for (let i = 0; i < frames.length; i++) {
    throwIfAborted(opts.signal);
    stills.push(await stillWebp(frames[i]!));
    opts.onProgress?.((i + 1) / frames.length);
    await yieldToUi();
  }
  throwIfAborted(opts.signal);
  return muxAnimatedWebp(stills, { width, height, durationMs: opts.delayMs, loops: opts.loops ?? 0 });
}
