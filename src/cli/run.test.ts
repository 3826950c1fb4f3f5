import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../convert/errors';
import { ImageError } from '../image/types';
import { PackError } from '../pack/errors';
import { WorkerError } from '../worker/protocol';
import { UsageError, exitStatusOf, failureLine } from './run';

const errno = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('exit status: one mapping for every CLI', () => {
  it('bad input is 2: usage, checkpoints, packs, images, missing paths, parseArgs errors', () => {
    for (const e of [
      new UsageError('expected <checkpoint.pth>'),
      new CheckpointError('PICKLE_FORBIDDEN_GLOBAL', 'os.system'),
      new PackError('SHARD_HASH_MISMATCH', 'sha256 differs'),
      new ImageError('CORRUPT', 'bad PNG'),
      new WorkerError('NOT_AN_IMAGE', 'not an image'),
      errno('ENOENT', 'no such file'),
      errno('ERR_PARSE_ARGS_UNKNOWN_OPTION', "Unknown option '--x'"),
    ]) {
      expect(exitStatusOf(e), e.message).toBe(2);
    }
  });
  it('bugs and environment failures are 1', () => {
    expect(exitStatusOf(new TypeError('x is undefined'))).toBe(1);
    expect(exitStatusOf(new ImageError('INVALID_ARGUMENT', 'width must be positive'))).toBe(1);
    expect(exitStatusOf(new WorkerError('INTERNAL', 'boom'))).toBe(1);
    expect(exitStatusOf(errno('ENOSPC', 'disk full'))).toBe(1);
    expect(exitStatusOf('a string')).toBe(1);
  });
});

describe('the failure line', () => {
  it('is one line with the code, or a --help hint for usage mistakes', () => {
    expect(failureLine('convert', new CheckpointError('TRUNCATED', 'the file ends\n  early'))).toBe('convert: error: the file ends early [TRUNCATED]');
    expect(failureLine('translate', new UsageError('--z needs 8 values'))).toBe('translate: error: --z needs 8 values (see --help)');
    expect(failureLine('convert', new TypeError('x is undefined'))).toMatch(/^convert: error: x is undefined \(unexpected error/);
  });
});
