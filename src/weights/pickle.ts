// A restricted unpickler: it interprets the opcodes a torch.save pickle uses and nothing else. It imports
// nothing and calls nothing; globals are resolved through a hook that only knows an allow-list, and the
// only "calls" are the hook's TypeScript builders. Every read is bounds-checked and the amount of work is
// bounded, so a hostile file fails with a clear error instead of running code or exhausting memory.
import { ByteReader } from './bytes.js';
import { opcodeLabel } from './pickle-opcodes.js';
import { isPyKey, PyDict, PyGlobal, PyTuple, pyTypeName, type PyValue } from './pickle-values.js';

export interface UnpickleHooks {
  /** The allowed global for module.name, or undefined when it is forbidden. */
  findGlobal?(module: string, name: string): PyGlobal | undefined;
  /** Turns a persistent id (BINPERSID) into a value; without it BINPERSID is an error. */
  persistentLoad?: (pid: PyValue) => PyValue;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just after the STOP opcode. */
  end: number;
}

/**
 * Work bounds, 13 to 66 times what torch.save writes for PraNet (measured): its state dict pickles to 123 KB,
 * 31,550 opcodes, 7,848 objects and 8,007 memo entries; a training checkpoint with Adam's state
 * ({state_dict, optimizer}) to 237 KB, 75,300 opcodes (77,611 legacy), 19,430 objects and 17,294 memo
 * entries. Objects (dicts, lists, tuples, globals, REDUCE and persistent-id results) are counted because
 * each costs far more memory than the byte that makes it: unbounded, 15 KB of deflated EMPTY_DICTs made
 * 4 GB of dicts. At these limits the worst pickle grows memory by about 100 MiB.
 */
