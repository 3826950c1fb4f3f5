/**
 * The camera's model passes, on the engine's current model: one frame through E_c and G in one go
 * (`translateFrame`), or the two stages of the camera pipeline apart (`encodeFrame` in a second
 * worker, `paintCode` here). Nothing is cached: every frame is new. Frames are pre-processed like
 * a photo (crop, Pillow-exact resize), and every bitmap is closed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sourceDomain, targetDomain } from '../drit/model';
import { rgbFromBitmap } from './camera-frame';
import { framesFromOutput, prepareInput } from './crop-input';
import { checkZ, type Engine } from './engine';
import {
  codedError,
  type CropBox,
  type Direction,
  type FrameEncodeRequest,
  type FrameEncodeResult,
  type FrameRequest,
  type FrameResult,
  type PaintRequest,
  type PaintResult,
  type RgbaFrame,
} from './protocol';

/** One image out of G, read back as RGBA (and disposed). */
async function readFrame(out: tf.Tensor4D): Promise<RgbaFrame> {
  try {
    const data = (await out.data()) as Float32Array;
    const [n, h, w, c] = out.shape;
    return framesFromOutput(data, n, h, w, c)[0]!;
  } finally {
    out.dispose();
  }
}

export class CameraStages {
  constructor(private readonly engine: Pick<Engine, 'currentModel'>) {}

  /** A camera frame -> the model input (the photo path: crop, Pillow-exact resize); closes the bitmap. */
  private async frameInput(frame: ImageBitmap, crop: CropBox | null, direction: Direction) {
    let open: ImageBitmap | null = frame;
    try {
      const model = await this.engine.currentModel();
      const m = model.manifest;
      const t0 = performance.now();
      const rgb = rgbFromBitmap(open);
      open = null;
      const source = sourceDomain(direction);
      const prep = prepareInput(rgb, crop, m.preprocess, m.channels[source]);
      const x = (): tf.Tensor4D => tf.tensor4d(prep.input.data, [1, prep.input.height, prep.input.width, prep.input.channels]);
      return { model, m, source, prep, x, prepareMs: performance.now() - t0 };
    } finally {
      open?.close();
    }
  }

  /** One camera frame, both stages here (the fallback when the pipeline's second worker is missing). */
  async translateFrame(req: FrameRequest): Promise<FrameResult> {
    const f = await this.frameInput(req.frame, req.crop, req.direction);
    checkZ(req.z, f.m.nz);
    const t1 = performance.now();
    const out = tf.tidy(() => f.model.generate(f.model.encodeContent(f.x(), f.source), tf.tensor2d([req.z], [1, f.m.nz], 'float32'), targetDomain(req.direction)));
    const output = await readFrame(out);
    return { input: f.prep.preview, output, prepareMs: f.prepareMs, modelMs: performance.now() - t1 };
  }

  /** Camera, first stage (a second worker runs it while this one paints the previous frame): E_c of a frame. */
  async encodeFrame(req: FrameEncodeRequest): Promise<FrameEncodeResult> {
    const f = await this.frameInput(req.frame, req.crop, req.direction);
    const t1 = performance.now();
    const code = tf.tidy(() => f.model.encodeContent(f.x(), f.source));
    try {
      // a copy in a buffer of its own: it is transferred to the page and on to the painting worker
      const data = new Float32Array((await code.data()) as Float32Array);
      return { code: data, shape: code.shape, input: f.prep.preview, prepareMs: f.prepareMs, encodeMs: performance.now() - t1 };
    } finally {
      code.dispose();
    }
  }

  /** Camera, second stage: G(content code, z) for a code that `encodeFrame` made (in any worker). */
  async paintCode(req: PaintRequest): Promise<PaintResult> {
    const model = await this.engine.currentModel();
    const m = model.manifest;
    checkZ(req.z, m.nz);
    if (req.shape.length !== 4 || req.code.length !== req.shape.reduce((a, b) => a * b, 1)) {
      throw codedError('INTERNAL', `paintCode: a content code of shape ${req.shape.join('×')} needs ${req.shape.reduce((a, b) => a * b, 1)} values, got ${req.code.length}`);
    }
    const t0 = performance.now();
    const out = tf.tidy(() => {
      const code = tf.tensor4d(req.code, req.shape as [number, number, number, number]);
      return model.generate(code, tf.tensor2d([req.z], [1, m.nz], 'float32'), targetDomain(req.direction));
    });
    const output = await readFrame(out);
    return { output, generateMs: performance.now() - t0 };
  }
}
