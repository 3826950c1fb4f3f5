/**
 * Reads a PyTorch `.pth` checkpoint from memory, in both serialisation formats torch.save has
 * used: the zip format (PyTorch >= 1.6) and the legacy stream format (PyTorch <= 1.5, and
 * `_use_new_zipfile_serialization=False`), see docs/drit-reference.md §7.2.
 *
 * Only the tensors under the requested top-level entries are materialised (as float32); the other
 * storages — discriminators, optimiser moments — are never copied. Runs in Node and browsers.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { decodeFloat16LE } from '../pack/float16';
import { CheckpointError, PickleError } from './errors';
import {
  DTYPE_ITEM_SIZE,
  PyDict,
  PyGlobal,
  PyTuple,
  StorageRef,
  TensorRef,
  storageClassDtype,
  typeName,
  unpickle,
  type PyValue,
  type TorchDtype,
} from './pickle';

export type CheckpointFormat = 'legacy' | 'zip';

export interface Tensor {
  shape: number[];
  /** Row-major (C order) float32 values. */
  data: Float32Array;
  /** dtype of the stored tensor before the conversion to float32. */
  sourceDtype: TorchDtype;
}

export type StateDict = Map<string, Tensor>;

export interface ReadPthOptions {
  /**
   * Top-level entries whose tensors are materialised; each must be a state dict (a dict of
   * tensors). Default: every top-level entry that is a state dict of floating-point tensors.
   */
  entries?: readonly string[];
  onProgress?: (fraction: number) => void;
}

export interface PthCheckpoint {
  format: CheckpointFormat;
  /** The unpickled top-level object; tensors are unread TensorRef descriptions. */
  root: PyValue;
  /** String keys of the top-level dict in stored order ([] if the root is not a dict). */
  topLevelKeys: string[];
  /** Materialised state dicts of the requested entries, keys in stored order. */
  stateDicts: Map<string, StateDict>;
  /** checkpoint['ep'] and checkpoint['total_it'] when present as integers. */
  epoch?: number;
  totalIterations?: number;
}

/** 0x1950a86a20f9469cfc6c, torch.serialization.MAGIC_NUMBER. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;
const MAX_DATA_PKL_BYTES = 256 * 1024 * 1024;
/** Largest checkpoint file accepted (official DRIT training checkpoints with optimiser states are a few hundred MB). */
export const MAX_CHECKPOINT_BYTES = 1024 * 1024 * 1024;
/**
 * A zip entry may inflate to at most this many times its stored size once it is over 16 MiB.
 * torch.save stores entries uncompressed (ratio 1) and deflated float data compresses ~1.1x; a
 * tiny entry that claims a gigabyte is a zip bomb, refused before it is inflated.
 */
const MAX_INFLATE_RATIO = 64;
const INFLATE_FREE_BYTES = 16 * 1024 * 1024;
/** 2^28 float32 values = 1 GiB; the largest DRIT tensor has 627k elements. */
const MAX_TENSOR_ELEMENTS = 2 ** 28;
/** Largest tensor materialised from repeated storage elements (expand(), stride 0): 4 MB as float32. */
const MAX_REPEATED_ELEMENTS = 2 ** 20;

export function detectFormat(bytes: Uint8Array): CheckpointFormat | null {
  // zip local-file header (PK\x03\x04) or empty-archive record (PK\x05\x06); a shorter prefix of
  // the local-file header counts as a (truncated) zip
  const zipMagic = [0x50, 0x4b, 0x03, 0x04];
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x05 && bytes[3] === 0x06) return 'zip';
  if (bytes.length > 0 && zipMagic.slice(0, Math.min(4, bytes.length)).every((b, i) => bytes[i] === b)) return 'zip';
  // pickle PROTO opcode, protocol 2..5 (a lone 0x80 is a truncated pickle)
  if (bytes[0] === 0x80 && (bytes.length === 1 || ((bytes[1] as number) >= 2 && (bytes[1] as number) <= 5))) return 'legacy';
  return null;
}

