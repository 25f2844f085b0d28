// Unreadable data must end in an ImageDecodeError that names the file: never a crash, hang or garbage.
import { expect } from 'chai';
import jpegJs from 'jpeg-js';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { decodeImage, ImageDecodeError } from '../src/io/image.js';
import { encodePng } from '../src/io/png-encode.js';
import { int, rng } from './support/random.js';
import { SAMPLE } from './support/shipped-model.js';

const NAME = 'cases/bad-input.img';

function expectDecodeError(bytes: Uint8Array, pattern: RegExp, maxPixels?: number): void {
  const opts = maxPixels === undefined ? {} : { maxPixels };
  let err: unknown;
  try {
    decodeImage(bytes, NAME, opts);
  } catch (e) {
    err = e;
  }
  expect(err, 'decodeImage should have thrown').to.be.instanceOf(ImageDecodeError);
  const msg = (err as Error).message;
  expect(msg.startsWith(`${NAME}: `), msg).to.equal(true);
  expect(msg).to.match(pattern);
}

/** A PNG whose IHDR says width x height (CRCs valid), followed by the IDAT/IEND of a real 2x2 image. */
function pngDeclaring(width: number, height: number): Uint8Array {
  const real = encodePng(new Uint8Array(4), 2, 2);
  const out = real.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(out.subarray(12, 29))); // zlib's CRC, independent of the decoder's
  return out;
}

/** Offset of the SOF0 marker in a baseline JPEG. */
function sofOffset(jpeg: Uint8Array): number {
  for (let i = 2; i < jpeg.length - 1; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === 0xc0) return i;
  throw new Error('no SOF0 marker');
}

