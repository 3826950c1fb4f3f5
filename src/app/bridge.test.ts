import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { CancelledError, WorkerBridge, WorkerCrashedError } from './bridge';

/** A stand-in for a module Worker: a MessageChannel with a comlink-exposed fake API on the far side. */
class FakeWorker extends EventTarget {
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
}

/** Fake inference: each call waits until the test releases it. */
function fakeApi() {
  const seen: number[] = [];
  const waiting: Array<() => void> = [];
  const api = {
    async generate(req: { id: number }) {
      seen.push(req.id);
      await new Promise<void>((r) => waiting.push(r));
      return req.id;
    },
  };
  return { api, seen, release: () => waiting.shift()?.() };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('WorkerBridge', () => {
  it('latest wins: one call runs, the newest waits, older waiting calls are cancelled', async () => {
    const f = fakeApi();
    const workers: FakeWorker[] = [];
    const bridge = new WorkerBridge(
      () => {
        const w = new FakeWorker(f.api);
        workers.push(w);
        return w as unknown as Worker;
      },
      () => {},
    );
    type Api = typeof f.api;
    const call = (id: number) =>
      bridge.latest('render', (api) => (api as unknown as Comlink.Remote<Api>).generate({ id }) as Promise<number>);
    const results = [1, 2, 3, 4].map((id) => call(id).then((v) => `ok ${v}`, (e: unknown) => (e instanceof CancelledError ? 'cancelled' : 'error')));
    await tick();
    expect(f.seen).toEqual([1]);
    f.release();
    await tick();
    expect(f.seen).toEqual([1, 4]);
    f.release();
    expect(await Promise.all(results)).toEqual(['ok 1', 'cancelled', 'cancelled', 'ok 4']);
    expect(bridge.busy('render')).toBe(false);
    bridge.terminate();
  });

  it('keyed: a running call whose key was superseded is dropped, not applied', async () => {
    const f = fakeApi();
    const bridge = new WorkerBridge(() => new FakeWorker(f.api) as unknown as Worker, () => {});
    type Api = typeof f.api;
    const call = (id: number, key: string) =>
      bridge
        .keyed('render', key, (api) => (api as unknown as Comlink.Remote<Api>).generate({ id }) as Promise<number>)
        .then((v) => `ok ${v}`, (e: unknown) => (e instanceof CancelledError ? 'cancelled' : 'error'));
    const first = call(1, 'z=a');
    await tick();
    const second = call(2, 'z=b'); // arrives while 1 runs: 1's result is now stale
    f.release();
    await tick();
    f.release();
    expect([await first, await second]).toEqual(['cancelled', 'ok 2']);
    // the same key twice: the running one is still current and is kept
    const third = call(3, 'z=c');
    await tick();
    f.release();
    expect(await third).toBe('ok 3');
    bridge.terminate();
  });

  it('a crash rejects pending calls and starts a fresh worker', async () => {
    const f = fakeApi();
    const workers: FakeWorker[] = [];
    const crashes: Array<[string, boolean]> = [];
    const bridge = new WorkerBridge(
      () => {
        const w = new FakeWorker(f.api);
        workers.push(w);
        return w as unknown as Worker;
      },
      (reason, restarted) => crashes.push([reason, restarted]),
    );
    const pending = bridge.call((api) => (api as unknown as Comlink.Remote<typeof f.api>).generate({ id: 9 }) as Promise<number>);
    await tick();
    const ev = new Event('error') as Event & { message: string };
    ev.message = 'boom';
    workers[0]!.dispatchEvent(ev);
    await expect(pending).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(crashes).toEqual([['boom', true]]);
    bridge.terminate();
  });
});