export function readPth(bytes: Uint8Array, opts: ReadPthOptions = {}): PthCheckpoint {
  if (bytes.length === 0) throw new CheckpointError('EMPTY_FILE', 'The checkpoint file is empty (0 bytes)');
  if (bytes.length > MAX_CHECKPOINT_BYTES) {
    throw new CheckpointError('SIZE_MISMATCH', `The file has ${bytes.length} bytes, more than the ${MAX_CHECKPOINT_BYTES} any DRIT checkpoint needs`);
  }
  const format = detectFormat(bytes);
  if (format === 'zip') return readZip(bytes, opts);
  if (format === 'legacy') return readLegacy(bytes, opts);
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new CheckpointError(
    'NOT_A_PTH',
    `Not a PyTorch checkpoint: the file is neither a zip archive nor a pickle stream (it starts with bytes ${head})`,
  );
}

// ---------------------------------------------------------------------------------------------
// Shared: persistent ids, entry selection, tensor materialisation
// ---------------------------------------------------------------------------------------------

interface RootStorage {
  key: string;
  dtype: TorchDtype;
  numel: number;
}

/** Builds the persistent_load callback and records the root storages it saw. */
function storageBinder(format: CheckpointFormat): { load: (pid: PyValue) => PyValue; roots: Map<string, RootStorage> } {
  const roots = new Map<string, RootStorage>();
  const views = new Map<string, StorageRef>();
  const bad = (msg: string): never => {
    throw new CheckpointError('CORRUPT', `Invalid storage reference in the checkpoint: ${msg}`);
  };
  const load = (pid: PyValue): PyValue => {
    if (!(pid instanceof PyTuple)) return bad(`persistent id is a ${typeName(pid)}, not a tuple`);
    const [tag, cls, key, location, numel, viewMeta] = pid.items;
    if (tag !== 'storage') return bad(`persistent id tag is ${JSON.stringify(typeof tag === 'string' ? tag : typeName(tag ?? null))}, not 'storage'`);
    if (!(cls instanceof PyGlobal)) return bad('storage type is not a global');
    const dtype = storageClassDtype(cls);
    if (!dtype) return bad(`'${cls.qualifiedName}' is not a storage type`);
    if (typeof key !== 'string' || typeof location !== 'string') return bad('storage key/location are not strings');
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return bad(`storage '${key}' has an invalid element count`);
    const expectLen = format === 'zip' ? 5 : 6;
    if (pid.items.length !== expectLen && !(format === 'zip' && pid.items.length === 6 && viewMeta === null)) {
      return bad(`storage '${key}' persistent id has ${pid.items.length} fields, expected ${expectLen}`);
    }
    const prev = roots.get(key);
    if (prev && (prev.dtype !== dtype || prev.numel !== numel)) return bad(`storage '${key}' is declared twice with different types or sizes`);
    if (!prev) roots.set(key, { key, dtype, numel });
    if (viewMeta === null || viewMeta === undefined) return new StorageRef(key, dtype, location, numel);
    // legacy view storage: (view_key, offset, view_size), offset/size in elements
    if (!(viewMeta instanceof PyTuple) || viewMeta.items.length !== 3) return bad(`storage '${key}' has invalid view metadata`);
    const [viewKey, offset, size] = viewMeta.items;
    if (typeof viewKey !== 'string' || typeof offset !== 'number' || typeof size !== 'number' || offset < 0 || size < 0 || offset + size > numel) {
      return bad(`storage view of '${key}' is out of range`);
    }
    const existing = views.get(viewKey);
    if (existing) return existing;
    const ref = new StorageRef(viewKey, dtype, location, size, { rootKey: key, offset });
    views.set(viewKey, ref);
    return ref;
  };
  return { load, roots };
}

interface Selected {
  topLevelKeys: string[];
  /** entry -> [key, tensor ref] in stored order */
  entries: Map<string, Array<[string, TensorRef]>>;
  epoch?: number;
  totalIterations?: number;
}

