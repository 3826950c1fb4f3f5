/**
 * The app's one way to cancel worker work. A `WorkStage` is one kind of work whose newest request
 * supersedes the older ones (a model load, the output render, the grid, a camera frame, …), and it
 * owns one AbortController per request (as Squoosh does per stage):
 *  - `run` aborts the previous request of the stage and starts a new one;
 *  - `cancel` aborts the current request (the view it was for can no longer be shown);
 *  - an aborted request still waiting never reaches the worker, and a running one's result (or
 *    error) is dropped by the bridge: the caller gets a `CancelledError` instead, so no caller
 *    re-checks after an `await` whether its result is still wanted;
 *  - requests of one stage run one at a time, so a burst (a dragged slider) never queues a backlog
 *    in the worker: of a burst, at most the running request and the newest one reach it.
 * The worker keeps its state: an aborted request runs to its end there, only its result is dropped.
 */
import type { Remote, WorkerBridge } from './bridge';

export class WorkStage {
  private controller: AbortController | null = null;
  /** Settles when the stage's last request has left the worker (or was skipped). */
  private tail: Promise<unknown> = Promise.resolve();
  private unsettled = 0;

  /** `bridge` is looked up per request: the page's bridge, or a helper worker's. */
  constructor(private readonly bridge: () => WorkerBridge) {}

  /**
   * Supersedes this stage's previous request and runs `fn` once that one has left the worker and
   * `after` (if given) has settled. `signal` is this request's: aborted once it is superseded.
   */
  run<T>(fn: (api: Remote, signal: AbortSignal) => Promise<T>, after?: Promise<unknown>): Promise<T> {
    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    this.unsettled++;
    const work = Promise.allSettled([this.tail, after])
      .then(() => this.bridge().call((api) => fn(api, signal), signal))
      .finally(() => {
        this.unsettled--;
        if (this.controller === controller) this.controller = null;
      });
    this.tail = work.catch(() => {});
    return work;
  }

  /** Aborts the current request, if any: it is skipped if still waiting, its result dropped if running. */
  cancel(): void {
    this.controller?.abort();
    this.controller = null;
  }

  /** Whether a request of this stage is running or waiting (also one whose result will be dropped). */
  get busy(): boolean {
    return this.unsettled > 0;
  }
}
