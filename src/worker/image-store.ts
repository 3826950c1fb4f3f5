/**
 * The decoded images of the worker, by id (`img1`, `img2`, …): the pixels that crop boxes refer
 * to. Only the newest few are kept; a request for a dropped one fails with UNKNOWN_IMAGE.
 */
import type { RgbImage } from '../image/types';
import { decodeImageBytes } from './decode';
import { codedError, type DecodedImage } from './protocol';

export const MAX_IMAGES = 6;

export class ImageStore {
  private readonly images = new Map<string, RgbImage>();
  private seq = 0;

  constructor(private readonly capacity = MAX_IMAGES) {}

  /** Decodes a file (checking its size from the header first) and keeps its pixels. */
  async decode(bytes: ArrayBuffer, name: string): Promise<DecodedImage> {
    const r = await decodeImageBytes(bytes, name);
    const id = `img${++this.seq}`;
    this.images.set(id, r.image);
    while (this.images.size > this.capacity) {
      const oldest = this.images.keys().next().value;
      if (oldest === undefined) break;
      this.images.delete(oldest);
    }
    return { id, width: r.image.width, height: r.image.height, originalWidth: r.originalWidth, originalHeight: r.originalHeight, downscaled: r.downscaled };
  }

  get(id: string): RgbImage {
    const img = this.images.get(id);
    if (!img) throw codedError('UNKNOWN_IMAGE', 'That image is no longer available; please drop it again.');
    return img;
  }

  release(id: string): void {
    this.images.delete(id);
  }
}
