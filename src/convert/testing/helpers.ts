/**
 * Test-only helpers (Node): running scripts/py, building pickles byte by byte.
 * Not imported by library code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PY = join(REPO, 'scripts/py');

let torchAvailable: boolean | null = null;

/** Whether scripts/py finds a Python with PyTorch (CI installs python3-torch). */
export function hasTorch(): boolean {
  if (torchAvailable === null) {
    torchAvailable = existsSync(PY) && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  }
  return torchAvailable;
}

/** Runs a Python snippet with scripts/py; returns stdout, throws with stderr on failure. */
export function runPy(code: string, opts: { cwd?: string; args?: string[] } = {}): string {
  const r = spawnSync(PY, ['-c', code, ...(opts.args ?? [])], { cwd: opts.cwd ?? REPO, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Minimal protocol-2 pickle writer for hand-built test pickles. */
export class PickleBuilder {
  private readonly parts: number[] = [];
  raw(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }
  proto(p = 2): this {
    return this.raw(0x80, p);
  }
  global(module: string, name: string): this {
    return this.raw(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x58, b.length & 0xff, (b.length >>> 8) & 0xff, (b.length >>> 16) & 0xff, b.length >>> 24, ...b);
  }
  shortStr(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x8c, b.length, ...b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.raw(0x4b, n);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n, true);
    return this.raw(0x4a, ...b);
  }
  mark(): this {
    return this.raw(0x28);
  }
  tuple(): this {
    return this.raw(0x74);
  }
  tuple1(): this {
    return this.raw(0x85);
  }
  tuple2(): this {
    return this.raw(0x86);
  }
  emptyTuple(): this {
    return this.raw(0x29);
  }
  emptyDict(): this {
    return this.raw(0x7d);
  }
  emptyList(): this {
    return this.raw(0x5d);
  }
  list(): this {
    return this.raw(0x6c);
  }
  reduce(): this {
    return this.raw(0x52);
  }
  build(): this {
    return this.raw(0x62);
  }
  setitem(): this {
    return this.raw(0x73);
  }
  setitems(): this {
    return this.raw(0x75);
  }
  none(): this {
    return this.raw(0x4e);
  }
  false(): this {
    return this.raw(0x89);
  }
  binpersid(): this {
    return this.raw(0x51);
  }
  stop(): this {
    return this.raw(0x2e);
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.parts);
  }
}