describe('io: bad image data gives a clear error naming the file', () => {
  const png = encodePng(
    Uint8Array.from({ length: 40 * 30 }, (_, i) => (i * 7) % 256),
    40,
    30,
  );
  const jpeg = new Uint8Array(readFileSync(SAMPLE)); // a Kvasir test image

  it('empty file, random bytes, and formats that are not PNG/JPEG', () => {
    expectDecodeError(new Uint8Array(0), /empty file/);
    const r = rng(1);
    expectDecodeError(
      Uint8Array.from({ length: 1000 }, () => 1 + int(r, 0, 200)),
      /not a PNG or JPEG file \(starts with/,
    );
    expectDecodeError(new TextEncoder().encode('GIF89a....'), /GIF images are not supported/);
  });

  it('truncated PNG: every cut point is refused', () => {
    for (let n = 1; n < png.length; n++) expectDecodeError(png.subarray(0, n), n < 2 ? /not a PNG or JPEG/ : /truncated/);
  });

  it('truncated JPEG: cut points all through a real Kvasir file are refused', () => {
    for (let n = 3; n < jpeg.length - 1; n += 997) expectDecodeError(jpeg.subarray(0, n), /truncated/);
    expectDecodeError(jpeg.subarray(0, jpeg.length >> 1), /JPEG is truncated: image data runs to the end of the file/);
  });

  it('a PNG chunk with a wrong CRC, a PNG without IDAT, signatures followed by garbage', () => {
    const bad = png.slice();
    bad[45]! ^= 0x55; // inside the IDAT data
    expectDecodeError(bad, /chunk IDAT at byte 33 fails its CRC check/);
    const noIdat = new Uint8Array([...png.subarray(0, 33), ...png.subarray(png.length - 12)]);
    expectDecodeError(noIdat, /no IDAT chunk/);
    const r = rng(2);
    expectDecodeError(new Uint8Array([...png.subarray(0, 8), ...Array.from({ length: 300 }, () => int(r, 0, 255))]), /PNG/);
    expectDecodeError(new Uint8Array([0xff, 0xd8, 0xff, ...Array.from({ length: 300 }, () => int(r, 0, 255))]), /JPEG/);
  });

  it('huge declared sizes are refused before anything is allocated', () => {
    expectDecodeError(pngDeclaring(100_000, 100_000), /declares 100000x100000 = 10000000000 pixels, above the limit of 40000000/);
    expectDecodeError(pngDeclaring(0x80000000, 1), /invalid size/);
    const big = jpeg.slice();
    const sof = sofOffset(big);
    big.set([0xff, 0xff, 0xff, 0xff], sof + 5); // height, width = 65535
    expectDecodeError(big, /declares 65535x65535 = 4294836225 pixels, above the limit/);
    expectDecodeError(jpeg, /above the limit of 1000 \(DecodeOptions.maxPixels\)/, 1000);
  });

  it('unsupported JPEG kinds are named: 12-bit, arithmetic coding', () => {
    const twelve = jpeg.slice();
    twelve[sofOffset(twelve) + 4] = 12;
    expectDecodeError(twelve, /12-bit samples/);
    const arith = jpeg.slice();
    arith[sofOffset(arith) + 1] = 0xc9;
    expectDecodeError(arith, /arithmetic-coded sequential JPEGs are not supported/);
  });

  it('a JPEG scan that uses a table never defined is refused by name (the fuzzer found jpeg-js failing inside)', () => {
    const small = encodeSmallJpeg();
    /** [offset, marker, length] of each segment before the first scan */
    const segments: [number, number, number][] = [];
    for (let at = 2; small[at + 1] !== 0xda; at += 2 + ((small[at + 2]! << 8) | small[at + 3]!))
      segments.push([at, small[at + 1]!, 2 + ((small[at + 2]! << 8) | small[at + 3]!)]);
    const without = (marker: number) => {
      const keep = segments.filter(([, m]) => m !== marker).map(([at, , n]) => small.subarray(at, at + n));
      const rest = small.subarray(segments.at(-1)![0] + segments.at(-1)![2]);
      return Uint8Array.from([0xff, 0xd8, ...keep.flatMap((b) => [...b]), ...rest]);
    };
    expectDecodeError(without(0xc4), /JPEG scan at byte \d+: DC Huffman table 0x00 was not defined/);
    expectDecodeError(without(0xdb), /JPEG scan at byte \d+: quantization table 0x00 of component 1 was not defined/);
    const sof = sofOffset(small);
    const wrongTable = small.slice();
    wrongTable[sof + 12] = 3; // component 1's quantization table id
    expectDecodeError(wrongTable, /quantization table 0x03 of component 1 was not defined/);
    const [dqt] = segments.find(([, m]) => m === 0xdb)!;
    const badId = small.slice();
    badId[dqt + 4] = 0x05;
    expectDecodeError(badId, new RegExp(`JPEG quantization table at byte ${dqt} has precision 0 and id 5 \\(expected 0\\.\\.1 and 0\\.\\.3\\)`));
  });

  it('random corruption of a JPEG either decodes or throws ImageDecodeError, never anything else', function () {
    this.timeout(120_000);
    const small = encodeSmallJpeg();
    const r = rng(3);
    let refused = 0;
    for (let k = 0; k < 300; k++) {
      const bad = small.slice();
      for (let j = 0; j < 1 + int(r, 0, 4); j++) bad[int(r, 2, bad.length - 1)] = int(r, 0, 255);
      try {
        const img = decodeImage(bad, NAME);
        expect(img.data.length).to.equal(img.width * img.height * 4);
      } catch (e) {
        expect(e, String(e)).to.be.instanceOf(ImageDecodeError);
        refused++;
      }
    }
    expect(refused).to.be.greaterThan(0);
  });
});

/** A small baseline JPEG (jpeg-js's encoder) of a smooth colour pattern, quick to decode hundreds of times. */
function encodeSmallJpeg(): Uint8Array {
  const w = 48;
  const h = 40;
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([(i % w) * 5, Math.floor(i / w) * 6, (i * 3) % 256, 255], 4 * i);
  return new Uint8Array(jpegJs.encode({ width: w, height: h, data }, 80).data);
}
