// Format-blind mutations: bit flips, special bytes, cut, inserted, deleted and repeated ranges, splices.
import { concatBytes } from '../../src/util/bytes.js';
import { interesting, type Rand } from './rand.js';

/** One random byte-level change of `b` (a new array when the length changes); `other` is a splice partner. */
export function mutateBytes(r: Rand, b: Uint8Array, other: Uint8Array): { bytes: Uint8Array; what: string } {
  if (b.length === 0) return { bytes: Uint8Array.of(r.int(0, 255)), what: 'one byte' };
  const at = r.int(0, b.length - 1);
  const len = Math.min(b.length - at, r.pick([1, 2, 4, 8, 16, 64, 512]));
  const op = r.int(0, 8);
  const out = b.slice();
  switch (op) {
    case 0:
      out[at]! ^= 1 << r.int(0, 7);
      return { bytes: out, what: `flip a bit at ${at}` };
    case 1:
      out[at] = r.pick([0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x2e, 0x28]);
      return { bytes: out, what: `set byte ${at}` };
    case 2: {
      if (out.length < 4) return { bytes: b.slice(0, at), what: `cut at ${at}` };
      const pos = Math.min(at, out.length - 4);
      const v = interesting(r, 4);
      new DataView(out.buffer).setUint32(pos, v, r.chance(0.5));
      return { bytes: out, what: `u32 ${v} at ${pos}` };
    }
    case 3:
      return { bytes: b.slice(0, at), what: `cut at ${at}` };
    case 4:
      return { bytes: concatBytes([b.subarray(0, at), b.subarray(at + len)]), what: `delete ${len} at ${at}` };
    case 5: {
      const junk = Uint8Array.from({ length: len }, () => r.int(0, 255));
      return { bytes: concatBytes([b.subarray(0, at), junk, b.subarray(at)]), what: `insert ${len} at ${at}` };
    }
    case 6: {
      const times = r.pick([2, 3, 16]);
      const piece = b.subarray(at, at + len);
      return {
        bytes: concatBytes([b.subarray(0, at), ...Array.from({ length: times }, () => piece), b.subarray(at + len)]),
        what: `repeat ${len} x${times} at ${at}`,
      };
    }
    case 7: {
      const from = r.int(0, Math.max(0, other.length - 1));
      return { bytes: concatBytes([b.subarray(0, at), other.subarray(from, from + r.int(1, 4096))]), what: `splice at ${at}` };
    }
    default:
      for (let i = at; i < at + len; i++) out[i] = r.int(0, 255);
      return { bytes: out, what: `randomise ${len} at ${at}` };
  }
}
