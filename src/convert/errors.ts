/**
 * Errors raised while reading a PyTorch checkpoint or mapping it onto the DRIT layout.
 * Every error carries a stable `code` so callers (CLI, worker UI) can react without parsing text.
 */
import { DritError } from '../errors';

export type CheckpointErrorCode =
  // input file
  | 'EMPTY_FILE'
  | 'NOT_A_CHECKPOINT' // a zip archive, but not a PyTorch one (no <archive>/data.pkl)
  | 'NOT_A_PTH' // neither a zip archive nor a pickle stream
  | 'BAD_MAGIC' // a pickle stream whose first object is not the torch.save magic number
  | 'UNSUPPORTED_VERSION' // legacy protocol version other than 1001, big-endian file, ...
  | 'TRUNCATED'
  | 'CORRUPT' // structurally invalid archive / stream that is not simply cut short
  | 'MISSING_STORAGE'
  | 'SIZE_MISMATCH'
  | 'UNSUPPORTED_DTYPE'
  | 'BAD_STRUCTURE' // unexpected Python objects where a checkpoint dict / state_dict is expected
  | 'MISSING_ENTRY' // e.g. no checkpoint['enc_a']
  | 'NON_FINITE' // NaN or infinite weights: the pack would translate every image to a flat colour
  // pickle layer
  | 'PICKLE_TRUNCATED'
  | 'PICKLE_FORBIDDEN_GLOBAL'
  | 'PICKLE_UNSUPPORTED_OPCODE'
  | 'PICKLE_INVALID'
  | 'PICKLE_LIMIT'
  // DRIT layout
  | 'UNKNOWN_VARIANT'
  | 'LAYOUT_MISMATCH'
  // conversion options
  | 'BAD_OPTION';

export class CheckpointError extends DritError<CheckpointErrorCode> {
  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CheckpointError';
  }
}

/** An error of the safe unpickler; `offset` is the byte position of the offending opcode. */
export class PickleError extends CheckpointError {
  readonly offset: number;
  constructor(code: CheckpointErrorCode, message: string, offset: number) {
    super(code, message);
    this.name = 'PickleError';
    this.offset = offset;
  }
}

export interface MisshapedKey {
  /** Canonical name, `<module>.<HEAD key>`. */
  name: string;
  /** The key as it appears in the checkpoint (differs from the HEAD key for zero-era files). */
  sourceKey: string;
  expected: number[];
  actual: number[];
}

/** The state dicts do not match the DRIT architecture: lists every offending key by name. */
export class LayoutError extends CheckpointError {
  readonly missing: string[];
  readonly misshaped: MisshapedKey[];
  readonly unexpected: string[];
  constructor(missing: string[], misshaped: MisshapedKey[], unexpected: string[], context: string) {
    super('LAYOUT_MISMATCH', LayoutError.describe(missing, misshaped, unexpected, context));
    this.name = 'LayoutError';
    this.missing = missing;
    this.misshaped = misshaped;
    this.unexpected = unexpected;
  }

  private static describe(missing: string[], misshaped: MisshapedKey[], unexpected: string[], context: string): string {
    const parts: string[] = [];
    const list = (xs: string[]): string => (xs.length > 12 ? `${xs.slice(0, 12).join(', ')}, … (${xs.length} in all)` : xs.join(', '));
    if (missing.length) parts.push(`missing ${missing.length} key(s): ${list(missing)}`);
    if (misshaped.length) {
      parts.push(
        `${misshaped.length} key(s) with a wrong shape: ${list(
          misshaped.map((m) => `${m.name}${m.sourceKey !== m.name.slice(m.name.indexOf('.') + 1) ? ` (stored as ${m.sourceKey})` : ''} is (${m.actual.join(',')}), expected (${m.expected.join(',')})`),
        )}`,
      );
    }
    if (unexpected.length) parts.push(`unexpected ${unexpected.length} key(s): ${list(unexpected)}`);
    return `Checkpoint does not match the DRIT layout (${context}): ${parts.join('; ')}`;
  }
}