function selectEntries(root: PyValue, wanted: readonly string[] | undefined): Selected {
  const topLevelKeys = root instanceof PyDict ? root.stringKeys() : [];
  const entries = new Map<string, Array<[string, TensorRef]>>();
  const asStateDict = (v: PyValue | undefined): Array<[string, TensorRef]> | null => {
    if (!(v instanceof PyDict)) return null;
    const out: Array<[string, TensorRef]> = [];
    for (const [k, t] of v.map) {
      if (typeof k !== 'string' || !(t instanceof TensorRef)) return null;
      out.push([k, t]);
    }
    return out;
  };
  if (wanted) {
    if (!(root instanceof PyDict)) {
      throw new CheckpointError('BAD_STRUCTURE', `The checkpoint holds a ${typeName(root)}, not a dict with ${wanted.map((w) => `'${w}'`).join(', ')}`);
    }
    for (const name of wanted) {
      const v = root.get(name);
      if (v === undefined) {
        const shown = topLevelKeys.length > 20 ? [...topLevelKeys.slice(0, 20), '…'] : topLevelKeys;
        throw new CheckpointError('MISSING_ENTRY', `The checkpoint has no '${name}' entry (top-level keys: ${shown.join(', ') || 'none'}); is this a DRIT checkpoint?`);
      }
      const sd = asStateDict(v);
      if (!sd) {
        const why = v instanceof PyDict ? 'a dict whose values are not all tensors' : `a ${typeName(v)}`;
        throw new CheckpointError('BAD_STRUCTURE', `checkpoint['${name}'] is ${why}, not a state_dict`);
      }
      entries.set(name, sd);
    }
  } else if (root instanceof PyDict) {
    const floating = new Set<TorchDtype>(['float32', 'float16', 'float64', 'bfloat16']);
    for (const name of topLevelKeys) {
      const sd = asStateDict(root.get(name));
      if (sd && sd.every(([, t]) => floating.has(t.storage.dtype))) entries.set(name, sd);
    }
  }
  const intOf = (k: string): number | undefined => {
    if (!(root instanceof PyDict)) return undefined;
    const v = root.get(k);
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  };
  return { topLevelKeys, entries, epoch: intOf('ep'), totalIterations: intOf('total_it') };
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decode `count` elements of `dtype` starting at element `start` of the raw little-endian storage
 * bytes `raw` (which begin at byte `rawOffset`).
 */
function decodeRange(raw: Uint8Array, rawOffset: number, dtype: TorchDtype, start: number, count: number): Float32Array {
  const item = DTYPE_ITEM_SIZE[dtype];
  const b0 = rawOffset + start * item;
  switch (dtype) {
    case 'float32': {
      if (littleEndianHost) return new Float32Array(raw.slice(b0, b0 + count * 4).buffer);
      const dv = new DataView(raw.buffer, raw.byteOffset + b0, count * 4);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'float16':
      return decodeFloat16LE(raw, b0, count);
    case 'bfloat16': {
      const out = new Float32Array(count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0, p = b0; i < count; i++, p += 2) u[i] = (((raw[p] as number) | ((raw[p + 1] as number) << 8)) << 16) >>> 0;
      return out;
    }
    case 'float64': {
      const dv = new DataView(raw.buffer, raw.byteOffset + b0, count * 8);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    }
    default:
      throw new CheckpointError('UNSUPPORTED_DTYPE', `dtype ${dtype} is not a floating-point type`);
  }
}

/**
 * Materialise a strided tensor to a contiguous float32 array. `raw`/`rawOffset` locate the bytes
 * of the root storage `root`.
 */
function materialize(name: string, ref: TensorRef, root: RootStorage, raw: Uint8Array, rawOffset: number): Tensor {
  const { size, stride } = ref;
  const shape = size.slice();
  const dtype = ref.storage.dtype;
  if (dtype !== 'float32' && dtype !== 'float16' && dtype !== 'float64' && dtype !== 'bfloat16') {
    throw new CheckpointError('UNSUPPORTED_DTYPE', `Tensor '${name}' has dtype ${dtype}; only float32/float16/float64/bfloat16 weights can be converted`);
  }
  const numel = ref.numel;
  if (!Number.isSafeInteger(numel) || numel > MAX_TENSOR_ELEMENTS) {
    throw new CheckpointError('SIZE_MISMATCH', `Tensor '${name}' has size (${size.join(',')}), more elements than any DRIT weight (limit ${MAX_TENSOR_ELEMENTS})`);
  }
  if (numel === 0) return { shape, data: new Float32Array(0), sourceDtype: dtype };
  const base = (ref.storage.view?.offset ?? 0) + ref.offset;
  let span = 0;
  for (let i = 0; i < size.length; i++) span += ((size[i] as number) - 1) * (stride[i] as number);
  const limit = ref.storage.view ? (ref.storage.view.offset + ref.storage.numel) : root.numel;
  if (base + span >= limit || !Number.isSafeInteger(base + span)) {
    throw new CheckpointError(
      'SIZE_MISMATCH',
      `Tensor '${name}' (size (${size.join(',')}), stride (${stride.join(',')}), offset ${ref.offset}) reaches element ${base + span} of storage '${ref.storage.key}', which has only ${limit} elements`,
    );
  }
  // More elements than the storage range they span means strides that repeat elements (stride 0
  // from expand(), overlaps). Small ones are materialised as PyTorch would; a large one would let a
  // tiny storage claim gigabytes, and no DRIT weight is stored that way.
  if (numel > span + 1 && numel > MAX_REPEATED_ELEMENTS) {
    throw new CheckpointError(
      'SIZE_MISMATCH',
      `Tensor '${name}' (size (${size.join(',')}), stride (${stride.join(',')})) repeats storage elements: ${numel} elements over a range of ${span + 1} (at most ${MAX_REPEATED_ELEMENTS} are expanded)`,
    );
  }
  const dense = decodeRange(raw, rawOffset, dtype, base, span + 1);
  // contiguous row-major?
  let contiguous = true;
  for (let i = size.length - 1, expect = 1; i >= 0; i--) {
    if ((size[i] as number) !== 1 && stride[i] !== expect) contiguous = false;
    expect *= size[i] as number;
  }
  if (contiguous) return { shape, data: dense.length === numel ? dense : dense.slice(0, numel), sourceDtype: dtype };
  const out = new Float32Array(numel);
  const nd = size.length;
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let o = 0; o < numel; o++) {
    out[o] = dense[src] as number;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      src += stride[d] as number;
      if ((idx[d] as number) < (size[d] as number)) break;
      src -= (size[d] as number) * (stride[d] as number);
      idx[d] = 0;
    }
  }
  return { shape, data: out, sourceDtype: dtype };
}

