// Opcode-aware pickle mutations: integer arguments set to interesting values, opcodes dropped, repeated or
// swapped, strings replaced, and hostile opcodes (globals that run code, memo, stack and object bombs) inserted.
import { concatBytes } from '../../src/util/bytes.js';
import { interesting, type Rand } from './rand.js';

interface Op {
  code: number;
  start: number;
  end: number;
}

const ARG_BYTES: Record<number, number> = { 0x80: 1, 0x95: 8, 0x4b: 1, 0x4d: 2, 0x4a: 4, 0x71: 1, 0x72: 4, 0x68: 1, 0x6a: 4, 0x47: 8 };
const COUNTED: Record<number, number> = { 0x58: 4, 0x8c: 1, 0x8a: 1, 0x8b: 4, 0x42: 4, 0x43: 1 };
const BARE = new Set([0x28, 0x74, 0x29, 0x7d, 0x5d, 0x75, 0x65, 0x52, 0x51, 0x4e, 0x88, 0x89, 0x2e, 0x73, 0x61, 0x85, 0x86, 0x87, 0x94, 0x30, 0x32, 0x62]);

/** The opcodes up to the first one this scanner does not know. */
function scan(b: Uint8Array): Op[] {
  const ops: Op[] = [];
  let at = 0;
  while (at < b.length) {
    const code = b[at]!;
    let end: number;
    if (code in ARG_BYTES) end = at + 1 + ARG_BYTES[code]!;
    else if (code in COUNTED) {
      const n = COUNTED[code]!;
      let len = 0;
      for (let i = 0; i < n; i++) len += (b[at + 1 + i] ?? 0) * 2 ** (8 * i);
      end = at + 1 + n + len;
    } else if (code === 0x63) {
      const first = b.indexOf(0x0a, at + 1);
      const second = first < 0 ? -1 : b.indexOf(0x0a, first + 1);
      if (second < 0) break;
      end = second + 1;
    } else if (BARE.has(code)) end = at + 1;
    else break;
    if (end > b.length) break;
    ops.push({ code, start: at, end });
    at = end;
  }
  return ops;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const str = (s: string) => {
  const b = utf8(s);
  return Uint8Array.of(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b);
};
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/** A list of 3 million empty dicts, lists or tuples: 3 MB of pickle, about 1 GB of objects unbounded. */
function objectBomb(op: number): Uint8Array {
  const round = new Uint8Array(500_002).fill(op);
  round[0] = 0x28; // MARK
  round[round.length - 1] = 0x65; // APPENDS
  return concatBytes([Uint8Array.of(0x5d), ...new Array<Uint8Array>(6).fill(round)]);
}

function hostile(r: Rand): Uint8Array {
  const global = (m: string, n: string) => Uint8Array.of(0x63, ...utf8(`${m}\n${n}\n`));
  return r.pick([
    concatBytes([global('os', 'system'), str('echo pwned'), Uint8Array.of(0x85, 0x52)]),
    concatBytes([global('builtins', 'eval'), str('1+1'), Uint8Array.of(0x85, 0x52)]),
    concatBytes([global('torch._utils', '_rebuild_parameter')]),
    concatBytes([global('torch', 'HalfStorage')]),
    concatBytes([global('__builtin__', 'getattr')]),
    Uint8Array.of(0x7d, 0x62), // BUILD on a dict
    Uint8Array.of(0x28, 0x69, ...utf8('os\nsystem\n')), // INST
    Uint8Array.of(0x28, 0x6f), // OBJ
    Uint8Array.of(0x29, 0x29, 0x81), // NEWOBJ
    Uint8Array.of(0x68, 200), // BINGET of a missing memo slot
    Uint8Array.of(0x6a, ...u32(0xffffffff)),
    Uint8Array.of(0x72, ...u32(0xfffffff0)), // LONG_BINPUT far away
    Uint8Array.of(0x58, ...u32(0xffffffff)), // BINUNICODE longer than the file
    Uint8Array.of(0x8b, ...u32(0x7fffffff)), // LONG4 of 2 GiB
    Uint8Array.of(0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0), // FRAME
    new Uint8Array(r.pick([1000, 100000])).fill(0x28), // MARK bomb
    objectBomb(r.pick([0x7d, 0x5d, 0x29])),
    concatBytes([Uint8Array.of(0x5d), ...Array.from({ length: 2000 }, () => Uint8Array.of(0x32))]), // DUP bomb
    Uint8Array.of(0x30), // POP
    Uint8Array.of(0x50, ...utf8('x\n')), // PERSID
    Uint8Array.of(r.int(0, 255)),
  ]);
}

const STRINGS = [
  'HalfStorage',
  'DoubleStorage',
  'LongStorage',
  'storage',
  'cpu',
  'cuda:0',
  '0',
  '1',
  '',
  'state_dict',
  'module.x',
  '_rebuild_tensor',
  'x'.repeat(70000),
];

export function mutatePickle(r: Rand, b: Uint8Array): { bytes: Uint8Array; what: string } {
  const ops = scan(b);
  if (ops.length === 0) return { bytes: concatBytes([hostile(r), b]), what: 'hostile opcodes first' };
  const op = r.pick(ops);
  const before = b.subarray(0, op.start);
  const after = b.subarray(op.end);
  const self = b.subarray(op.start, op.end);
  const hex = `0x${op.code.toString(16)} at ${op.start}`;
  switch (r.int(0, 5)) {
    case 0: {
      const ints = ops.filter((o) => [0x4b, 0x4d, 0x4a, 0x8a].includes(o.code));
      if (ints.length === 0) return { bytes: b, what: 'no ints' };
      const i = r.pick(ints);
      const v = r.chance(0.2) ? -interesting(r, 4) : interesting(r, 8);
      const w =
        v >= -(2 ** 31) && v < 2 ** 31 ? Uint8Array.of(0x4a, ...u32(v)) : Uint8Array.of(0x8a, 8, ...new Uint8Array(new BigInt64Array([BigInt(v)]).buffer));
      return { bytes: concatBytes([b.subarray(0, i.start), w, b.subarray(i.end)]), what: `int at ${i.start} = ${v}` };
    }
    case 1:
      return { bytes: concatBytes([before, after]), what: `drop ${hex}` };
    case 2:
      return { bytes: concatBytes([before, self, self, after]), what: `repeat ${hex}` };
    case 3: {
      const strings = ops.filter((o) => o.code === 0x58 || o.code === 0x8c);
      if (strings.length === 0) return { bytes: b, what: 'no strings' };
      const s = r.pick(strings);
      const v = r.pick(STRINGS);
      return { bytes: concatBytes([b.subarray(0, s.start), str(v), b.subarray(s.end)]), what: `string at ${s.start} = '${v.slice(0, 20)}'` };
    }
    case 4: {
      const next = ops[ops.indexOf(op) + 1];
      if (!next) return { bytes: b, what: 'last opcode' };
      return { bytes: concatBytes([before, b.subarray(next.start, next.end), self, b.subarray(next.end)]), what: `swap ${hex} with the next` };
    }
    default:
      return { bytes: concatBytes([before, hostile(r), self, after]), what: `hostile opcodes before ${hex}` };
  }
}
