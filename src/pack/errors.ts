import { DritError } from '../errors';

export type PackErrorCode =
  | 'MISSING_MANIFEST'
  | 'BAD_JSON'
  | 'UNKNOWN_FORMAT'
  | 'UNSUPPORTED_VERSION'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'MISSING_SHARD'
  | 'SHARD_SIZE_MISMATCH'
  | 'SHARD_HASH_MISMATCH'
  | 'BAD_INPUT';

/** A model pack cannot be written or read. `path` names the file concerned, when there is one. */
export class PackError extends DritError<PackErrorCode> {
  readonly path: string | undefined;
  constructor(code: PackErrorCode, message: string, path?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PackError';
    this.path = path;
  }
}
