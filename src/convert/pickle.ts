/**
 * A safe unpickler for PyTorch checkpoints (pickle protocol 2, as written by torch.save; protocol
 * 3-5 framing opcodes are accepted too). It never executes anything: globals are resolved against
 * a fixed allow-list to inert markers, and the only "calls" it performs are the handful of
 * reconstructors a checkpoint needs (OrderedDict, torch._utils._rebuild_tensor(_v2), ...), each
 * implemented here in a few lines that build plain data objects.
 *
 * Runs in Node and in browser workers: no Node-only APIs.
 */
import { PickleError } from './errors';

// ---------------------------------------------------------------------------------------------
// Value model
// ---------------------------------------------------------------------------------------------

export type TorchDtype = 'float32' | 'float16' | 'float64' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_ITEM_SIZE: Record<TorchDtype, number> = {
  float32: 4,
  float16: 2,
  float64: 8,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A Python tuple (distinguished from a list, which is a plain array). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A dict or collections.OrderedDict. Keys are primitives (str/int/...) or object identities. */
export class PyDict {
  readonly map = new Map<PyValue, PyValue>();
  /** Instance attributes set through BUILD (e.g. a state_dict's `_metadata`); kept, never used. */
  attributes: PyDict | null = null;
  constructor(readonly ordered: boolean) {}
  get(key: PyValue): PyValue | undefined {
    return this.map.get(key);
  }
  has(key: PyValue): boolean {
    return this.map.has(key);
  }
  /** The string keys, in insertion order. */
  stringKeys(): string[] {
    const out: string[] = [];
    for (const k of this.map.keys()) if (typeof k === 'string') out.push(k);
    return out;
  }
}

/** An allow-listed global (`module.name`), inert: only usable as a REDUCE target or storage type. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A storage reference produced by the persistent-id callback of the checkpoint reader. */
export class StorageRef {
  constructor(
    /** Storage key: the file name under `<archive>/data/` (zip) or the legacy storage id. */
    readonly key: string,
    readonly dtype: TorchDtype,
    /** 'cpu', 'cuda:0', ... (informational: everything is read to the CPU). */
    readonly location: string,
    /** Number of elements of this storage (of the view, for legacy view storages). */
    readonly numel: number,
    /** Legacy format only: this storage is a view of `rootKey` starting at element `offset`. */
    readonly view: { rootKey: string; offset: number } | null = null,
  ) {}
}

/** A tensor as described by the pickle: a strided view of a storage. No data is read yet. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    /** In elements. */
    readonly offset: number,
    readonly size: number[],
    /** In elements. */
    readonly stride: number[],
    readonly requiresGrad: boolean,
  ) {}
  get numel(): number {
    return this.size.reduce((a, b) => a * b, 1);
  }
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PyGlobal
  | StorageRef
  | TensorRef;

// ---------------------------------------------------------------------------------------------
// Allow-list
// ---------------------------------------------------------------------------------------------

const STORAGE_CLASSES: Record<string, TorchDtype> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  DoubleStorage: 'float64',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const CALLABLES = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
]);

/** Every global a checkpoint may name. Anything else is refused before it can be used. */
export const PICKLE_GLOBAL_ALLOW_LIST: readonly string[] = [
  ...CALLABLES,
  ...Object.keys(STORAGE_CLASSES).map((c) => `torch.${c}`),
  ...Object.keys(STORAGE_CLASSES).map((c) => `torch.cuda.${c}`),
];
const ALLOWED = new Set(PICKLE_GLOBAL_ALLOW_LIST);

