import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../image/test-utils';
import { rewriteDeclarations } from './dts-extensions';

const tmp = makeTempDir('dts-extensions');
afterAll(() => tmp.cleanup());

describe('declaration imports get the extensions Node ESM resolution needs', () => {
  mkdirSync(tmp.path('lib'));
  mkdirSync(tmp.path('pack'));
  for (const f of ['lib/index.d.ts', 'lib/images.d.ts', 'pack/index.d.ts', 'errors.d.ts']) writeFileSync(tmp.path(f), '');
  const file = tmp.path('lib/index.d.ts');

  it('files, folders with an index, dynamic type imports; packages and explicit extensions untouched', () => {
    const text = [
      "import type { ImageInput } from './images';",
      "export { DritError } from '../errors';",
      "export type { PackSource } from '../pack';",
      "type M = import('../pack').PackManifest;",
      "import * as tf from '@tensorflow/tfjs-core';",
      "export * from './images.js';",
    ].join('\n');
    expect(rewriteDeclarations(file, text).split('\n')).toEqual([
      "import type { ImageInput } from './images.js';",
      "export { DritError } from '../errors.js';",
      "export type { PackSource } from '../pack/index.js';",
      "type M = import('../pack/index.js').PackManifest;",
      "import * as tf from '@tensorflow/tfjs-core';",
      "export * from './images.js';",
    ]);
  });

  it('an import that names no declaration file is an error, not a silent `any`', () => {
    expect(() => rewriteDeclarations(join(tmp.dir, 'lib/index.d.ts'), "export { x } from './nowhere';")).toThrow(/'\.\/nowhere' names no declaration file/);
  });
});
