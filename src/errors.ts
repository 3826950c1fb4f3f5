/**
 * The one error type of the project. Every failure we describe ourselves is a `DritError`: a
 * stable `code` (what callers branch on), a message written for the person who will read it,
 * and an optional `cause` (the underlying error, kept for debugging). The families
 * (`CheckpointError`, `PackError`, `ImageError`, the worker's `WorkerError`, the CLI's
 * `UsageError`) are subclasses with their own code lists. Errors cross the worker boundary as
 * plain data (`serializeError` / `deserializeError`, installed into comlink by
 * `src/worker/error-transfer.ts`) and come out as the same classes with the same codes.
 */
export class DritError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DritError';
    this.code = code;
  }
}

export function isDritError(e: unknown): e is DritError {
  return e instanceof DritError;
}

/** The code of a DritError (undefined for anything else). */
export function errorCode(e: unknown): string | undefined {
  return e instanceof DritError ? e.code : undefined;
}

/** The human-readable text of anything thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Structured-cloneable form of an error (what crosses postMessage). */
export interface SerializedError {
  /** Class name, e.g. 'WorkerError', 'CheckpointError'. */
  name: string;
  code?: string;
  message: string;
  cause?: SerializedError;
  stack?: string;
}

/** Causes are followed this deep (a cycle or a very long chain is cut). */
const MAX_CAUSE_DEPTH = 4;

export function serializeError(e: unknown, depth = 0): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const out: SerializedError = { name: e.name, message: e.message };
  if (e instanceof DritError) out.code = e.code;
  if (e.stack) out.stack = e.stack;
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** Classes that `deserializeError` rebuilds by name; others come back as a DritError (with a code) or an Error. */
const revivers = new Map<string, (code: string, message: string, cause: unknown) => Error>();

/** Lets a family of errors come back from the worker as its own class (`instanceof` keeps working). */
export function registerErrorClass(name: string, make: (code: string, message: string, cause: unknown) => Error): void {
  revivers.set(name, make);
}

export function deserializeError(s: SerializedError): Error {
  const cause = s.cause ? deserializeError(s.cause) : undefined;
  const make = revivers.get(s.name);
  let err: Error;
  if (make && s.code !== undefined) err = make(s.code, s.message, cause);
  else if (s.code !== undefined) err = new DritError(s.code, s.message, { cause });
  else err = new Error(s.message, { cause });
  if (err.name !== s.name) err.name = s.name;
  if (s.stack) err.stack = s.stack;
  return err;
}
