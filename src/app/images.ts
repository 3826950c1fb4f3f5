/**
 * Images on the main thread: a dropped file is decoded in the worker (which keeps the pixels) and
 * kept here as a slot (the file, for re-decoding after a worker crash, and an object URL for <img>).
 */
import { Comlink } from './bridge';
import { worker } from './worker-handle';
import type { ImageSlot } from './store';

export function isCheckpointName(name: string): boolean {
  return /\.(pth|pt|pkl|ckpt|tar)$/i.test(name);
}

export async function decode(file: Blob, name: string): Promise<ImageSlot> {
  const bytes = await file.arrayBuffer();
  const d = await worker().call((api) => api.decodeImage(Comlink.transfer(bytes, [bytes]), name));
  return { file, name, url: URL.createObjectURL(file), ...d };
}

export function releaseSlot(slot: ImageSlot | null | undefined): void {
  if (!slot) return;
  URL.revokeObjectURL(slot.url);
  void worker().call((api) => api.releaseImage(slot.id)).catch(() => {});
}

export function downscaleNotice(slot: ImageSlot): string | null {
  return slot.downscaled
    ? `“${slot.name}” is ${slot.originalWidth} × ${slot.originalHeight} pixels; it was downscaled to ${slot.width} × ${slot.height} for processing.`
    : null;
}