/** dtype of an allow-listed storage-class global, or null if `g` is not a storage class. */
export function storageClassDtype(g: PyGlobal): TorchDtype | null {
  if (g.module !== 'torch' && g.module !== 'torch.cuda') return null;
  return STORAGE_CLASSES[g.name] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Opcodes
// ---------------------------------------------------------------------------------------------

const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

export function opcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Unpickler
// ---------------------------------------------------------------------------------------------

export interface UnpickleOptions {
  /** Byte offset where the pickle starts (default 0). */
  start?: number;
  /** Resolves a persistent id (BINPERSID). Without it, BINPERSID is an error. */
  persistentLoad?: (pid: PyValue) => PyValue;
  /** Limits against hostile input. */
  maxStack?: number;
  maxMemo?: number;
  maxMarks?: number;
  /** Largest LONG1/LONG4 integer accepted, in bytes. */
  maxLongBytes?: number;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just after the STOP opcode. */
  end: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** ISO-8859-1 (Python's latin-1; TextDecoder('latin1') is windows-1252, which differs at 0x80-0x9f). */
const latin1 = {
  decode(b: Uint8Array): string {
    let s = '';
    for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
    return s;
  },
};

const EMPTY_MARK_ERROR = 'MARK expected but the mark stack is empty';

/** Unpickle one pickle from `bytes` starting at `opts.start`. Never executes code. */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions = {}): UnpickleResult {
  const maxStack = opts.maxStack ?? 1_000_000;
  const maxMemo = opts.maxMemo ?? 10_000_000;
  const maxMarks = opts.maxMarks ?? 100_000;
  const maxLongBytes = opts.maxLongBytes ?? 4096;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let pos = opts.start ?? 0;
  let opPos = pos;
  let stack: PyValue[] = [];
  const marks: PyValue[][] = [];
  const memo = new Map<number, PyValue>();

  const fail = (code: 'PICKLE_INVALID' | 'PICKLE_LIMIT' | 'PICKLE_TRUNCATED', msg: string): never => {
    throw new PickleError(code, `${code === 'PICKLE_TRUNCATED' ? 'truncated pickle' : 'invalid pickle'}: ${msg} (at byte ${opPos})`, opPos);
  };
  const need = (k: number): void => {
    if (k < 0 || pos + k > n) fail('PICKLE_TRUNCATED', `needs ${k} more byte(s) but only ${Math.max(0, n - pos)} remain`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++] as number;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const lo = view.getUint32(pos, true);
    const hi = view.getUint32(pos + 4, true);
    pos += 8;
    if (hi >= 0x200000) fail('PICKLE_LIMIT', 'a 64-bit length exceeds 2^53');
    return hi * 0x100000000 + lo;
  };
  const take = (k: number): Uint8Array => {
    need(k);
    const out = bytes.subarray(pos, pos + k);
    pos += k;
    return out;
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail('PICKLE_TRUNCATED', 'unterminated text line');
    const s = latin1.decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const decodeUtf8 = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch {
      return fail('PICKLE_INVALID', 'string is not valid UTF-8');
    }
  };
  const push = (v: PyValue): void => {
    if (stack.length >= maxStack) fail('PICKLE_LIMIT', `stack exceeds ${maxStack} entries`);
    stack.push(v);
  };
  const pop = (): PyValue => {
    if (stack.length === 0) fail('PICKLE_INVALID', 'stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) fail('PICKLE_INVALID', 'stack underflow');
    return stack[stack.length - 1] as PyValue;
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const prev = marks.pop();
    if (prev === undefined) fail('PICKLE_INVALID', EMPTY_MARK_ERROR);
    stack = prev as PyValue[];
    return items;
  };
  const memoPut = (idx: number, v: PyValue): void => {
    if (idx < 0) fail('PICKLE_INVALID', `negative memo index ${idx}`);
    if (!memo.has(idx) && memo.size >= maxMemo) fail('PICKLE_LIMIT', `memo exceeds ${maxMemo} entries`);
    memo.set(idx, v);
  };
  const memoGet = (idx: number): PyValue => {
    const v = memo.get(idx);
    if (v === undefined) fail('PICKLE_INVALID', `memo index ${idx} is not defined`);
    return v as PyValue;
  };
  const readLong = (len: number): number | bigint => {
    if (len > maxLongBytes) fail('PICKLE_LIMIT', `a ${len}-byte integer exceeds the ${maxLongBytes}-byte limit`);
    const b = take(len);
    return decodeLong(b);
  };
  const resolveGlobal = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!ALLOWED.has(q)) {
      throw new PickleError('PICKLE_FORBIDDEN_GLOBAL', `Refusing pickle global '${q}': not in the allow-list of a PyTorch checkpoint`, opPos);
    }
    return new PyGlobal(module, name);
  };
  const setItems = (d: PyValue, items: PyValue[]): void => {
    if (!(d instanceof PyDict)) fail('PICKLE_INVALID', `SETITEM(S) on a ${typeName(d)}`);
    if (items.length % 2 !== 0) fail('PICKLE_INVALID', 'SETITEMS with an odd number of items');
    const dict = d as PyDict;
    for (let i = 0; i < items.length; i += 2) dict.map.set(dictKey(items[i] as PyValue), items[i + 1] as PyValue);
  };
  const dictKey = (k: PyValue): PyValue => {
    if (k instanceof Uint8Array || Array.isArray(k) || k instanceof PyDict) fail('PICKLE_INVALID', `unhashable dict key of type ${typeName(k)}`);
    return k;
  };
  const appendItems = (l: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(l)) fail('PICKLE_INVALID', `APPEND(S) on a ${typeName(l)}`);
    const list = l as PyValue[];
    if (list.length + items.length > maxStack * 16) fail('PICKLE_LIMIT', 'list too long');
    for (const it of items) list.push(it);
  };

  for (;;) {
    opPos = pos;
    if (pos >= n) fail('PICKLE_TRUNCATED', 'no STOP opcode before the end of the data');
    const op = bytes[pos++] as number;
    switch (op) {
      case 0x80: {
        // PROTO
        const p = u8();
        if (p > 5) fail('PICKLE_INVALID', `unsupported pickle protocol ${p}`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: {
        // STOP
        const value = pop();
        return { value, end: pos };
      }
      // --- constants ---
      case 0x4e:
        push(null);
        break;
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 0x4a:
        push(i32());
        break;
      case 0x4b:
        push(u8());
        break;
      case 0x4d:
        push(u16());
        break;
      case 0x8a:
        push(readLong(u8()));
        break;
      case 0x8b: {
        const len = i32();
        if (len < 0) fail('PICKLE_INVALID', 'negative LONG4 length');
        push(readLong(len));
        break;
      }
      case 0x47: {
        need(8);
        const v = view.getFloat64(pos, false);
        pos += 8;
        push(v);
        break;
      }
      // --- strings / bytes ---
      case 0x58:
        push(decodeUtf8(take(u32())));
        break;
      case 0x8c:
        push(decodeUtf8(take(u8())));
        break;
      case 0x8d:
        push(decodeUtf8(take(u64())));
        break;
      case 0x54: {
        const len = i32();
        if (len < 0) fail('PICKLE_INVALID', 'negative BINSTRING length');
        push(latin1.decode(take(len)));
        break;
      }
      case 0x55:
        push(latin1.decode(take(u8())));
        break;
      case 0x42:
        push(take(u32()).slice());
        break;
      case 0x43:
        push(take(u8()).slice());
        break;
      case 0x8e:
        push(take(u64()).slice());
        break;
      // --- containers ---
      case 0x28: // MARK
        if (marks.length >= maxMarks) fail('PICKLE_LIMIT', `more than ${maxMarks} nested marks`);
        marks.push(stack);
        stack = [];
        break;
      case 0x29:
        push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        {
          const items = popMark();
          push(new PyTuple(items));
        }
        break;
      case 0x85: {
        const a = pop();
        push(new PyTuple([a]));
        break;
      }
      case 0x86: {
        const b = pop();
        const a = pop();
        push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        push(new PyTuple([a, b, c]));
        break;
      }
      case 0x5d:
        push([]);
        break;
      case 0x7d:
        push(new PyDict(false));
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new PyDict(false);
        setItems(d, items);
        push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      // --- stack manipulation ---
      case 0x30:
        pop();
        break;
      case 0x31:
        popMark();
        break;
      case 0x32:
        push(top());
        break;
      // --- memo ---
      case 0x71:
        memoPut(u8(), top());
        break;
      case 0x72:
        memoPut(i32(), top());
        break;
      case 0x94:
        memoPut(memo.size, top());
        break;
      case 0x68:
        push(memoGet(u8()));
        break;
      case 0x6a:
        push(memoGet(u32()));
        break;
      // --- globals and object construction ---
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') fail('PICKLE_INVALID', 'STACK_GLOBAL needs two strings');
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail('PICKLE_INVALID', 'persistent id found but no persistent_load handler is set');
        push((opts.persistentLoad as (p: PyValue) => PyValue)(pid));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        push(reduce(fn, args, fail));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        if (!(cls instanceof PyGlobal) || cls.qualifiedName !== 'collections.OrderedDict') {
          fail('PICKLE_INVALID', `NEWOBJ of ${cls instanceof PyGlobal ? `'${cls.qualifiedName}'` : typeName(cls)} is not supported`);
        }
        if (!(args instanceof PyTuple)) fail('PICKLE_INVALID', 'NEWOBJ arguments are not a tuple');
        push(new PyDict(true));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (!(obj instanceof PyDict) || !obj.ordered) fail('PICKLE_INVALID', `BUILD on a ${typeName(obj)} is not supported`);
        let dictState: PyValue = state;
        // (state, slotstate) form
        if (state instanceof PyTuple && state.items.length === 2) dictState = state.items[0] as PyValue;
        if (dictState !== null && !(dictState instanceof PyDict)) fail('PICKLE_INVALID', `BUILD state of type ${typeName(dictState)} is not supported`);
        (obj as PyDict).attributes = dictState as PyDict | null;
        break;
      }
      default:
        throw new PickleError(
          'PICKLE_UNSUPPORTED_OPCODE',
          `Unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} (${opcodeName(op)}) at byte ${opPos}: not used by torch.save`,
          opPos,
        );
    }
  }
}

function reduce(fn: PyValue, args: PyValue, fail: (code: 'PICKLE_INVALID', msg: string) => never): PyValue {
  if (!(fn instanceof PyGlobal)) return fail('PICKLE_INVALID', `REDUCE on a ${typeName(fn)}, not a global`);
  if (!(args instanceof PyTuple)) return fail('PICKLE_INVALID', `REDUCE arguments for '${fn.qualifiedName}' are not a tuple`);
  const a = args.items;
  switch (fn.qualifiedName) {
    case 'collections.OrderedDict': {
      const d = new PyDict(true);
      if (a.length === 0) return d;
      const src = a[0];
      if (a.length === 1 && Array.isArray(src)) {
        for (const pair of src) {
          if (!(pair instanceof PyTuple) || pair.items.length !== 2) return fail('PICKLE_INVALID', 'OrderedDict() argument is not a list of pairs');
          d.map.set(pair.items[0] as PyValue, pair.items[1] as PyValue);
        }
        return d;
      }
      return fail('PICKLE_INVALID', 'unsupported OrderedDict() arguments');
    }
    case 'torch._utils._rebuild_tensor_v2':
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if (a.length !== 6 && a.length !== 7) return fail('PICKLE_INVALID', `_rebuild_tensor_v2 expects 6 or 7 arguments, got ${a.length}`);
      return rebuildTensor(a, fail);
    case 'torch._utils._rebuild_tensor':
      // (storage, storage_offset, size, stride)
      if (a.length !== 4) return fail('PICKLE_INVALID', `_rebuild_tensor expects 4 arguments, got ${a.length}`);
      return rebuildTensor(a, fail);
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state': {
      // (data, requires_grad, backward_hooks[, state])
      const data = a[0];
      if (!(data instanceof TensorRef)) return fail('PICKLE_INVALID', `${fn.name} expects a tensor`);
      return data;
    }
    default:
      return fail('PICKLE_INVALID', `'${fn.qualifiedName}' is not callable in a checkpoint`);
  }
}