function runPickle(bytes: Uint8Array, start: number, what: string, persistentLoad?: (pid: PyValue) => PyValue): { value: PyValue; end: number } {
  try {
    return unpickle(bytes, { start, persistentLoad });
  } catch (e) {
    if (e instanceof PickleError && e.code === 'PICKLE_TRUNCATED') {
      throw new CheckpointError('TRUNCATED', `Truncated checkpoint: the file ends inside the ${what} (${e.message})`);
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Legacy format
// ---------------------------------------------------------------------------------------------

function readLegacy(bytes: Uint8Array, opts: ReadPthOptions): PthCheckpoint {
  let pos = 0;
  // 1. magic number
  let magic: PyValue;
  try {
    const r = unpickle(bytes, { start: 0 });
    magic = r.value;
    pos = r.end;
  } catch (e) {
    if (e instanceof PickleError && e.code === 'PICKLE_TRUNCATED') {
      throw new CheckpointError('TRUNCATED', `Truncated checkpoint: the file ends inside the magic number (${bytes.length} bytes)`);
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new CheckpointError('BAD_MAGIC', `Not a PyTorch checkpoint: a pickle stream that does not start with the torch.save magic number (${why})`);
  }
  if (typeof magic !== 'bigint' || magic !== LEGACY_MAGIC) {
    throw new CheckpointError(
      'BAD_MAGIC',
      `Not a PyTorch checkpoint: a Python pickle whose first object is a ${typeName(magic)}, not the torch.save magic number (a plain pickle, or torch.save output of another tool?)`,
    );
  }
  // 2. protocol version
  const ver = runPickle(bytes, pos, 'header');
  pos = ver.end;
  if (ver.value !== LEGACY_PROTOCOL_VERSION) {
    throw new CheckpointError('UNSUPPORTED_VERSION', `Unsupported legacy checkpoint protocol version ${String(ver.value)} (expected ${LEGACY_PROTOCOL_VERSION})`);
  }
  // 3. sys info
  const sys = runPickle(bytes, pos, 'header');
  pos = sys.end;
  if (!(sys.value instanceof PyDict)) throw new CheckpointError('CORRUPT', 'Legacy checkpoint header: the sys-info record is not a dict');
  if (sys.value.get('little_endian') === false) {
    throw new CheckpointError('UNSUPPORTED_VERSION', 'The checkpoint was written on a big-endian machine; only little-endian checkpoints are supported');
  }
  // 4. the object
  const binder = storageBinder('legacy');
  const obj = runPickle(bytes, pos, 'object pickle', binder.load);
  pos = obj.end;
  const root = obj.value;
  const sel = selectEntries(root, opts.entries);
  // 5. storage keys
  const keysPickle = runPickle(bytes, pos, 'storage key list');
  pos = keysPickle.end;
  const keyList = keysPickle.value;
  if (!Array.isArray(keyList) || !keyList.every((k): k is string => typeof k === 'string')) {
    throw new CheckpointError('CORRUPT', 'Legacy checkpoint: the storage key list is not a list of strings');
  }
  // 6. storages: locate every one (cheap), decode only those needed
  const needed = new Set<string>();
  for (const list of sel.entries.values()) for (const [, t] of list) needed.add(t.storage.view?.rootKey ?? t.storage.key);
  const located = new Map<string, number>(); // key -> byte offset of the data
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keyList) {
    const root = binder.roots.get(key);
    if (!root) throw new CheckpointError('CORRUPT', `Legacy checkpoint: storage '${key}' is listed but no tensor uses it, so its type is unknown`);
    if (pos + 8 > bytes.length) {
      throw new CheckpointError('TRUNCATED', `Truncated checkpoint: the file ends before the data of storage '${key}' (${bytes.length} bytes, needs more than ${pos + 8})`);
    }
    const count = dv.getBigInt64(pos, true);
    if (count !== BigInt(root.numel)) {
      throw new CheckpointError('SIZE_MISMATCH', `Storage '${key}' holds ${count} elements but its tensors declare ${root.numel}`);
    }
    pos += 8;
    const nbytes = root.numel * DTYPE_ITEM_SIZE[root.dtype];
    if (pos + nbytes > bytes.length) {
      throw new CheckpointError(
        'TRUNCATED',
        `Truncated checkpoint: storage '${key}' needs ${nbytes} bytes at offset ${pos} but the file has only ${bytes.length} bytes`,
      );
    }
    located.set(key, pos);
    pos += nbytes;
  }
  for (const key of needed) {
    if (!located.has(key)) throw new CheckpointError('MISSING_STORAGE', `Storage '${key}' is referenced by a tensor but not present in the file`);
  }
  const stateDicts = new Map<string, StateDict>();
  const total = countTensors(sel);
  let done = 0;
  for (const [entry, list] of sel.entries) {
    const sd: StateDict = new Map();
    for (const [k, t] of list) {
      const rootKey = t.storage.view?.rootKey ?? t.storage.key;
      const root = binder.roots.get(rootKey) as RootStorage;
      sd.set(k, materialize(`${entry}.${k}`, t, root, bytes, located.get(rootKey) as number));
      opts.onProgress?.(++done / total);
    }
    stateDicts.set(entry, sd);
  }
  return { format: 'legacy', root, topLevelKeys: sel.topLevelKeys, stateDicts, epoch: sel.epoch, totalIterations: sel.totalIterations };
}

function countTensors(sel: Selected): number {
  let n = 0;
  for (const l of sel.entries.values()) n += l.length;
  return Math.max(1, n);
}

// ---------------------------------------------------------------------------------------------
// Zip format
// ---------------------------------------------------------------------------------------------

function hasEndOfCentralDirectory(bytes: Uint8Array): boolean {
  const stop = Math.max(0, bytes.length - 22 - 65535);
  for (let e = bytes.length - 22; e >= stop; e--) {
    if (bytes[e] === 0x50 && bytes[e + 1] === 0x4b && bytes[e + 2] === 0x05 && bytes[e + 3] === 0x06) return true;
  }
  return false;
}

function refuseBomb(f: UnzipFileInfo): void {
  if (f.originalSize > INFLATE_FREE_BYTES && f.originalSize > f.size * MAX_INFLATE_RATIO) {
    throw new CheckpointError(
      'CORRUPT',
      `${f.name} would inflate from ${f.size} to ${f.originalSize} bytes (more than ${MAX_INFLATE_RATIO}x): refusing a zip bomb`,
    );
  }
}

function unzipFiltered(bytes: Uint8Array, filter: (f: UnzipFileInfo) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter });
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new CheckpointError('CORRUPT', `The zip archive is corrupt (${why})`);
  }
}

