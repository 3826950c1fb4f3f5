/**
 * Test transport for the page's worker bridge (src/app/bridge.ts) in vitest, where no module
 * Worker can run the real inference worker: a MessageChannel with a comlink-exposed API on the
 * far side, so the bridge's real comlink traffic, error events and termination are exercised.
 * `gate` makes a fake API whose calls wait until the test releases them, one at a time.
 */
import * as Comlink from 'comlink';
import { CancelledError, WorkerBridge, type Remote } from '../app/bridge';

export class FakeWorker extends EventTarget {
  readonly channel = new MessageChannel();
  terminated = false;
  constructor(api: object) {
    super();
    Comlink.expose(api, this.channel.port2 as unknown as Comlink.Endpoint);
  }
  override addEventListener(type: string, cb: EventListenerOrEventListenerObject | null, opts?: AddEventListenerOptions | boolean): void {
    if (type === 'message' || type === 'messageerror') this.channel.port1.addEventListener(type, cb as EventListener, opts);
    else super.addEventListener(type, cb, opts);
  }
  override removeEventListener(type: string, cb: EventListenerOrEventListenerObject | null, opts?: EventListenerOptions | boolean): void {
    if (type === 'message') this.channel.port1.removeEventListener(type, cb as EventListener, opts);
    else super.removeEventListener(type, cb, opts);
  }
  postMessage(msg: unknown, transfer: Transferable[] = []): void {
    this.channel.port1.postMessage(msg, transfer);
  }
  start(): void {
    this.channel.port1.start();
  }
  terminate(): void {
    this.terminated = true;
    this.channel.port1.close();
  }
  /** Fires the event an uncaught error in a real worker fires. */
  crash(message: string): void {
    const ev = new Event('error') as Event & { message: string };
    ev.message = message;
    this.dispatchEvent(ev);
  }
}

/** A bridge over fake workers (a fresh one per spawn, kept in `workers`) exposing `api`. */
export function fakeBridge(api: object, onCrash: (reason: string, restarted: boolean) => void = () => {}) {
  const workers: FakeWorker[] = [];
  const bridge = new WorkerBridge(() => {
    const w = new FakeWorker(api);
    workers.push(w);
    return w as unknown as Worker;
  }, onCrash);
  return { bridge, workers };
}

/** Calls the test releases one at a time, in the order they reached the fake worker. */
export class Gate {
  private readonly waiting: Array<() => void> = [];
  /** Resolves when the test calls `release`. */
  wait(): Promise<void> {
    return new Promise<void>((r) => this.waiting.push(r));
  }
  get size(): number {
    return this.waiting.length;
  }
  release(): void {
    const r = this.waiting.shift();
    if (!r) throw new Error('no call is waiting at the gate');
    r();
  }
}

/** Waits until `cond` holds (comlink's messages hop through a MessageChannel); fails after 10 s. */
export async function until(cond: () => boolean, what = 'the condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A fake API with one method, `generate({ id })`: each call is recorded in `seen`, waits at the
 * gate and returns its id (a negative id throws instead). `generate(id)` makes the bridge call.
 */
export function gatedApi() {
  const seen: number[] = [];
  const gate = new Gate();
  const api = {
    async generate(req: { id: number }) {
      seen.push(req.id);
      await gate.wait();
      if (req.id < 0) throw new Error(`bad id ${req.id}`);
      return req.id;
    },
  };
  const generate = (id: number) => (r: Remote) => (r as unknown as Comlink.Remote<typeof api>).generate({ id }) as Promise<number>;
  return { api, seen, gate, generate };
}

/** How a call ended, in words: 'ok <value>', 'cancelled' (CancelledError) or 'error <message>'. */
export function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    (v) => `ok ${String(v)}`,
    (e: unknown) => (e instanceof CancelledError ? 'cancelled' : `error ${String(e)}`),
  );
}
