/**
 * Errors across the worker boundary. Comlink's own 'throw' handler sends only an Error's name,
 * message and stack, so a code would have to hide in the message. This handler, installed on both
 * sides (worker.ts, app/bridge.ts), sends every `DritError` as data (name, code, message, cause
 * chain) and rebuilds it on the other side: a `WorkerError` arrives as a `WorkerError` with the
 * same code and cause. Anything else keeps comlink's default behaviour.
 */
import type * as ComlinkModule from 'comlink';
import { DritError, deserializeError, registerErrorClass, serializeError, type SerializedError } from '../errors';
import { WorkerError, type WorkerErrorCode } from './protocol';

type ComlinkLike = Pick<typeof ComlinkModule, 'transferHandlers'>;

interface Carried {
  dritError: SerializedError;
}

function isCarried(v: unknown): v is Carried {
  return typeof v === 'object' && v !== null && 'dritError' in v;
}

let installed = false;

export function installErrorTransfer(comlink: ComlinkLike): void {
  if (installed) return;
  installed = true;
  registerErrorClass('WorkerError', (code, message, cause) => new WorkerError(code as WorkerErrorCode, message, { cause }));
  const base = comlink.transferHandlers.get('throw');
  if (!base) throw new Error('comlink has no throw handler to extend');
  comlink.transferHandlers.set('throw', {
    canHandle: (v: unknown): v is unknown => base.canHandle(v),
    serialize(v: unknown): [unknown, Transferable[]] {
      const thrown = (v as { value?: unknown }).value;
      if (thrown instanceof DritError) return [{ dritError: serializeError(thrown) } satisfies Carried, []];
      return base.serialize(v);
    },
    deserialize(s: unknown): unknown {
      if (isCarried(s)) throw deserializeError(s.dritError);
      return base.deserialize(s);
    },
  });
}
