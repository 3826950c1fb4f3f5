/**
 * A model pack folder on disk as a PackSource (Node only: the CLIs and benchmarks).
 *
 * A pack folder is a download from elsewhere. Each file is opened only if it is a regular file
 * whose real path (symlinks resolved) lies inside the folder and whose size is within what a pack
 * may hold: a link to /etc/passwd or /dev/zero is refused by name, without reading or revealing it.
 * Reading follows the CLIs' one rule (`readRegularFile`: kind and size from fstat on the opened
 * file, devices/FIFOs/sockets/folders refused, a file that changes while read refused).
 */
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { readRegularFile } from '../node/read-file';
import { MANIFEST_LIMITS, type PackSource } from './read';

export function folderSource(dir: string): PackSource {
  let root: Promise<string> | null = null;
  return {
    async readFile(path: string): Promise<Uint8Array> {
      root ??= realpath(dir);
      const top = await root;
      const real = await realpath(join(top, path));
      if (real !== top && !real.startsWith(top + sep)) throw new Error(`${path} is a link that leads out of the pack folder: refused`);
      return readRegularFile(real, { what: 'pack file', name: path, maxBytes: MANIFEST_LIMITS.packBytes, why: 'a model pack may hold' });
    },
  };
}
