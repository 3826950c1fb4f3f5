import { describe, expect, it } from 'vitest';
import { sourceDomain, sourceSide, targetDomain, targetSide } from './domains';

describe('domains', () => {
  const domains = { a: 'cat', b: 'dog' };
  it('a → b reads domain a and writes domain b', () => {
    expect([sourceSide('a2b'), targetSide('a2b')]).toEqual(['a', 'b']);
    expect([sourceDomain(domains, 'a2b'), targetDomain(domains, 'a2b')]).toEqual(['cat', 'dog']);
  });
  it('b → a the other way round', () => {
    expect([sourceSide('b2a'), targetSide('b2a')]).toEqual(['b', 'a']);
    expect([sourceDomain(domains, 'b2a'), targetDomain(domains, 'b2a')]).toEqual(['dog', 'cat']);
  });
});
