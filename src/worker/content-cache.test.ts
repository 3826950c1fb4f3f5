import { describe, expect, it } from 'vitest';
import { ContentCache, contentKeyString, type ContentKey } from './content-cache';

const key = (over: Partial<ContentKey> = {}): ContentKey => ({ model: 1, image: 'img1', crop: null, direction: 'a2b', ...over });

/** Lets the cache's dispose callbacks (run when a settled entry is dropped) happen. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function cache(capacity = 4) {
  const disposed: string[] = [];
  const c = new ContentCache<string>((e) => disposed.push(e), capacity);
  return { c, disposed };
}

describe('contentKeyString', () => {
  it('is stable and tells every field apart', () => {
    expect(contentKeyString(key())).toBe(contentKeyString(key()));
    const variants = [key(), key({ model: 2 }), key({ image: 'img2' }), key({ direction: 'b2a' }), key({ crop: { x: 0, y: 0, size: 10 } })];
    expect(new Set(variants.map(contentKeyString)).size).toBe(variants.length);
  });

  it('counts crop boxes to the pixel', () => {
    expect(contentKeyString(key({ crop: { x: 10.2, y: 4.6, size: 99.5 } }))).toBe(contentKeyString(key({ crop: { x: 10, y: 5, size: 100 } })));
    expect(contentKeyString(key({ crop: { x: 10, y: 5, size: 100 } }))).not.toBe(contentKeyString(key({ crop: { x: 11, y: 5, size: 100 } })));
  });

  it('keeps an image id with separators apart from other fields', () => {
    // Ids are ours (img1, img2, …) but the cache must not depend on it: entries keep their typed key.
    const { c } = cache();
    c.insert(key({ image: 'a|b' }), Promise.resolve('x'));
    c.dropImage('a');
    expect(c.size).toBe(1);
    c.dropImage('a|b');
    expect(c.size).toBe(0);
  });
});

describe('ContentCache', () => {
  it('finds an entry by an equal key and misses others', async () => {
    const { c } = cache();
    c.insert(key({ crop: { x: 1, y: 2, size: 3 } }), Promise.resolve('e1'));
    expect(await c.lookup(key({ crop: { x: 1, y: 2, size: 3 } }))).toBe('e1');
    expect(c.lookup(key({ model: 2, crop: { x: 1, y: 2, size: 3 } }))).toBeUndefined();
    expect(c.lookup(key())).toBeUndefined();
  });

  it('evicts the least recently used beyond capacity and disposes it', async () => {
    const { c, disposed } = cache(2);
    c.insert(key({ image: 'i1' }), Promise.resolve('e1'));
    c.insert(key({ image: 'i2' }), Promise.resolve('e2'));
    // A hit refreshes i1: i2 is now the oldest.
    expect(c.lookup(key({ image: 'i1' }))).toBeDefined();
    c.insert(key({ image: 'i3' }), Promise.resolve('e3'));
    await settle();
    expect(disposed).toEqual(['e2']);
    expect(c.keys().map((k) => k.image)).toEqual(['i1', 'i3']);
  });

  it('disposes an evicted entry only once it has resolved', async () => {
    const { c, disposed } = cache(1);
    let resolve!: (v: string) => void;
    c.insert(key({ image: 'i1' }), new Promise<string>((r) => (resolve = r)));
    c.insert(key({ image: 'i2' }), Promise.resolve('e2'));
    await settle();
    expect(disposed).toEqual([]);
    resolve('e1');
    await settle();
    expect(disposed).toEqual(['e1']);
  });

  it('drops every entry of a released image, in every model, crop and direction', async () => {
    const { c, disposed } = cache();
    c.insert(key({ image: 'img1' }), Promise.resolve('a'));
    c.insert(key({ image: 'img1', direction: 'b2a', crop: { x: 0, y: 0, size: 5 } }), Promise.resolve('b'));
    c.insert(key({ image: 'img12' }), Promise.resolve('c'));
    c.dropImage('img1');
    await settle();
    expect(disposed.sort()).toEqual(['a', 'b']);
    expect(c.keys().map((k) => k.image)).toEqual(['img12']);
  });

  it('clear disposes everything', async () => {
    const { c, disposed } = cache();
    c.insert(key({ image: 'i1' }), Promise.resolve('e1'));
    c.insert(key({ image: 'i2' }), Promise.resolve('e2'));
    c.clear();
    await settle();
    expect(c.size).toBe(0);
    expect(disposed.sort()).toEqual(['e1', 'e2']);
  });

  it('forgets an entry that fails, without disposing anything', async () => {
    const { c, disposed } = cache();
    const failing = Promise.reject(new Error('encoder failed'));
    c.insert(key(), failing);
    await expect(failing).rejects.toThrow('encoder failed');
    await settle();
    expect(c.size).toBe(0);
    expect(disposed).toEqual([]);
  });

  it('keeps its own copy of the key', () => {
    const { c } = cache();
    const k = key({ crop: { x: 1, y: 1, size: 8 } });
    c.insert(k, Promise.resolve('e'));
    k.crop!.x = 50;
    k.image = 'other';
    expect(c.keys()[0]).toEqual(key({ crop: { x: 1, y: 1, size: 8 } }));
  });
});
