// Which quantization and Huffman tables a JPEG has defined so far, so a scan that uses a missing one is
// refused by name, as libjpeg refuses it ("Huffman table 0x01 was not defined"), instead of jpeg-js
// failing inside on an undefined table.
import { ImageDecodeError } from './decode-error.js';
import type { JpegComponent } from './jpeg-markers.js';

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

export class JpegTables {
  private readonly quant = new Set<number>();
  /** DC tables as 0..3, AC tables as 16..19 (class << 4 | id, as the DHT byte holds them) */
  private readonly huffman = new Set<number>();

  constructor(private readonly source: string) {}

  private fail(problem: string): never {
    throw new ImageDecodeError(this.source, problem);
  }

  /** A DQT segment (after its length field), found at byte `at`. */
  addQuant(seg: Uint8Array, at: number): void {
    for (let i = 0; i < seg.length;) {
      const pq = seg[i]! >> 4;
      const tq = seg[i]! & 15;
      if (pq > 1 || tq > 3) this.fail(`JPEG quantization table at byte ${at} has precision ${pq} and id ${tq} (expected 0..1 and 0..3)`);
      i += 1 + 64 * (pq + 1);
      if (i > seg.length) this.fail(`JPEG quantization table segment at byte ${at} is too short for its tables`);
      this.quant.add(tq);
    }
  }

  /** A DHT segment (after its length field), found at byte `at`. */
  addHuffman(seg: Uint8Array, at: number): void {
    for (let i = 0; i < seg.length;) {
      const tc = seg[i]! >> 4;
      const th = seg[i]! & 15;
      if (tc > 1 || th > 3) this.fail(`JPEG Huffman table at byte ${at} has class ${tc} and id ${th} (expected 0..1 and 0..3)`);
      if (i + 17 > seg.length) this.fail(`JPEG Huffman table segment at byte ${at} is too short for its code counts`);
      let codes = 0;
      for (let k = 1; k <= 16; k++) codes += seg[i + k]!;
      i += 17 + codes;
      if (i > seg.length) this.fail(`JPEG Huffman table segment at byte ${at} is too short for its ${codes} codes`);
      this.huffman.add(seg[i - 17 - codes]!);
    }
  }

  /** A scan header (after its length field) at byte `at`: every table its components need must exist by now. */
  checkScan(seg: Uint8Array, at: number, components: readonly JpegComponent[], progressive: boolean): void {
    const n = seg[0] ?? 0;
    const ss = seg[1 + 2 * n] ?? 0;
    const ah = (seg[3 + 2 * n] ?? 0) >> 4;
    // Progressive DC refinement scans read raw bits; first DC scans need DC tables, AC scans AC tables.
    const needsDc = !progressive || (ss === 0 && ah === 0);
    const needsAc = !progressive || ss > 0;
    for (let i = 0; i < n; i++) {
      const c = components.find((k) => k.id === seg[1 + 2 * i]);
      if (!c) continue; // ScanBudget names a component the frame lacks
      if (!this.quant.has(c.q)) this.fail(`JPEG scan at byte ${at}: quantization table ${hex(c.q)} of component ${c.id} was not defined`);
      const tables = seg[2 + 2 * i]!;
      if (needsDc && !this.huffman.has(tables >> 4)) this.fail(`JPEG scan at byte ${at}: DC Huffman table ${hex(tables >> 4)} was not defined`);
      if (needsAc && !this.huffman.has(16 | (tables & 15))) this.fail(`JPEG scan at byte ${at}: AC Huffman table ${hex(tables & 15)} was not defined`);
    }
  }
}
