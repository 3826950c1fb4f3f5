import { describe, expect, it } from 'vitest';
import { fakeBridge, gatedApi, outcome, until } from '../testing/fake-worker';
import { WorkerCrashedError } from './bridge';

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
});
