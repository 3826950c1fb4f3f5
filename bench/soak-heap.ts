/**
 * npx tsx bench/soak-heap.ts [--rounds 12] [--from 3] [--backend wasm] [--build dev|prod] [--forget] [--port 5312] [--out DIR] [--js-flags FLAGS]
 *
 * Where the page's JS heap grows during the soak loop (bench/soak-visit.ts): takes a heap
 * snapshot (CDP, after a forced GC) after round `from` and after round `rounds`, and writes
 * heap-growth.txt to DIR (default .cache/soak/heap-<backend>-<build>-<time>): the change in
 * object count and self size per constructor, and for the objects born between the two
 * snapshots and still alive, the largest groups with the retainer path of a few of them.
 * `--keep` also keeps both .heapsnapshot files (open them in Chromium's DevTools). `--js-flags`
 * passes V8 flags to Chromium (e.g. "--no-opt --no-maglev --no-sparkplug": no compiled code, to
 * tell the JIT's code apart from objects the page keeps).
 */
import { createWriteStream, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CDPSession } from '@playwright/test';
import { REPO } from './browser';
import { openSoakPage, soakInputs } from './soak-page';
import { SoakVisit } from './soak-visit';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '12' },
    from: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'wasm' },
    build: { type: 'string', default: 'dev' },
    port: { type: 'string', default: '5312' },
    out: { type: 'string' },
    forget: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'js-flags': { type: 'string' },
  },
});

/** Writes a heap snapshot taken after a forced GC; returns the JS heap in use then (what the soak samples). */
async function snapshot(cdp: CDPSession, file: string): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const out = createWriteStream(file);
  const onChunk = (e: { chunk: string }) => out.write(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await new Promise<void>((r) => out.end(r));
  return usedSize;
}

interface Snap {
  n: number;
  type: string[];
  name: string[];
  id: Float64Array;
  size: Float64Array;
  firstEdge: Uint32Array;
  edgeType: string[];
  edgeName: string[];
  edgeTo: Uint32Array;
}

function load(file: string): Snap {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const m = j.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const [ti, ni, ii, si, ei] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => m.node_fields.indexOf(f));
  const [eti, eni, eto] = ['type', 'name_or_index', 'to_node'].map((f) => m.edge_fields.indexOf(f));
  const nodeTypes: string[] = m.node_types[0];
  const edgeTypes: string[] = m.edge_types[0];
  const n = j.nodes.length / nf;
  const s: Snap = { n, type: [], name: [], id: new Float64Array(n), size: new Float64Array(n), firstEdge: new Uint32Array(n + 1), edgeType: [], edgeName: [], edgeTo: new Uint32Array(j.edges.length / ef) };
  let e = 0;
  for (let i = 0; i < n; i++) {
    const b = i * nf;
    s.type.push(nodeTypes[j.nodes[b + ti]]!);
    s.name.push(String(j.strings[j.nodes[b + ni]]));
    s.id[i] = j.nodes[b + ii];
    s.size[i] = j.nodes[b + si];
    s.firstEdge[i] = e;
    e += j.nodes[b + ei];
  }
  s.firstEdge[n] = e;
  for (let k = 0; k < e; k++) {
    const t = edgeTypes[j.edges[k * ef + eti]]!;
    s.edgeType.push(t);
    const nm = j.edges[k * ef + eni];
    s.edgeName.push(t === 'element' || t === 'hidden' ? `[${nm}]` : String(j.strings[nm]));
    s.edgeTo[k] = j.edges[k * ef + eto] / nf;
  }
  return s;
}

/** Group key: the constructor for objects, the kind for strings, code and the engine's internals. */
function key(s: Snap, i: number): string {
  const t = s.type[i]!;
  if (t === 'object' || t === 'native' || t === 'closure') return `${t} ${s.name[i]!.slice(0, 60)}`;
  if (t === 'hidden' || t === 'array' || t === 'synthetic' || t === 'object shape') return `${t} ${s.name[i]!.slice(0, 40)}`;
  return `(${t})`;
}

function groups(s: Snap, keep: (i: number) => boolean = () => true): Map<string, { count: number; size: number; nodes: number[] }> {
  const g = new Map<string, { count: number; size: number; nodes: number[] }>();
  for (let i = 0; i < s.n; i++) {
    if (!keep(i)) continue;
    const k = key(s, i);
    const v = g.get(k) ?? { count: 0, size: 0, nodes: [] };
    v.count++;
    v.size += s.size[i]!;
    if (v.nodes.length < 200) v.nodes.push(i);
    g.set(k, v);
  }
  return g;
}