function rebuildTensor(a: PyValue[], fail: (code: 'PICKLE_INVALID', msg: string) => never): TensorRef {
  const [storage, offset, size, stride, requiresGrad] = a;
  if (!(storage instanceof StorageRef)) return fail('PICKLE_INVALID', `tensor storage is a ${typeName(storage ?? null)}, not a storage`);
  if (!isIndex(offset)) return fail('PICKLE_INVALID', 'tensor storage offset is not a non-negative integer');
  const sz = intTuple(size);
  const st = intTuple(stride);
  if (!sz || !st) return fail('PICKLE_INVALID', 'tensor size/stride is not a tuple of non-negative integers');
  if (sz.length !== st.length) return fail('PICKLE_INVALID', `tensor size has ${sz.length} dims but stride has ${st.length}`);
  return new TensorRef(storage, offset, sz, st, requiresGrad === true);
}

function isIndex(v: PyValue | undefined): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function intTuple(v: PyValue | undefined): number[] | null {
  if (!(v instanceof PyTuple) && !Array.isArray(v)) return null;
  const items = v instanceof PyTuple ? v.items : v;
  const out: number[] = [];
  for (const x of items) {
    if (!isIndex(x)) return null;
    out.push(x);
  }
  return out;
}

/** Little-endian two's-complement integer -> number when safe, else bigint. */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  if (b.length <= 6) {
    let v = 0;
    for (let i = b.length - 1; i >= 0; i--) v = v * 256 + (b[i] as number);
    if ((b[b.length - 1] as number) & 0x80) v -= 2 ** (8 * b.length);
    return v;
  }
  let hex = '';
  for (let i = b.length - 1; i >= 0; i--) hex += (b[i] as number).toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if ((b[b.length - 1] as number) & 0x80) v -= 1n << BigInt(8 * b.length);
  if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return v;
}

export function typeName(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  if (v instanceof StorageRef) return 'storage';
  return 'tensor';
}
