/**
 * The one rule for reading a file the user named (Node only: the CLIs, pack folders, images).
 *
 * Only a regular file is read. The file is opened first (non-blocking, so a FIFO without a
 * writer cannot stall the open) and its kind and size come from `fstat` on that descriptor: the
 * file checked is the file read (no stat-then-open race). A device (/dev/zero), FIFO, socket or
 * folder is refused by name without reading a byte; a file larger than `maxBytes` is refused
 * before anything is allocated. Then exactly the size `fstat` gave is read, plus one byte to
 * see whether the file grew: a file that grows, shrinks or is rewritten while being read is
 * refused, so at most `maxBytes + 1` bytes are ever read. Every refusal is a `FileError` naming
 * the path and what it is.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import { DritError } from '../errors';

export type FileErrorCode = 'NO_FILE' | 'NOT_A_FILE' | 'TOO_LARGE' | 'CHANGED' | 'UNREADABLE';

/** A named path that cannot be read as the file it should be. */
export class FileError extends DritError<FileErrorCode> {
  constructor(code: FileErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FileError';
  }
}

export interface ReadLimit {
  /** What the file should be, for messages: 'image', 'checkpoint', 'pack file', … */
  what: string;
  /** The largest size a file of this kind can have. */
  maxBytes: number;
  /** Completes "N bytes, more than the <maxBytes> …", e.g. 'any DRIT checkpoint needs'. */
  why: string;
  /** The name shown in messages (default: the path). */
  name?: string;
}

/** What a file-system entry is, in words ("a character device", "a FIFO", …). */
export function kindOf(st: Stats | BigIntStats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'an unknown kind of file';
}

/** open(2) errors that mean the path names nothing readable (anything else is rethrown as is). */
const OPEN_ERRORS: Record<string, [FileErrorCode, string]> = {
  ENOENT: ['NO_FILE', 'no such file'],
  ENOTDIR: ['NO_FILE', 'no such file (a part of the path is not a folder)'],
  EACCES: ['UNREADABLE', 'permission denied'],
  EPERM: ['UNREADABLE', 'permission denied'],
  ELOOP: ['UNREADABLE', 'too many levels of symbolic links'],
  ENAMETOOLONG: ['UNREADABLE', 'the path is too long'],
};

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * The bytes of the regular file `path` (a fresh buffer, byteOffset 0, exactly the file's length),
 * or a `FileError`: NO_FILE, NOT_A_FILE (device, FIFO, socket, folder), TOO_LARGE (over
 * `limit.maxBytes`), CHANGED (grew, shrank or was rewritten while being read), UNREADABLE.
 */
export function readRegularFile(path: string, limit: ReadLimit): Uint8Array {
  const label = `${limit.what} '${limit.name ?? path}'`;
  const fail = (code: FileErrorCode, reason: string, cause?: unknown): FileError =>
    new FileError(code, `cannot read ${label}: ${reason}`, cause === undefined ? undefined : { cause });
  const notAFile = (st: Stats | BigIntStats): FileError => fail('NOT_A_FILE', `not a regular file (${kindOf(st)})`);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    const errno = String((e as NodeJS.ErrnoException).code);
    if (errno !== 'ENOENT' && errno !== 'ENOTDIR') {
      // a socket (ENXIO), a device we may not open (EACCES): say what it is rather than why open failed
      let st: Stats | undefined;
      try {
        st = statSync(path);
      } catch {
        // gone meanwhile: the open error stands
      }
      if (st && !st.isFile()) throw notAFile(st);
    }
    const known = OPEN_ERRORS[errno];
    if (known) throw fail(known[0], known[1], e);
    throw e;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile()) throw notAFile(st);
    if (st.size > BigInt(limit.maxBytes)) throw fail('TOO_LARGE', `${st.size} bytes, more than the ${limit.maxBytes} ${limit.why}`);
    const size = Number(st.size);
    const bytes = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) throw fail('CHANGED', `it shrank while being read (${size} bytes when opened, ${got} read)`);
      got += n;
    }
    // one byte more: a file still being written (or an endless one posing as regular) is refused
    if (readSync(fd, new Uint8Array(1), 0, 1, size) !== 0) throw fail('CHANGED', `it grew while being read (${size} bytes when opened)`);
    const after = fstatSync(fd, { bigint: true });
    if (after.size !== st.size || after.mtimeNs !== st.mtimeNs) throw fail('CHANGED', 'it was modified while being read');
    return bytes;
  } finally {
    closeSync(fd);
  }
}
