/**
 * Errors through a real comlink connection (a MessageChannel, as between the page and the worker):
 * a WorkerError keeps its class, code, message and cause chain; other errors keep comlink's
 * behaviour (name + message).
 */
import * as Comlink from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../convert/errors';
import { DritError } from '../errors';
import { installErrorTransfer } from './error-transfer';
import { WorkerError, codedError, errorCodeOf } from './protocol';

installErrorTransfer(Comlink);

interface Api {
  failCoded(): Promise<void>;
  failPlain(): Promise<void>;
  ok(): Promise<number>;
}

const channels: MessageChannel[] = [];
afterAll(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function connect(api: Api): Comlink.Remote<Api> {
  const ch = new MessageChannel();
  channels.push(ch);
  Comlink.expose(api, ch.port1 as unknown as Comlink.Endpoint);
  return Comlink.wrap<Api>(ch.port2 as unknown as Comlink.Endpoint);
}

describe('error transfer over comlink', () => {
  const remote = connect({
    async failCoded() {
      const cause = new CheckpointError('PICKLE_FORBIDDEN_GLOBAL', 'the pickle calls os.system, which is not allowed');
      throw codedError('CHECKPOINT_INVALID', '“evil.pth” is not a usable DRIT checkpoint', cause);
    },
    async failPlain() {
      throw new TypeError('x is not a function');
    },
    async ok() {
      return 42;
    },
  });

  it('a WorkerError arrives as a WorkerError with its code, message and cause', async () => {
    const e = await remote.failCoded().then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(WorkerError);
    expect(e).toBeInstanceOf(DritError);
    expect(errorCodeOf(e)).toBe('CHECKPOINT_INVALID');
    expect((e as Error).message).toBe('“evil.pth” is not a usable DRIT checkpoint');
    const cause = (e as Error).cause as DritError;
    expect(cause).toBeInstanceOf(DritError);
    expect(cause.name).toBe('CheckpointError');
    expect(cause.code).toBe('PICKLE_FORBIDDEN_GLOBAL');
    expect(cause.message).toContain('os.system');
  });

  it('other errors keep comlink behaviour: an Error with name and message, no code', async () => {
    const e = await remote.failPlain().then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(DritError);
    expect((e as Error).name).toBe('TypeError');
    expect((e as Error).message).toBe('x is not a function');
    expect(errorCodeOf(e)).toBeUndefined();
  });

  it('results still pass', async () => {
    expect(await remote.ok()).toBe(42);
  });
});