function readZip(bytes: Uint8Array, opts: ReadPthOptions): PthCheckpoint {
  if (!hasEndOfCentralDirectory(bytes)) {
    throw new CheckpointError('TRUNCATED', `Truncated checkpoint: the zip archive has no end-of-central-directory record (${bytes.length} bytes; the file was cut short?)`);
  }
  // Pass 1: list names, extract <archive>/data.pkl (and the tiny byteorder record).
  const names: string[] = [];
  let prefix: string | null = null;
  const seen = new Set<string>();
  const meta = unzipFiltered(bytes, (f) => {
    // two entries of one name are ambiguous: PyTorch reads the first, a naive unzip keeps the last
    if (seen.has(f.name)) throw new CheckpointError('CORRUPT', `The zip archive holds two entries named ${f.name}: refusing an ambiguous checkpoint`);
    seen.add(f.name);
    names.push(f.name);
    const m = /^([^/]+\/)data\.pkl$/.exec(f.name);
    if (m) {
      if (prefix !== null) throw new CheckpointError('CORRUPT', `The zip archive holds more than one data.pkl (${prefix}data.pkl, ${f.name})`);
      if (f.originalSize > MAX_DATA_PKL_BYTES) throw new CheckpointError('CORRUPT', `${f.name} claims ${f.originalSize} bytes, more than any checkpoint needs`);
      refuseBomb(f);
      prefix = m[1] as string;
      return true;
    }
    return /^[^/]+\/byteorder$/.test(f.name) && f.originalSize < 16;
  });
  if (prefix === null) {
    const shown = names.length > 10 ? [...names.slice(0, 10), `… (${names.length} entries)`] : names;
    throw new CheckpointError(
      'NOT_A_CHECKPOINT',
      `A zip archive, but not a PyTorch checkpoint: no <archive>/data.pkl entry (entries: ${shown.join(', ') || 'none'})`,
    );
  }
  const pfx: string = prefix;
  const order = meta[`${pfx}byteorder`];
  if (order && new TextDecoder().decode(order).trim() === 'big') {
    throw new CheckpointError('UNSUPPORTED_VERSION', 'The checkpoint was written with big-endian byte order; only little-endian checkpoints are supported');
  }
  const pkl = meta[`${pfx}data.pkl`] as Uint8Array;
  const binder = storageBinder('zip');
  const root = runPickle(pkl, 0, `${pfx}data.pkl pickle`, binder.load).value;
  const sel = selectEntries(root, opts.entries);

  // Pass 2: extract only the storages the requested entries use.
  const needed = new Map<string, RootStorage>();
  for (const list of sel.entries.values()) {
    for (const [, t] of list) needed.set(t.storage.key, binder.roots.get(t.storage.key) as RootStorage);
  }
  const wantedNames = new Map<string, RootStorage>();
  for (const r of needed.values()) wantedNames.set(`${pfx}data/${r.key}`, r);
  const sizeErrors: string[] = [];
  const files = needed.size === 0 ? {} : unzipFiltered(bytes, (f) => {
    const r = wantedNames.get(f.name);
    if (!r) return false;
    refuseBomb(f);
    const expect = r.numel * DTYPE_ITEM_SIZE[r.dtype];
    if (f.originalSize !== expect) {
      sizeErrors.push(`storage '${r.key}' (${f.name}) has ${f.originalSize} bytes, expected ${expect} (${r.numel} × ${r.dtype})`);
      return false;
    }
    return true;
  });
  if (sizeErrors.length) throw new CheckpointError('SIZE_MISMATCH', `Storage size mismatch: ${sizeErrors.join('; ')}`);
  for (const [name, r] of wantedNames) {
    const f = files[name];
    if (!f) throw new CheckpointError('MISSING_STORAGE', `Storage '${r.key}' is referenced by a tensor but the archive has no ${name}`);
    const expect = r.numel * DTYPE_ITEM_SIZE[r.dtype];
    if (f.length !== expect) {
      throw new CheckpointError('TRUNCATED', `Truncated checkpoint: ${name} has ${f.length} bytes, expected ${expect}`);
    }
  }
  const stateDicts = new Map<string, StateDict>();
  const total = countTensors(sel);
  let done = 0;
  for (const [entry, list] of sel.entries) {
    const sd: StateDict = new Map();
    for (const [k, t] of list) {
      const r = needed.get(t.storage.key) as RootStorage;
      sd.set(k, materialize(`${entry}.${k}`, t, r, files[`${pfx}data/${r.key}`] as Uint8Array, 0));
      opts.onProgress?.(++done / total);
    }
    stateDicts.set(entry, sd);
  }
  return { format: 'zip', root, topLevelKeys: sel.topLevelKeys, stateDicts, epoch: sel.epoch, totalIterations: sel.totalIterations };
}
