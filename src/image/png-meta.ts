/**
 * Results that remember how they were made: a PNG `tEXt` chunk, keyword `drit-result`, holding
 * JSON with the model id, direction, z, seed and crop (docs/model-pack.md, "Result PNGs"). The page
 * and the CLI write the same chunk and read it back. What is read is data, never code or a path:
 * every field is checked against a strict schema, and a chunk that fails (unknown keys, wrong
 * types, a broken CRC) is reported and ignored. Runs in the browser and in Node (no Node APIs).
 */

export const RESULT_KEYWORD = 'drit-result';
const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** A result chunk is a few hundred bytes; anything far larger is not ours. */
const MAX_TEXT_BYTES = 16 * 1024;
const MAX_NZ = 1024;

export interface ResultMeta {
  /** Model id (the pack's name); a restore only applies z to the same model. */
  model: string;
  direction: 'a2b' | 'b2a';
  z: number[];
  seed?: number;
  /** Square crop of the source photo in its pixels; absent = the model's own pre-processing. */
  crop?: { x: number; y: number; size: number };
}

export type ResultMetaRead = { status: 'none' } | { status: 'ok'; meta: ResultMeta } | { status: 'invalid'; reason: string };

let table: Uint32Array | null = null;
/** CRC-32 of PNG chunks (ISO 3309, as the PNG spec defines it). */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function isPng(png: Uint8Array): boolean {
  return png.length >= 8 && SIGNATURE.every((b, i) => png[i] === b);
}

interface Chunk {
  type: string;
  start: number; // offset of the length field
  data: Uint8Array;
  crcOk: boolean;
}

/** The chunks of a PNG, stopping at IEND or at the first chunk that does not fit the file. */
function chunks(png: Uint8Array): Chunk[] {
  const out: Chunk[] = [];
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  while (at + 12 <= png.length) {
    const length = view.getUint32(at);
    if (at + 12 + length > png.length) break;
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    out.push({ type, start: at, data: png.subarray(at + 8, at + 8 + length), crcOk: crc32(typeAndData) === view.getUint32(at + 8 + length) });
    at += 12 + length;
    if (type === 'IEND') break;
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Checks a parsed value against the schema; returns the clean metadata or why not. */
export function validateResultMeta(v: unknown): { meta: ResultMeta } | { reason: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { reason: 'not an object' };
  const o = v as Record<string, unknown>;
  const allowed = new Set(['v', 'model', 'direction', 'z', 'seed', 'crop']);
  const unknown = Object.keys(o).filter((k) => !allowed.has(k));
  if (unknown.length) return { reason: `unknown field ${JSON.stringify(unknown[0])}` };
  if (o.v !== 1) return { reason: `unknown version ${JSON.stringify(o.v)}` };
  if (typeof o.model !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(o.model)) return { reason: 'bad model id' };
  if (o.direction !== 'a2b' && o.direction !== 'b2a') return { reason: 'bad direction' };
  if (!Array.isArray(o.z) || o.z.length < 1 || o.z.length > MAX_NZ || !o.z.every((x) => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= 1e6)) {
    return { reason: 'bad z' };
  }
  const meta: ResultMeta = { model: o.model, direction: o.direction, z: o.z.slice() as number[] };
  if (o.seed !== undefined) {
    if (typeof o.seed !== 'number' || !Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) return { reason: 'bad seed' };
    meta.seed = o.seed;
  }
  if (o.crop !== undefined) {
    const c = o.crop as Record<string, unknown> | null;
    const ok = (x: unknown, min: number) => typeof x === 'number' && Number.isFinite(x) && x >= min && x <= 1e6;
    if (typeof c !== 'object' || c === null || Object.keys(c).some((k) => !['x', 'y', 'size'].includes(k)) || !ok(c.x, 0) || !ok(c.y, 0) || !ok(c.size, 1)) {
      return { reason: 'bad crop' };
    }
    meta.crop = { x: c.x as number, y: c.y as number, size: c.size as number };
  }
  return { meta };
}

/** `png` with one `drit-result` chunk (an existing one is replaced), placed before IEND. */
export function withResultMeta(png: Uint8Array, meta: ResultMeta): Uint8Array<ArrayBuffer> {
  if (!isPng(png)) throw new Error('withResultMeta: not a PNG');
  const checked = validateResultMeta({ v: 1, ...meta });
  if ('reason' in checked) throw new Error(`withResultMeta: ${checked.reason}`);
  const all = chunks(png);
  const end = all.find((c) => c.type === 'IEND');
  if (!end) throw new Error('withResultMeta: the PNG has no IEND chunk');
  const text = new TextEncoder().encode(`${RESULT_KEYWORD}\0${JSON.stringify({ v: 1, ...checked.meta })}`);
  const parts: Uint8Array[] = [png.subarray(0, 8)];
  for (const c of all) {
    if (c.type === 'IEND') break;
    if (c.type === 'tEXt' && latin1(c.data.subarray(0, RESULT_KEYWORD.length + 1)) === `${RESULT_KEYWORD}\0`) continue;
    parts.push(png.subarray(c.start, c.start + 12 + c.data.length));
  }
  parts.push(pngChunk('tEXt', text), png.subarray(end.start, end.start + 12));
  return concatBytes(parts);
}

/** The parts one after the other, in a new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads the `drit-result` chunk of a file: none, valid metadata, or why it was ignored. */
export function readResultMeta(file: Uint8Array): ResultMetaRead {
  if (!isPng(file)) return { status: 'none' };
  for (const c of chunks(file)) {
    if (c.type !== 'tEXt' || latin1(c.data.subarray(0, RESULT_KEYWORD.length + 1)) !== `${RESULT_KEYWORD}\0`) continue;
    if (!c.crcOk) return { status: 'invalid', reason: 'its checksum does not match (the file was altered)' };
    const body = c.data.subarray(RESULT_KEYWORD.length + 1);
    if (body.length > MAX_TEXT_BYTES) return { status: 'invalid', reason: `it is ${body.length} bytes, more than a result needs` };
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      return { status: 'invalid', reason: 'it is not valid JSON' };
    }
    const checked = validateResultMeta(parsed);
    return 'reason' in checked ? { status: 'invalid', reason: checked.reason } : { status: 'ok', meta: checked.meta };
  }
  return { status: 'none' };
}
