/**
 * Test helper (Node): a small synthetic DRIT dataset root — <root>/trainA and <root>/trainB with
 * procedural PNG photos of different sizes, plus one truncated file in trainB — for the attribute
 * statistics tests (vitest and the e2e test pack). Never real dataset images.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../image/node-io';
import { makeTestImage } from '../image/test-utils';

export function writeSyntheticDataset(root: string, counts: { a: number; b: number }, seed = 1): void {
  for (const [sub, n, offset] of [['trainA', counts.a, 0], ['trainB', counts.b, 1000]] as const) {
    const dir = join(root, sub);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < n; i++) {
      const s = seed * 7919 + offset + i;
      writeFileSync(join(dir, `${i}.png`), encodePng(makeTestImage(40 + ((s * 13) % 33), 36 + ((s * 7) % 29), s)));
    }
  }
  const png = encodePng(makeTestImage(40, 40, seed));
  writeFileSync(join(root, 'trainB', 'broken.png'), png.subarray(0, png.length >> 1));
}
