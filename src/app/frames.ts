/** Pixels on the main thread: RGBA frames from the worker -> canvases, PNG blobs, strips. */
import type { RgbaFrame } from '../worker/protocol';

export function drawFrame(canvas: HTMLCanvasElement, frame: RgbaFrame): void {
  if (canvas.width !== frame.width) canvas.width = frame.width;
  if (canvas.height !== frame.height) canvas.height = frame.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(new ImageData(frame.data, frame.width, frame.height), 0, 0);
}

/** Frames side by side (same height) with `gap` pixels of white between them. */
export function joinFrames(frames: readonly RgbaFrame[], gap = 0): RgbaFrame {
  const h = Math.max(...frames.map((f) => f.height));
  const w = frames.reduce((s, f) => s + f.width, 0) + gap * Math.max(0, frames.length - 1);
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  let x0 = 0;
  for (const f of frames) {
    for (let y = 0; y < f.height; y++) {
      data.set(f.data.subarray(y * f.width * 4, (y + 1) * f.width * 4), (y * w + x0) * 4);
    }
    x0 += f.width + gap;
  }
  return { width: w, height: h, data };
}

export function frameToPngBlob(frame: RgbaFrame): Promise<Blob> {
  const canvas = document.createElement('canvas');
  drawFrame(canvas, frame);
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png');
  });
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function copyFrameToClipboard(frame: RgbaFrame): Promise<void> {
  if (!navigator.clipboard || typeof ClipboardItem === 'undefined') {
    throw new Error('this browser does not allow copying images to the clipboard');
  }
  const blob = await frameToPngBlob(frame);
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
}
