/**
 * The content codes E_c(image) of the last few requests, so that changing z only re-runs the
 * generator. An entry belongs to one model load (`model`, the engine's generation), one image, one
 * crop and one direction; `contentKeyString` is the only place its string form is made, and
 * entries keep their typed key (nothing is read back out of the string).
 *
 * Entries are promises (a code still being encoded is shared by the requests that want it);
 * least recently used ones are evicted and disposed once they have settled.
 */
import type { CropBox, Direction } from './protocol';

export const MAX_CONTENT_CODES = 4;

export interface ContentKey {
  /** The engine's model generation (a new load or a device-loss rebuild starts a new one). */
  model: number;
  image: string;
  /** null = the model's own pre-processing. */
  crop: CropBox | null;
  direction: Direction;
}

/** Crop boxes count to the pixel: a box moved by a fraction of a pixel is the same input. */
function cropPart(c: CropBox | null): string {
  return c ? `${Math.round(c.x)},${Math.round(c.y)},${Math.round(c.size)}` : 'model';
}

/** The stable string form of a key (the cache's map key). */
export function contentKeyString(k: ContentKey): string {
  return `${k.model}|${k.image}|${k.direction}|${cropPart(k.crop)}`;
}

interface Slot<T> {
  key: ContentKey;
  entry: Promise<T>;
}

export class ContentCache<T> {
  private readonly slots = new Map<string, Slot<T>>();

  /** `dispose` frees an evicted or dropped entry (after it has resolved; rejected ones hold nothing). */
  constructor(
    private readonly dispose: (entry: T) => void,
    private readonly capacity = MAX_CONTENT_CODES,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** The entry of this key, if any; a hit becomes the most recently used. */
  lookup(key: ContentKey): Promise<T> | undefined {
    const s = contentKeyString(key);
    const slot = this.slots.get(s);
    if (!slot) return undefined;
    this.slots.delete(s);
    this.slots.set(s, slot);
    return slot.entry;
  }

  /** Adds an entry (removed again if it rejects) and evicts the least recently used beyond capacity. */
  insert(key: ContentKey, entry: Promise<T>): void {
    const s = contentKeyString(key);
    this.drop(s);
    const slot: Slot<T> = { key: { ...key, crop: key.crop && { ...key.crop } }, entry };
    this.slots.set(s, slot);
    entry.catch(() => {
      if (this.slots.get(s) === slot) this.slots.delete(s);
    });
    while (this.slots.size > this.capacity) {
      const oldest = this.slots.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }

  /** Drops every entry of an image (it was released). */
  dropImage(image: string): void {
    for (const [s, slot] of [...this.slots]) if (slot.key.image === image) this.drop(s);
  }

  clear(): void {
    for (const s of [...this.slots.keys()]) this.drop(s);
  }

  /** The typed keys held, least recently used first (tests, diagnostics). */
  keys(): ContentKey[] {
    return [...this.slots.values()].map((s) => s.key);
  }

  private drop(s: string): void {
    const slot = this.slots.get(s);
    if (!slot) return;
    this.slots.delete(s);
    void slot.entry.then(this.dispose, () => {});
  }
}
