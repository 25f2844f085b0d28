// Images built to cost far more than their size: a PNG whose tiny image hides a huge zlib stream, a
// progressive JPEG of hundreds of scans. Also invalid PNG filter bytes and files cut inside the signature.
import { expect } from 'chai';
import { crc32, deflateSync } from 'node:zlib';
import { decodeImage, ImageDecodeError } from '../src/io/image.js';
import { concatBytes } from '../src/util/bytes.js';

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = new Uint8Array([...new TextEncoder().encode(type), ...data]);
  return new Uint8Array([...be32(data.length), ...body, ...be32(crc32(body))]);
}

/** An 8-bit grayscale PNG of the given size whose IDAT holds `zlib` as it is. */
function grayPng(width: number, height: number, zlib: Uint8Array, interlaced = false): Uint8Array {
  const ihdr = Uint8Array.of(...be32(width), ...be32(height), 8, 0, 0, 0, interlaced ? 1 : 0);
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', ihdr), chunk('IDAT', zlib), chunk('IEND', new Uint8Array(0))];
  return concatBytes(parts);
}

function decodeError(bytes: Uint8Array): string {
  try {
    decodeImage(bytes, 'h.img');
  } catch (e) {
    expect(e).to.be.instanceOf(ImageDecodeError);
    return (e as Error).message;
  }
  throw new Error('decodeImage should have thrown');
}

/**
 * A progressive JPEG of `scans` identical DC scans of one component (the first of `sampling`, a list of
 * components' HV bytes, when there is one; else the second). Its DC difference is Huffman code '0' (category
 * 0) in every block, so a scan's data is one bit per block, padded with 1 bits.
 */
function manyScanJpeg(width: number, height: number, scans: number, sampling = [0x11]): Uint8Array {
  const scanned = sampling.length === 1 ? 1 : 2;
  const maxH = Math.max(...sampling.map((hv) => hv >> 4));
  const maxV = Math.max(...sampling.map((hv) => hv & 15));
  const hv = sampling[scanned - 1]!;
  const blocks = Math.ceil(Math.ceil((width * (hv >> 4)) / maxH) / 8) * Math.ceil(Math.ceil((height * (hv & 15)) / maxV) / 8);
  const data = new Uint8Array(Math.ceil(blocks / 8));
  if (blocks % 8) data[data.length - 1] = 0xff >> (blocks % 8);
  const seg = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const components = sampling.flatMap((f, i) => [i + 1, f, 0]);
  const head = [
    0xff,
    0xd8,
    ...seg(0xdb, [0x00, ...new Array<number>(64).fill(1)]), // quantisation table 0: all ones
    ...seg(0xc2, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, sampling.length, ...components]), // progressive frame
    ...seg(0xc4, [0x00, 1, ...new Array<number>(15).fill(0), 0]), // DC table 0: one 1-bit code, category 0
  ];
  const scan = [...seg(0xda, [1, scanned, 0x00, 0, 0, 0x00]), ...data]; // DC first scan, Al = 0
  const out: number[] = [...head];
  for (let i = 0; i < scans; i++) for (const b of scan) out.push(b);
  out.push(0xff, 0xd9);
  return Uint8Array.from(out);
}

describe('io: hostile images are refused before they cost time or memory', function () {
  this.timeout(60_000);

  it('PNG: a 1x1 image whose IDAT inflates to 64 MiB is refused without inflating it all', () => {
    const bomb = grayPng(1, 1, new Uint8Array(deflateSync(new Uint8Array(64 << 20))));
    expect(bomb.length).to.be.below(100_000);
    expect(decodeError(bomb)).to.equal('h.img: PNG image data inflates to more than the 2 bytes its header needs (1x1, 8-bit grayscale)');
    // one byte too many is refused the same way; the exact amount decodes
    expect(decodeError(grayPng(1, 1, new Uint8Array(deflateSync(Uint8Array.of(0, 7, 0)))))).to.match(/inflates to more than the 2 bytes/);
    expect([...decodeImage(grayPng(1, 1, new Uint8Array(deflateSync(Uint8Array.of(0, 7)))), 'ok').data]).to.deep.equal([7, 7, 7, 255]);
  });

  it('PNG: an invalid filter type is refused (as PIL does), also in an interlace pass', () => {
    expect(decodeError(grayPng(2, 2, new Uint8Array(deflateSync(Uint8Array.of(5, 1, 2, 0, 3, 4)))))).to.equal(
      'h.img: PNG row 0 has invalid filter type 5 (0 to 4 are defined)',
    );
    const sub = decodeImage(grayPng(2, 2, new Uint8Array(deflateSync(Uint8Array.of(0, 1, 2, 1, 3, 4)))), 'ok'); // row 1: Sub filter
    expect([0, 4, 8, 12].map((q) => sub.data[q])).to.deep.equal([1, 2, 3, 7]);
  });

  it('PNG: interlaced rows are checked and placed per pass (2x2: passes 1, 6 and 7)', () => {
    const ok = decodeImage(grayPng(2, 2, new Uint8Array(deflateSync(Uint8Array.of(0, 10, 0, 20, 0, 30, 40))), true), 'i');
    expect([0, 4, 8, 12].map((q) => ok.data[q])).to.deep.equal([10, 20, 30, 40]);
    expect(decodeError(grayPng(2, 2, new Uint8Array(deflateSync(Uint8Array.of(0, 10, 0, 20, 9, 30, 40))), true))).to.equal(
      'h.img: PNG row 0 of interlace pass 7 has invalid filter type 9 (0 to 4 are defined)',
    );
    expect(decodeError(grayPng(2, 2, new Uint8Array(deflateSync(Uint8Array.of(0, 10, 0, 20, 0, 30))), true))).to.equal(
      'h.img: PNG image data is incomplete: 6 bytes, expected 7',
    );
  });

  it('JPEG: a few scans decode; more than 500 scans are refused', () => {
    expect(decodeImage(manyScanJpeg(8, 8, 5), 'ok').width).to.equal(8);
    // scans of a small component (1 block in 19): many scans, few passes over the image
    const cmyk = [0x44, 0x11, 0x11, 0x11];
    expect(decodeError(manyScanJpeg(8, 8, 501, cmyk))).to.match(/^h\.img: JPEG has more than 500 scans \(scan 501 at byte \d+\)/);
  });

  it('JPEG: scans that would decode every block more than 32 times are refused', () => {
    const file = manyScanJpeg(256, 256, 40);
    expect(decodeError(file)).to.match(/^h\.img: JPEG scans would decode its blocks 33 times over \(scan 33 at byte \d+\), more than the limit of 32/);
    expect(decodeImage(manyScanJpeg(256, 256, 32), 'ok').height).to.equal(256);
  });

  it('files cut inside the signature are called truncated, not "not a PNG or JPEG"', () => {
    expect(decodeError(Uint8Array.of(0xff, 0xd8))).to.equal('h.img: JPEG is truncated: it ends at byte 2 without an end marker');
    expect(decodeError(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).to.equal('h.img: PNG is truncated: only 4 bytes, inside the 8-byte signature');
    expect(decodeError(Uint8Array.of(0xff))).to.match(/not a PNG or JPEG/);
  });
});
