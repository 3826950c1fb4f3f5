/**
 * The main thread's handle on the inference worker (Squoosh-style): a typed comlink proxy plus
 *  - latest-wins channels: per channel at most one call runs and at most one waits; a newer call
 *    replaces the waiting one (which rejects with `CancelledError`), so dragging a slider never
 *    queues a backlog;
 *  - cancellation through AbortSignal (a waiting call is dropped; a running call's result is
 *    discarded);
 *  - crash recovery: an uncaught error in the worker rejects every pending call with `WorkerCrashedError`, the worker is replaced by a
 *    fresh one and `onCrash` lets the app restore its state.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../worker/error-transfer';
import { WorkerError, type DritWorkerApi } from '../worker/protocol';

// Errors from the worker arrive as WorkerErrors with their code and cause.
installErrorTransfer(Comlink);

export type Remote = Comlink.Remote<DritWorkerApi>;

/** A call superseded by a newer one on its channel, or aborted: code CANCELLED. */
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

interface Waiting {
  run: (api: Remote) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
}

interface Channel {
  busy: boolean;
  waiting: Waiting | null;
}

export function createDritWorker(): Worker {
  return new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'drit-inference' });
}

/** The kinds of work that supersede each other: one latest-wins channel each. */
export type ChannelName = 'model' | 'reference' | 'content' | 'render' | 'grid' | 'interp' | 'camera';

export class WorkerBridge {
  private worker!: Worker;
  private api!: Remote;
  private epoch = 0;
  private readonly pending = new Set<(e: Error) => void>();
  private readonly channels = new Map<ChannelName, Channel>();
  /** The newest key requested per channel (`keyed`). */
  private readonly keys = new Map<ChannelName, string>();
  /** Times of recent crashes: a worker that keeps dying is not restarted forever. */
  private readonly crashes: number[] = [];
  private dead = false;

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
  }

  private crashed(reason: string): void {
    const err = new WorkerCrashedError(`The inference worker crashed: ${reason}`);
    for (const reject of [...this.pending]) reject(err);
    this.pending.clear();
    for (const ch of this.channels.values()) {
      ch.waiting?.reject(err);
      ch.waiting = null;
    }
    // (No releaseProxy: it would post to the dead worker; terminate() frees everything.)
    this.worker.terminate();
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

  /** One call; rejects with WorkerCrashedError if the worker dies meanwhile. */
  call<T>(fn: (api: Remote) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new CancelledError('cancelled'));
    if (this.dead) return Promise.reject(new WorkerCrashedError('The inference worker keeps crashing; reload the page.'));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (): void => {
        settled = true;
        this.pending.delete(onCrash);
        signal?.removeEventListener('abort', onAbort);
      };
      const onCrash = (e: Error): void => {
        if (settled) return;
        finish();
        reject(e);
      };
      const onAbort = (): void => {
        if (settled) return;
        finish();
        reject(new CancelledError('cancelled'));
      };
      this.pending.add(onCrash);
      signal?.addEventListener('abort', onAbort, { once: true });
      fn(this.api).then(
        (v) => {
          if (settled) return;
          finish();
          resolve(v);
        },
        (e: unknown) => {
          if (settled) return;
          finish();
          reject(e);
        },
      );
    });
  }

  /**
   * Latest-wins: runs `fn` when the channel is free; a newer call on the same channel replaces
   * this one while it still waits.
   */
  latest<T>(channel: ChannelName, fn: (api: Remote) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let ch = this.channels.get(channel);
    if (!ch) {
      ch = { busy: false, waiting: null };
      this.channels.set(channel, ch);
    }
    const c = ch;
    return new Promise<T>((resolve, reject) => {
      c.waiting?.reject(new CancelledError());
      c.waiting = { run: fn, resolve: resolve as (v: unknown) => void, reject, signal };
      signal?.addEventListener(
        'abort',
        () => {
          if (c.waiting?.signal === signal) {
            c.waiting.reject(new CancelledError('cancelled'));
            c.waiting = null;
          }
        },
        { once: true },
      );
      if (!c.busy) void this.pump(c);
    });
  }

  /**
   * Latest-wins with a key (what the request depends on, e.g. image|crop|direction|z): like
   * `latest`, and a call whose key is no longer the channel's newest when its result arrives
   * rejects with CancelledError, so a caller never applies a stale result and never re-checks.
   */
  keyed<T>(channel: ChannelName, key: string, fn: (api: Remote) => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.keys.set(channel, key);
    return this.latest(channel, fn, signal).then((v) => {
      if (this.keys.get(channel) !== key) throw new CancelledError('superseded by a newer request');
      return v;
    });
  }

  /** Drops the waiting call of a channel (a running keyed call's result is dropped too). */
  cancel(channel: ChannelName): void {
    this.keys.delete(channel);
    const ch = this.channels.get(channel);
    if (ch?.waiting) {
      ch.waiting.reject(new CancelledError('cancelled'));
      ch.waiting = null;
    }
  }

  private async pump(ch: Channel): Promise<void> {
    ch.busy = true;
    try {
      while (ch.waiting) {
        const w = ch.waiting;
        ch.waiting = null;
        try {
          w.resolve(await this.call(w.run, w.signal));
        } catch (e) {
          w.reject(e);
        }
      }
    } finally {
      ch.busy = false;
    }
  }

  /** Whether a channel has work running or waiting. */
  busy(channel: ChannelName): boolean {
    const ch = this.channels.get(channel);
    return !!ch && (ch.busy || ch.waiting !== null);
  }

  terminate(): void {
    this.worker.terminate();
  }
}

export { Comlink };