/** The shortest strong retainer path from the root to node `target` (weak edges skipped). */
function retainerPaths(s: Snap): (target: number) => string {
  const dist = new Int32Array(s.n).fill(-1);
  const parentEdge = new Int32Array(s.n).fill(-1);
  const parent = new Int32Array(s.n).fill(-1);
  const queue = [0];
  dist[0] = 0;
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    for (let e = s.firstEdge[i]!; e < s.firstEdge[i + 1]!; e++) {
      if (s.edgeType[e] === 'weak' || s.edgeType[e] === 'shortcut') continue;
      const to = s.edgeTo[e]!;
      if (dist[to] !== -1) continue;
      dist[to] = dist[i]! + 1;
      parent[to] = i;
      parentEdge[to] = e;
      queue.push(to);
    }
  }
  return (target) => {
    const parts: string[] = [];
    for (let i = target; i > 0 && parts.length < 14; i = parent[i]!) {
      if (parent[i] === -1) return `unreachable ← ${parts.join(' ← ')}`;
      parts.push(`${key(s, i)} (.${s.edgeName[parentEdge[i]!]})`);
    }
    return parts.join(' ← ');
  };
}

function report(a: Snap, b: Snap, rounds: number, used: number[]): string {
  const out: string[] = [];
  const kb = (x: number) => (x / 1024).toFixed(1);
  out.push(`JS heap in use (Runtime.getHeapUsage): ${kb(used[0]!)} KiB → ${kb(used[1]!)} KiB (${kb((used[1]! - used[0]!) / rounds)} KiB a round)`);
  const ga = groups(a);
  const gb = groups(b);
  const total = (s: Snap) => s.size.reduce((x, y) => x + y, 0);
  out.push(`snapshot self sizes (with array buffer contents and engine internals): ${kb(total(a))} KiB → ${kb(total(b))} KiB over ${rounds} rounds (${kb((total(b) - total(a)) / rounds)} KiB a round); nodes ${a.n} → ${b.n}`);
  out.push('', 'Growth by group (count, self size), largest first:');
  const keys = new Set([...ga.keys(), ...gb.keys()]);
  const diff = [...keys].map((k) => ({ k, dc: (gb.get(k)?.count ?? 0) - (ga.get(k)?.count ?? 0), ds: (gb.get(k)?.size ?? 0) - (ga.get(k)?.size ?? 0) }));
  diff.sort((x, y) => y.ds - x.ds);
  for (const d of diff.slice(0, 30)) out.push(`  ${d.ds >= 0 ? '+' : ''}${kb(d.ds)} KiB  ${d.dc >= 0 ? '+' : ''}${d.dc}  ${d.k}`);
  const old = new Set(a.id);
  const born = groups(b, (i) => !old.has(b.id[i]!));
  const path = retainerPaths(b);
  const top = [...born.entries()].sort((x, y) => y[1].size - x[1].size).slice(0, 12);
  out.push('', 'Born after the first snapshot and still alive, largest groups, with retainer paths of three:');
  for (const [k, v] of top) {
    out.push(`  ${kb(v.size)} KiB, ${v.count} objects: ${k}`);
    const picks = [v.nodes[0]!, v.nodes[Math.floor(v.nodes.length / 2)]!, v.nodes[v.nodes.length - 1]!];
    for (const i of new Set(picks)) out.push(`    ${b.name[i]!.slice(0, 50).replace(/\s+/g, ' ')}  ←  ${path(i)}`);
  }
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  const rounds = Number(args.rounds);
  const from = Number(args.from);
  if (!(from >= 1 && rounds > from)) throw new Error('--from must be at least 1 and below --rounds');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = args.out ?? join(REPO, '.cache', 'soak', `heap-${args.backend}-${args.build}-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const { page, close } = await openSoakPage(args.backend!, args.build!, Number(args.port), args['js-flags'] ? [`--js-flags=${args['js-flags']}`] : []);
  const files = [join(dir, `round-${from}.heapsnapshot`), join(dir, `round-${rounds}.heapsnapshot`)];
  const used: number[] = [];
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const visit = new SoakVisit(page, {
      minutes: 24 * 60,
      sampleEveryS: 24 * 3600,
      actionTimeoutMs: 240_000,
      ...soakInputs(),
      forgetPth: args.forget,
      maxRounds: rounds,
      afterRound: async (n) => {
        console.log(`soak-heap: round ${n} done`);
        if (n === from) used.push(await snapshot(cdp, files[0]!));
        if (n === rounds) used.push(await snapshot(cdp, files[1]!));
      },
    });
    const r = await visit.run();
    if (r.failure) throw new Error(r.failure);
  } finally {
    await close();
  }
  const text = `${JSON.stringify({ date: new Date().toISOString(), backend: args.backend, build: args.build, forget: args.forget, jsFlags: args['js-flags'] ?? null, from, rounds })}\n${report(load(files[0]!), load(files[1]!), rounds - from, used)}`;
  writeFileSync(join(dir, 'heap-growth.txt'), text);
  console.log(text);
  if (!args.keep) files.forEach((f) => unlinkSync(f));
}

await main();
