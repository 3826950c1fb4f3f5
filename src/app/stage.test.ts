import { describe, expect, it } from 'vitest';
import { fakeBridge, gatedApi, outcome, until } from '../testing/fake-worker';
import { WorkStage } from './stage';

/** A stage on a bridge over a fake worker whose calls wait at a gate. */
function staged() {
  const f = gatedApi();
  const { bridge } = fakeBridge(f.api);
  return { f, bridge, stage: new WorkStage(() => bridge) };
}

describe('WorkStage', () => {
  it('a burst: one request runs, superseded ones never reach the worker, only the newest result is kept', async () => {
    const { f, bridge, stage } = staged();
    const first = outcome(stage.run(f.generate(1)));
    await until(() => f.seen.length === 1);
    const burst = [2, 3, 4, 5].map((id) => outcome(stage.run(f.generate(id))));
    expect(stage.busy).toBe(true);
    f.gate.release(); // 1 ends: its result is dropped (superseded), 2..4 are skipped, 5 runs
    await until(() => f.seen.length === 2);
    expect(f.seen).toEqual([1, 5]);
    f.gate.release();
    expect(await Promise.all([first, ...burst])).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled', 'ok 5']);
    expect(stage.busy).toBe(false);
    bridge.terminate();
  });

  it('a superseded request settles only when the worker is free, so `busy` tells whether work remains', async () => {
    const { f, bridge, stage } = staged();
    const order: string[] = [];
    const a = stage.run(f.generate(1)).catch(() => order.push(`a cancelled, busy ${stage.busy}`));
    await until(() => f.seen.length === 1);
    const b = stage.run(f.generate(2)).then((v) => order.push(`b ${v}, busy ${stage.busy}`));
    f.gate.release();
    await until(() => f.seen.length === 2);
    f.gate.release();
    await Promise.all([a, b]);
    expect(order).toEqual(['a cancelled, busy true', 'b 2, busy false']);
    bridge.terminate();
  });

  it('cancel aborts the running request (its signal too) and drops its result; the stage goes on', async () => {
    const { f, bridge, stage } = staged();
    let signal: AbortSignal | null = null;
    const running = outcome(
      stage.run((api, s) => {
        signal = s;
        return f.generate(1)(api);
      }),
    );
    await until(() => f.seen.length === 1);
    expect(signal!.aborted).toBe(false);
    stage.cancel();
    expect(signal!.aborted).toBe(true);
    f.gate.release();
    expect(await running).toBe('cancelled');
    // the stage goes on: a new request runs and is kept
    const next = outcome(stage.run(f.generate(2)));
    await until(() => f.seen.length === 2);
    f.gate.release();
    expect(await next).toBe('ok 2');
    bridge.terminate();
  });

  it('`after`: the request waits for another piece of work, and is skipped if superseded meanwhile', async () => {
    const { f, bridge, stage } = staged();
    let release!: () => void;
    const before = new Promise<void>((r) => (release = r));
    const waiting = outcome(stage.run(f.generate(1), before));
    const kept = outcome(stage.run(f.generate(2), before));
    await new Promise((r) => setTimeout(r, 0));
    expect(f.seen).toEqual([]);
    release();
    await until(() => f.seen.length === 1);
    f.gate.release();
    expect([await waiting, await kept]).toEqual(['cancelled', 'ok 2']);
    expect(f.seen).toEqual([2]);
    bridge.terminate();
  });

  it('a worker shut down under a running request does not block the stage', async () => {
    const f = gatedApi();
    let { bridge } = fakeBridge(f.api);
    const stage = new WorkStage(() => bridge);
    const lost = outcome(stage.run(f.generate(1)));
    await until(() => f.seen.length === 1);
    bridge.terminate();
    expect(await lost).toBe('cancelled');
    ({ bridge } = fakeBridge(f.api));
    const next = outcome(stage.run(f.generate(2)));
    await until(() => f.seen.length === 2);
    f.gate.release(); // (the lost call's wait)
    f.gate.release();
    expect(await next).toBe('ok 2');
    bridge.terminate();
  });
});
