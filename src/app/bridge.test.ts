import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FakeWorker, fakeBridge, gatedApi, outcome, until } from '../testing/fake-worker';
import { WorkerBridge, WorkerCrashedError } from './bridge';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** True once `ref`'s target is garbage-collected (a few full collections, with turns of the event loop between them). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

/** A bridge over fake workers that only it references; WeakRefs to it and to each of its workers. */
function weakBridge(api: object): { bridge: WorkerBridge; refs: { bridge: WeakRef<WorkerBridge>; workers: WeakRef<FakeWorker>[] } } {
  const workers: WeakRef<FakeWorker>[] = [];
  const bridge = new WorkerBridge(() => {
    const w = new FakeWorker(api);
    workers.push(new WeakRef(w));
    return w as unknown as Worker;
  }, () => {});
  return { bridge, refs: { bridge: new WeakRef(bridge), workers } };
}

/** The bridge against a fake worker transport (src/testing/fake-worker.ts): comlink, error events and termination are real. */
describe('WorkerBridge', () => {
  it('a call whose signal is already aborted never reaches the worker', async () => {
    const f = gatedApi();
    const { bridge } = fakeBridge(f.api);
    const ctl = new AbortController();
    ctl.abort();
    expect(await outcome(bridge.call(f.generate(1), ctl.signal))).toBe('cancelled');
    const next = bridge.call(f.generate(2));
    await until(() => f.seen.length === 1);
    f.gate.release();
    expect(await next).toBe(2);
    expect(f.seen).toEqual([2]);
    bridge.terminate();
  });

  it('a call aborted while it runs settles when the worker is done, with its result (or error) dropped', async () => {
    const f = gatedApi();
    const { bridge } = fakeBridge(f.api);
    const ctl = new AbortController();
    let settled = false;
    const running = outcome(bridge.call(f.generate(1), ctl.signal)).finally(() => (settled = true));
    await until(() => f.seen.length === 1);
    ctl.abort();
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false); // the worker is still at it
    f.gate.release();
    expect(await running).toBe('cancelled');
    // an error of an aborted call is dropped too
    const ctl2 = new AbortController();
    const failing = outcome(bridge.call(f.generate(-1), ctl2.signal));
    await until(() => f.seen.length === 2);
    ctl2.abort();
    f.gate.release();
    expect(await failing).toBe('cancelled');
    // not aborted: the worker's error comes through with its message
    const plain = outcome(bridge.call(f.generate(-2)));
    await until(() => f.seen.length === 3);
    f.gate.release();
    expect(await plain).toMatch(/bad id -2/);
    bridge.terminate();
  });

  it('a crash rejects pending calls and starts a fresh worker', async () => {
    const f = gatedApi();
    const crashes: Array<[string, boolean]> = [];
    const { bridge, workers } = fakeBridge(f.api, (reason, restarted) => crashes.push([reason, restarted]));
    const pending = bridge.call(f.generate(9));
    await until(() => f.seen.length === 1);
    workers[0]!.crash('boom');
    await expect(pending).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(crashes).toEqual([['boom', true]]);
    // the fresh worker answers
    const after = bridge.call(f.generate(10));
    await until(() => f.seen.length === 2);
    f.gate.release();
    f.gate.release();
    expect(await after).toBe(10);
    bridge.terminate();
  });

  it('terminate rejects pending calls with CancelledError instead of leaving them unsettled', async () => {
    const f = gatedApi();
    const { bridge, workers } = fakeBridge(f.api);
    const pending = outcome(bridge.call(f.generate(1)));
    await until(() => f.seen.length === 1);
    bridge.terminate();
    expect(await pending).toBe('cancelled');
    expect(workers[0]!.terminated).toBe(true);
  });

  it('a call after terminate rejects with CancelledError, and a second terminate is harmless', async () => {
    const f = gatedApi();
    const { bridge } = fakeBridge(f.api);
    bridge.terminate();
    expect(await outcome(bridge.call(f.generate(1)))).toBe('cancelled');
    bridge.terminate();
    expect(f.seen).toEqual([]);
  });

  // comlink registers each proxy in a FinalizationRegistry holding the worker; the worker's
  // listeners lead back to the bridge and its proxy. Unless terminate releases the proxy, that
  // cycle keeps the bridge, the worker and whatever the bridge's callbacks hold for good.
  it('a terminated bridge and its worker are garbage-collected (one call done, one pending)', async () => {
    const f = gatedApi();
    const refs = await (async () => {
      const { bridge, refs } = weakBridge(f.api);
      const done = bridge.call(f.generate(1));
      await until(() => f.seen.length === 1);
      f.gate.release();
      expect(await done).toBe(1);
      const pending = outcome(bridge.call(f.generate(2)));
      await until(() => f.seen.length === 2);
      bridge.terminate();
      expect(await pending).toBe('cancelled');
      return refs;
    })();
    f.gate.release();
    expect(await collected(refs.bridge), 'the bridge').toBe(true);
    expect(await collected(refs.workers[0]!), 'its worker').toBe(true);
  });

  it("a crashed worker is garbage-collected while the bridge goes on with a fresh one", async () => {
    const f = gatedApi();
    const { bridge, refs } = weakBridge(f.api);
    // (In a function of its own: a suspended async function can keep a dead value in its frame.)
    await (async () => {
      const pending = bridge.call(f.generate(1)).catch((e: unknown) => e);
      await until(() => f.seen.length === 1);
      refs.workers[0]!.deref()!.crash('boom');
      expect(await pending).toBeInstanceOf(WorkerCrashedError);
    })();
    f.gate.release();
    expect(refs.workers).toHaveLength(2);
    expect(await collected(refs.workers[0]!), 'the crashed worker').toBe(true);
    const after = bridge.call(f.generate(3));
    await until(() => f.seen.length === 2);
    f.gate.release();
    expect(await after).toBe(3);
    bridge.terminate();
  });
});
