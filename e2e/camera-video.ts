/**
 * The test camera: a Y4M clip (YUV4MPEG2, 4:2:0, full-range BT.601 as `C420jpeg` says) made from
 * Chelsea the cat (public/examples/chelsea.png, CC0). Chromium plays it as the camera with
 * `--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file>`. The 320×240
 * window pans across the photo, so consecutive frames differ as a real camera's do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

export const CAMERA_VIDEO = { width: 320, height: 240, frames: 24, fps: 10 } as const;

/** `fps`: the clip's frame rate (the benchmark plays it at 60 so that the camera never limits the app). */
export function writeCameraVideo(root: string, path: string, fps: number = CAMERA_VIDEO.fps): void {
  const src = PNG.sync.read(readFileSync(join(root, 'public/examples/chelsea.png')));
  const { width: w, height: h, frames } = CAMERA_VIDEO;
  if (src.width < w || src.height < h) throw new Error('chelsea.png is smaller than the camera frame');
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${w} H${h} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  const maxX = src.width - w;
  const y0 = Math.floor((src.height - h) / 2);
  for (let k = 0; k < frames; k++) {
    const x0 = Math.round((k * maxX) / (frames - 1));
    const Y = Buffer.alloc(w * h);
    const U = Buffer.alloc((w / 2) * (h / 2));
    const V = Buffer.alloc((w / 2) * (h / 2));
    const rgb = (x: number, y: number): [number, number, number] => {
      const i = ((y0 + y) * src.width + x0 + x) * 4;
      return [src.data[i]!, src.data[i + 1]!, src.data[i + 2]!];
    };
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [r, g, b] = rgb(x, y);
        Y[y * w + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      }
    }
    for (let y = 0; y < h / 2; y++) {
      for (let x = 0; x < w / 2; x++) {
        let u = 0;
        let v = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
          const [r, g, b] = rgb(2 * x + dx, 2 * y + dy);
          u += -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
          v += 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
        }
        U[y * (w / 2) + x] = Math.max(0, Math.min(255, Math.round(u / 4)));
        V[y * (w / 2) + x] = Math.max(0, Math.min(255, Math.round(v / 4)));
      }
    }
    parts.push(Buffer.from('FRAME\n'), Y, U, V);
  }
  writeFileSync(path, Buffer.concat(parts));
}
