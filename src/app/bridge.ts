/**
 * The main thread's handle on the inference worker (Squoosh-style): a typed comlink proxy plus
 *  - cancellation through AbortSignal, the only kind there is: a call whose signal is aborted
 *    before it starts never reaches the worker, and one aborted while it runs has its result (or
 *    error) dropped: it rejects with `CancelledError` once the worker is done with it. Which work
 *    supersedes which is decided by the callers' stages (stage.ts), not here;
 *  - crash recovery: an uncaught error in the worker rejects every pending call with `WorkerCrashedError`, the worker is replaced by a
 *    fresh one and `onCrash` lets the app restore its state.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../worker/error-transfer';
import { WorkerError, type DritWorkerApi } from '../worker/protocol';

// Errors from the worker arrive as WorkerErrors with their code and cause.
installErrorTransfer(Comlink);

export type Remote = Comlink.Remote<DritWorkerApi>;

/** A call whose signal was aborted (superseded by a newer request of its stage): code CANCELLED. */
export class CancelledError extends WorkerError {
  constructor(message = 'superseded by a newer request') {
    super('CANCELLED', message);
    this.name = 'CancelledError';
  }
}

/** A call cut short because the worker died: code WORKER_CRASHED. */
export class WorkerCrashedError extends WorkerError {
  constructor(message: string) {
    super('WORKER_CRASHED', message);
    this.name = 'WorkerCrashedError';
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof DOMException && e.name === 'AbortError');
}

export function createDritWorker(): Worker {
  return new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'drit-inference' });
}

export class WorkerBridge {
  private worker!: Worker;
  private api!: Remote;
  private epoch = 0;
  private readonly pending = new Set<(e: Error) => void>();
  /** Times of recent crashes: a worker that keeps dying is not restarted forever. */
  private readonly crashes: number[] = [];
  private dead = false;
  /** terminate() was called: no more calls. */
  private shutDown = false;
  /** The current worker's proxy was released (the worker is ended). */
  private released = false;

  constructor(
    private readonly factory: () => Worker,
    private readonly onCrash: (reason: string, restarted: boolean) => void,
  ) {
    this.spawn();
  }

  private spawn(): void {
    const epoch = ++this.epoch;
    const worker = this.factory();
    worker.addEventListener('error', (ev: ErrorEvent) => {
      ev.preventDefault();
      if (epoch === this.epoch) this.crashed(ev.message || 'the worker failed to start or threw an uncaught error');
    });
    worker.addEventListener('messageerror', () => {
      if (epoch === this.epoch) this.crashed('a message from the worker could not be read');
    });
    this.worker = worker;
    this.api = Comlink.wrap<DritWorkerApi>(worker);
    this.released = false;
  }

  private crashed(reason: string): void {
    const err = new WorkerCrashedError(`The inference worker crashed: ${reason}`);
    for (const reject of [...this.pending]) reject(err);
    this.pending.clear();
    this.release();
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length && now - this.crashes[0]! > 60_000) this.crashes.shift();
    if (this.crashes.length > 3) {
      this.dead = true;
      this.onCrash(`${reason} — it crashed ${this.crashes.length} times in a minute, so it was not restarted; reload the page`, false);
      return;
    }
    this.spawn();
    this.onCrash(reason, true);
  }

  /**
   * One call. Rejects with WorkerCrashedError if the worker dies meanwhile, and with
   * CancelledError if `signal` is aborted: at once when it already is (the call is not made),
   * else when the worker answers (the answer is dropped: the work itself runs to its end).
   */
  call<T>(fn: (api: Remote) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new CancelledError('cancelled'));
    if (this.shutDown) return Promise.reject(new CancelledError('the worker was shut down'));
    if (this.dead) return Promise.reject(new WorkerCrashedError('The inference worker keeps crashing; reload the page.'));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (ok: boolean, v: unknown): void => {
        if (settled) return;
        settled = true;
        this.pending.delete(onEnd);
        if (signal?.aborted) reject(new CancelledError('cancelled'));
        else if (ok) resolve(v as T);
        else reject(v);
      };
      const onEnd = (e: Error): void => settle(false, e);
      this.pending.add(onEnd);
      fn(this.api).then(
        (v) => settle(true, v),
        (e: unknown) => settle(false, e),
      );
    });
  }

  /** Shuts the worker down; calls still pending, and any later call, reject with CancelledError. */
  terminate(): void {
    this.shutDown = true;
    const err = new CancelledError('the worker was shut down');
    for (const end of [...this.pending]) end(err);
    this.pending.clear();
    this.release();
  }

  /**
   * Ends the current worker. Its comlink proxy is released first: comlink registers every proxy
   * in a FinalizationRegistry whose held value is the worker, and the worker's listeners lead
   * back to this bridge and its proxy, so an unreleased proxy keeps itself, the worker, this
   * bridge and all its callbacks hold alive for the page's lifetime (for the camera's helper
   * worker: one bridge per camera session; docs/benchmarks.md "Soak"). Releasing unregisters it,
   * drops its pending answers and tells the worker to stop listening; then it is terminated.
   */
  private release(): void {
    if (this.released) return;
    this.released = true;
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}

export { Comlink };
