import { describe, expect, it } from 'vitest';
import { CheckpointError } from './convert/errors';
import { DritError, deserializeError, errorCode, errorMessage, serializeError } from './errors';
import { ImageError } from './image/types';
import { PackError } from './pack/errors';

describe('DritError', () => {
  it('is the base of every error family, each keeping its name and code', () => {
    const errs = [
      new CheckpointError('TRUNCATED', 'cut short'),
      new PackError('SHARD_HASH_MISMATCH', 'bad shard', 'weights-0.bin'),
      new ImageError('CORRUPT', 'bad png'),
    ];
    expect(errs.map((e) => e instanceof DritError)).toEqual([true, true, true]);
    expect(errs.map((e) => e.name)).toEqual(['CheckpointError', 'PackError', 'ImageError']);
    expect(errs.map(errorCode)).toEqual(['TRUNCATED', 'SHARD_HASH_MISMATCH', 'CORRUPT']);
    expect(errorCode(new Error('x'))).toBeUndefined();
    expect(errorMessage('plain')).toBe('plain');
  });

  it('round-trips through its plain-data form with the cause chain', () => {
    const root = new RangeError('offset out of range');
    const mid = new CheckpointError('CORRUPT', 'storage entry unreadable', { cause: root });
    const top = new DritError('CHECKPOINT_INVALID', 'not a usable checkpoint', { cause: mid });
    const data = structuredClone(serializeError(top));
    const back = deserializeError(data);
    expect(back).toBeInstanceOf(DritError);
    expect((back as DritError).code).toBe('CHECKPOINT_INVALID');
    const c1 = back.cause as DritError;
    expect([c1.name, c1.code, c1.message]).toEqual(['CheckpointError', 'CORRUPT', 'storage entry unreadable']);
    const c2 = c1.cause as Error;
    expect(c2).not.toBeInstanceOf(DritError);
    expect([c2.name, c2.message]).toEqual(['RangeError', 'offset out of range']);
  });

  it('cuts a cause cycle instead of recursing forever', () => {
    const a = new DritError('A', 'a');
    const b = new DritError('B', 'b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    let depth = 0;
    for (let s = serializeError(a); s.cause; s = s.cause) depth++;
    expect(depth).toBe(4);
  });
});