export const PICKLE_LIMITS = {
  maxOps: 1 << 21,
  maxObjects: 1 << 18,
  maxStack: 1 << 20,
  maxMemo: 1 << 19,
  maxGlobalName: 256,
  /** bytes of one pickle; a zip's data.pkl is refused above this before it is inflated */
  maxBytes: 64 << 20,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Runs the pickle that starts at `start` in `bytes` up to its STOP opcode, reading at most PICKLE_LIMITS.maxBytes. */
export function unpickle(bytes: Uint8Array, start: number, source: string, hooks: UnpickleHooks = {}): UnpickleResult {
  const { maxBytes } = PICKLE_LIMITS;
  // A legacy .pth holds its storages after the pickles, so the file's length bounds nothing here.
  const overrun = (what: string, need: number, at: number) =>
    new Error(`${source}: the pickle at byte ${start} runs past the limit of ${maxBytes} bytes for one pickle (${what} at byte ${at} needs ${need} bytes)`);
  return new Machine(new ByteReader(bytes, source, start, start + maxBytes, overrun), hooks).run();
}

class Machine {
  private stack: PyValue[] = [];
  private marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private opPos = 0;
  private objects = 0;

  constructor(private readonly r: ByteReader, private readonly hooks: UnpickleHooks) {}

  private fail(message: string): Error {
    return new Error(`${this.r.source} at byte ${this.opPos}: ${message}`);
  }

  private push(v: PyValue): void {
    if (this.stack.length >= PICKLE_LIMITS.maxStack) throw this.fail(`pickle stack deeper than ${PICKLE_LIMITS.maxStack}`);
    this.stack.push(v);
  }

  /** Counts one new dict, list, tuple, global or hook result against PICKLE_LIMITS.maxObjects. */
  private made(): void {
    if (++this.objects > PICKLE_LIMITS.maxObjects) {
      throw this.fail(`pickle makes more than ${PICKLE_LIMITS.maxObjects} objects (dicts, lists, tuples, globals, tensors); a checkpoint needs far fewer`);
    }
  }

  private pop(): PyValue {
    if (this.stack.length === 0 || this.stack.length <= (this.marks.at(-1) ?? -1)) {
      throw this.fail('pickle stack underflow');
    }
    return this.stack.pop()!;
  }

  private top(): PyValue {
    if (this.stack.length === 0) throw this.fail('pickle stack underflow');
    return this.stack[this.stack.length - 1]!;
  }

  /** Removes and returns everything pushed since the last MARK. */
  private popMark(): PyValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.fail('opcode needs a MARK but none is open');
    return this.stack.splice(mark);
  }

  private put(index: number): void {
    if (!this.memo.has(index) && this.memo.size >= PICKLE_LIMITS.maxMemo) {
      throw this.fail(`pickle memo larger than ${PICKLE_LIMITS.maxMemo}`);
    }
    this.memo.set(index, this.top());
  }

  private get(index: number): void {
    const v = this.memo.get(index);
    if (v === undefined) throw this.fail(`memo entry ${index} read before it was written`);
    this.push(v);
  }

  private text(n: number, what: string): string {
    try {
      return utf8.decode(this.r.take(n, what));
    } catch (e) {
      if (e instanceof TypeError) throw this.fail(`${what} is not valid UTF-8`);
      throw e;
    }
  }

  /** One newline-terminated line of a GLOBAL opcode. */
  private line(what: string): string {
    const { bytes, pos, end } = this.r;
    const limit = Math.min(end, pos + PICKLE_LIMITS.maxGlobalName);
    for (let i = pos; i < limit; i++) {
      if (bytes[i] === 0x0a) {
        const s = this.text(i - pos, what);
        this.r.pos = i + 1;
        return s;
      }
    }
    if (limit === end) this.r.need(limit - pos + 1, what);
    throw this.fail(`${what} longer than ${PICKLE_LIMITS.maxGlobalName} bytes`);
  }

  private global(module: string, name: string): PyGlobal {
    this.made();
    const g = this.hooks.findGlobal?.(module, name);
    if (!g) throw new Error(`forbidden global '${module}.${name}' in ${this.r.source} at byte ${this.opPos}`);
    return g;
  }

  /** Runs a hook, prefixing its error with the file and offset. */
  private hook<T>(f: () => T): T {
    this.made();
    try {
      return f();
    } catch (e) {
      throw this.fail((e as Error).message);
    }
  }

  private tuple(items: PyValue[]): PyTuple {
    this.made();
    return new PyTuple(items);
  }

  private list(items: PyValue[]): PyValue[] {
    this.made();
    return items;
  }

  private dict(): PyDict {
    this.made();
    return new PyDict();
  }

  private setItems(dict: PyValue, kv: readonly PyValue[]): void {
    if (!(dict instanceof PyDict)) throw this.fail(`SETITEM(S) on a ${pyTypeName(dict)}, expected a dict`);
    if (kv.length % 2 !== 0) throw this.fail('SETITEMS with an odd number of items');
    for (let i = 0; i < kv.length; i += 2) {
      const k = kv[i]!;
      if (!isPyKey(k)) throw this.fail(`dict key of type ${pyTypeName(k)} is not supported`);
      dict.items.set(k, kv[i + 1]!);
    }
  }

  private append(list: PyValue, items: readonly PyValue[]): void {
    if (!Array.isArray(list)) throw this.fail(`APPEND(S) on a ${pyTypeName(list)}, expected a list`);
    for (const v of items) list.push(v);
  }

  private long(n: number): number | bigint {
    const b = this.r.take(n, 'LONG1 payload');
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  run(): UnpickleResult {
    const r = this.r;
    for (let ops = 0; ; ops++) {
      if (ops >= PICKLE_LIMITS.maxOps) throw this.fail(`pickle runs more than ${PICKLE_LIMITS.maxOps} opcodes; a checkpoint needs far fewer`);
      this.opPos = r.pos;
      const op = r.u8('pickle opcode');
      switch (op) {
        case 0x80: { // PROTO
          const v = r.u8('PROTO version');
          if (v > 5) throw this.fail(`pickle protocol ${v} is not supported (at most 5)`);
          break;
        }
        case 0x95: // FRAME: a length hint only
          r.u64('FRAME length');
          break;
        case 0x2e: { // STOP
          if (this.marks.length !== 0 || this.stack.length !== 1) {
            throw this.fail(`STOP with ${this.stack.length} values and ${this.marks.length} open MARKs, expected exactly one value`);
          }
          return { value: this.stack[0]!, end: r.pos };
        }
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          break;
        case 0x63: { // GLOBAL
          const module = this.line('GLOBAL module');
          this.push(this.global(module, this.line('GLOBAL name')));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw this.fail('STACK_GLOBAL needs two strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x71: this.put(r.u8('BINPUT index')); break;
        case 0x72: this.put(r.u32('LONG_BINPUT index')); break;
        case 0x94: this.put(this.memo.size); break; // MEMOIZE
        case 0x68: this.get(r.u8('BINGET index')); break;
        case 0x6a: this.get(r.u32('LONG_BINGET index')); break;
        case 0x29: this.push(this.tuple([])); break; // EMPTY_TUPLE
        case 0x74: this.push(this.tuple(this.popMark())); break; // TUPLE
        case 0x85: this.push(this.tuple([this.pop()])); break; // TUPLE1
        case 0x86: { // TUPLE2
          const b = this.pop();
          this.push(this.tuple([this.pop(), b]));
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop();
          const b = this.pop();
          this.push(this.tuple([this.pop(), b, c]));
          break;
        }
        case 0x5d: this.push(this.list([])); break; // EMPTY_LIST
        case 0x6c: this.push(this.list(this.popMark())); break; // LIST
        case 0x61: { // APPEND
          const v = this.pop();
          this.append(this.top(), [v]);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          this.append(this.top(), items);
          break;
        }
        case 0x7d: this.push(this.dict()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const d = this.dict();
          this.setItems(d, this.popMark());
          this.push(d);
          break;
        }
        case 0x73: { // SETITEM
          const v = this.pop();
          const k = this.pop();
          this.setItems(this.top(), [k, v]);
          break;
        }
        case 0x75: { // SETITEMS
          const kv = this.popMark();
          this.setItems(this.top(), kv);
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const f = this.pop();
          if (!(f instanceof PyGlobal) || !f.reduce) throw this.fail(`REDUCE on ${pyTypeName(f)}, which is not callable here`);
          if (!(args instanceof PyTuple)) throw this.fail(`REDUCE arguments are a ${pyTypeName(args)}, expected a tuple`);
          const reduce = f.reduce;
          this.push(this.hook(() => reduce(args.items)));
          break;
        }
        case 0x62: { // BUILD: only a dict's attribute state (OrderedDict._metadata) is accepted
          const state = this.pop();
          const obj = this.top();
          if (!(obj instanceof PyDict)) throw this.fail(`BUILD on a ${pyTypeName(obj)} is not supported`);
          obj.state = state;
          break;
        }
        case 0x51: { // BINPERSID
          const pid = this.pop();
          const load = this.hooks.persistentLoad;
          if (!load) throw this.fail('BINPERSID (persistent id) is not allowed in this pickle');
          this.push(this.hook(() => load(pid)));
          break;
        }
        case 0x58: this.push(this.text(r.u32('BINUNICODE length'), 'BINUNICODE string')); break;
        case 0x8c: this.push(this.text(r.u8('SHORT_BINUNICODE length'), 'SHORT_BINUNICODE string')); break;
        case 0x54: { // BINSTRING (Python 2 str), read as UTF-8 like torch.load does
          const n = r.i32('BINSTRING length');
          if (n < 0) throw this.fail('BINSTRING with a negative length');
          this.push(this.text(n, 'BINSTRING string'));
          break;
        }
        case 0x55: this.push(this.text(r.u8('SHORT_BINSTRING length'), 'SHORT_BINSTRING string')); break;
        case 0x4a: this.push(r.i32('BININT value')); break;
        case 0x4b: this.push(r.u8('BININT1 value')); break;
        case 0x4d: this.push(r.u16('BININT2 value')); break;
        case 0x8a: this.push(this.long(r.u8('LONG1 length'))); break;
        case 0x47: this.push(r.f64be('BINFLOAT value')); break;
        case 0x4e: this.push(null); break; // NONE
        case 0x88: this.push(true); break; // NEWTRUE
        case 0x89: this.push(false); break; // NEWFALSE
        default:
          throw this.fail(`unsupported pickle opcode ${opcodeLabel(op)}`);
      }
    }
  }
}
