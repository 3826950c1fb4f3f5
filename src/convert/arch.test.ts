import { describe, expect, it } from 'vitest';
import { readArchEntry } from './arch';
import { CheckpointError } from './errors';
import { PyDict, type PyValue } from './pickle';

function dict(entries: Array<[PyValue, PyValue]>): PyDict {
  const d = new PyDict(true);
  for (const [k, v] of entries) d.map.set(k, v);
  return d;
}
const root = (arch: PyValue | undefined): PyDict => dict(arch === undefined ? [['ep', 3]] : [['ep', 3], ['arch', arch]]);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return `${(e as CheckpointError).code}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe("checkpoint['arch']", () => {
  it('is optional: official checkpoints have none and mean ReLU', () => {
    expect(readArchEntry(root(undefined))).toEqual({ encAActivation: 'relu' });
    expect(readArchEntry(root(dict([])))).toEqual({ encAActivation: 'relu' });
    expect(readArchEntry('not a dict root')).toEqual({ encAActivation: 'relu' });
  });

  it('carries E_attr activation', () => {
    expect(readArchEntry(root(dict([['enc_a_activation', 'leakyrelu']])))).toEqual({ encAActivation: 'leakyrelu' });
    expect(readArchEntry(root(dict([['enc_a_activation', 'relu']])))).toEqual({ encAActivation: 'relu' });
  });

  it('refuses what it cannot build, naming it', () => {
    expect(codeOf(() => readArchEntry(root('leakyrelu')))).toMatch(/^BAD_STRUCTURE: .*'arch'\] is of type str/);
    expect(codeOf(() => readArchEntry(root(dict([['enc_a_activation', 'gelu']]))))).toMatch(/^UNKNOWN_VARIANT: .*'gelu'.*relu, leakyrelu/);
    expect(codeOf(() => readArchEntry(root(dict([['enc_a_activation', 2]]))))).toMatch(/^UNKNOWN_VARIANT: .*is of type int/);
    expect(codeOf(() => readArchEntry(root(dict([['gen_activation', 'leakyrelu']]))))).toMatch(/^UNKNOWN_VARIANT: .*'gen_activation'.*cannot be built/);
  });
});
