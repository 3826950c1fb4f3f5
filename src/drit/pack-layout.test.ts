/** checkPackLayout: a pack's weights must be exactly what its declared architecture implies. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../convert/convert';
import { readPack } from '../pack/read';
import { REPO } from '../testing/fixtures';
import { checkPackLayout } from './model';

describe('checkPackLayout', () => {
  it('accepts a converted pack and names what does not fit', async () => {
    const { files } = await convertCheckpoint(new Uint8Array(readFileSync(join(REPO, 'fixtures/c0/checkpoint_zip.pth'))));
    const { manifest, weights } = await readPack({ readFile: async (p) => files.get(p) as Uint8Array });
    expect(() => checkPackLayout(manifest, weights)).not.toThrow();
    const shapes = weights.map((w) => ({ name: w.name, shape: w.shape.slice() }));
    const first = shapes[0]!;
    const grown = shapes.map((w, i) => (i === 0 ? { ...w, shape: w.shape.map((d) => d * 1000) } : w));
    expect(() => checkPackLayout(manifest, grown)).toThrow(new RegExp(`weight '${first.name.replace(/\./g, '\\.')}' has shape \\[.*\\], the declared widths imply`));
    expect(() => checkPackLayout(manifest, shapes.slice(1))).toThrow(/1 weight\(s\) missing, e\.g\. '/);
    expect(() => checkPackLayout(manifest, [...shapes, { name: 'gen.extra', shape: [1] }])).toThrow(/'gen\.extra' is not part of a concat=0 DRIT model/);
    expect(() => checkPackLayout({ ...manifest, nz: 512 }, shapes)).toThrow(/the declared widths imply/);
    expect(() => checkPackLayout({ ...manifest, widths: {} }, shapes)).toThrow(/its widths do not describe a DRIT network/);
  });
});
