// Integer fields at known places in a file (a zip size, a PNG width, a JPEG sample count): the fuzzer's
// structure-aware mutations set them to interesting values instead of flipping random bits.
import { interesting, type Rand } from './rand.js';

export interface Field {
  /** what it is, for the case's recipe */
  name: string;
  at: number;
  width: 1 | 2 | 4 | 8;
  bigEndian?: boolean;
}

export function readField(b: Uint8Array, f: Field): number {
  let v = 0;
  for (let i = 0; i < f.width; i++) v += b[f.at + (f.bigEndian ? f.width - 1 - i : i)]! * 2 ** (8 * i);
  return v;
}

export function writeField(b: Uint8Array, f: Field, value: number): void {
  let v = value;
  for (let i = 0; i < f.width; i++) {
    b[f.at + (f.bigEndian ? f.width - 1 - i : i)] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** Sets one of `fields` (all inside `b`) to an interesting value; returns what it did. */
export function mutateField(r: Rand, b: Uint8Array, fields: readonly Field[]): string {
  const usable = fields.filter((f) => f.at >= 0 && f.at + f.width <= b.length);
  if (usable.length === 0) return 'no field';
  const f = r.pick(usable);
  const old = readField(b, f);
  const value = interesting(r, f.width, old);
  writeField(b, f, value);
  return `${f.name} ${old} -> ${value}`;
}
