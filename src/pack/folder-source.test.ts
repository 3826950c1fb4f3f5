/** folderSource: a pack folder on disk, refusing links out of it and non-regular files. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../image/test-utils';
import { folderSource } from './folder-source';
import { readPack } from './read';
import { TINY_META } from './test-meta';
import { writePack } from './write';

const tmp = makeTempDir('folder-source');
afterAll(() => tmp.cleanup());

describe('folderSource', () => {
  it('reads a pack, follows links inside the folder, refuses links out of it and devices', async () => {
    const dir = tmp.path('pack');
    mkdirSync(dir);
    const { files } = await writePack([{ name: 'enc_c.w', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }], TINY_META);
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    const pack = await readPack(folderSource(dir));
    expect(Array.from(pack.weights[0]!.data)).toEqual([1, 2, 3, 4, 5, 6]);

    const src = folderSource(dir);
    writeFileSync(tmp.path('secret.txt'), 'outside the pack');
    symlinkSync(tmp.path('secret.txt'), join(dir, 'leak.bin'));
    await expect(src.readFile('leak.bin')).rejects.toThrow(/leak\.bin is a link that leads out of the pack folder: refused/);
    symlinkSync('/dev/zero', join(dir, 'zero.bin'));
    await expect(src.readFile('zero.bin')).rejects.toThrow(/out of the pack folder|not a regular file/);
    symlinkSync(join(dir, 'manifest.json'), join(dir, 'alias.json'));
    expect((await src.readFile('alias.json')).length).toBeGreaterThan(0);
    mkdirSync(join(dir, 'sub'));
    await expect(src.readFile('sub')).rejects.toThrow(/cannot read pack file 'sub': not a regular file \(a folder\)/);
  });
});
