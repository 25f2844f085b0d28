// Hostile checkpoints that ask for far more memory than their size: stride-0 views of a tiny storage, zip
// entries sharing one compressed stream, a member declaring 5 GiB. Every reader path must refuse them with
// a message naming the file and the limit, before allocating what they ask for.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSegmenter } from '../src/index.js';
import { loadWeights, weightsFromBytes } from '../src/models/load-weights.js';
import { checkExpansion, MAX_CHECKPOINT_BYTES, VIEW_ALLOWANCE_ELEMENTS } from '../src/weights/budget.js';
import { readCheckpoint, readModelCheckpoint, readPth, readSafetensors } from '../src/weights/index.js';
import { f32Bytes, legacyPth, safetensorsFile, stateDictPickle, zipArchive, type TensorSpec } from './weights-helpers.js';
import { rejection } from './support/cli.js';

/** `count` tensors, each a stride-0 view of `side` x `side` values over one 1-element storage. */
function strideZeroSpecs(count: number, side: number): TensorSpec[] {
  return Array.from({ length: count }, (_, i) => ({ key: `w${i}`, storage: '0', numel: 1, shape: [side, side], stride: [0, 0] }));
}

function strideZeroZip(count: number, side: number): Uint8Array {
  return zipArchive([
    { name: 'a/data.pkl', data: stateDictPickle(strideZeroSpecs(count, side), 'zip').bytes() },
    { name: 'a/data/0', data: f32Bytes([1]) },
  ]);
}

function strideZeroLegacy(count: number, side: number): Uint8Array {
  return legacyPth(stateDictPickle(strideZeroSpecs(count, side), 'legacy').bytes(), [{ key: '0', data: f32Bytes([1]) }]);
}

/** Points the central-directory entries `names` at the local header and data of entry `target`. */
function shareEntryData(zip: Uint8Array, target: string, names: string[]): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const central = new Map<string, number>();
  for (let p = 0; p + 46 <= out.length; p++) {
    if (view.getUint32(p, true) !== 0x02014b50) continue;
    const nameLen = view.getUint16(p + 28, true);
    central.set(new TextDecoder().decode(out.subarray(p + 46, p + 46 + nameLen)), p);
  }
  const from = central.get(target)!;
  for (const n of names) {
    const p = central.get(n)!;
    for (const field of [16, 20, 24, 42]) view.setUint32(p + field, view.getUint32(from + field, true), true); // crc, sizes, offset
  }
  return out;
}

describe('weights: memory budget for hostile checkpoints', function () {
  this.timeout(60_000);

  it('refuses stride-0 views that expand a 1-element storage, zip and legacy, naming the file, tensor and limit', () => {
    const msg =
      /^tiny\.pth: the tensors' views need 33554432 values but their storages hold only 1; views may add at most 16777216 values .*tensor 'w0' alone makes 16777216 values from storage '0' of 1/;
    expect(() => readPth(strideZeroZip(2, 4096), 'tiny.pth')).to.throw(msg);
    expect(() => readPth(strideZeroLegacy(2, 4096), 'tiny.pth')).to.throw(msg);
  });

  it('refuses the 774-byte attack (three 2^28-value views: 3 GiB) at once', () => {
    for (const file of [strideZeroZip(3, 16384), strideZeroLegacy(3, 16384)]) {
      expect(file.length).to.be.below(1000);
      const start = Date.now();
      expect(() => readCheckpoint(file, 'bomb.pth')).to.throw(/^bomb\.pth: the tensors' views need 805306368 values but their storages hold only 1/);
      expect(Date.now() - start, 'refused before materialising anything').to.be.below(2000);
    }
  });

  it('still reads an expanded tensor within the allowance (as torch saves t.expand())', () => {
    const sd = readPth(strideZeroZip(1, 64), 'ok.pth');
    expect(sd.get('w0')!.data.length).to.equal(4096);
    expect(sd.get('w0')!.data.every((v) => v === 1)).to.equal(true);
  });

  it('refuses zip entries that share their bytes (one deflated stream read as eight storages)', () => {
    const n = 1 << 20; // 4 MiB of zeros per storage, about 4 KiB deflated
    const specs: TensorSpec[] = Array.from({ length: 8 }, (_, i) => ({ key: `t${i}`, storage: String(i), numel: n, shape: [n], stride: [1] }));
    const zeros = new Uint8Array(4 * n);
    const honest = zipArchive([
      { name: 'a/data.pkl', data: stateDictPickle(specs, 'zip').bytes() },
      ...specs.map((s) => ({ name: `a/data/${s.storage}`, data: zeros, deflate: true })),
    ]);
    expect(readPth(honest, 'honest.pth').size).to.equal(8); // the same archive without sharing is fine
    const shared = shareEntryData(honest, 'a/data/0', ['a/data/1', 'a/data/2', 'a/data/3', 'a/data/4', 'a/data/5', 'a/data/6', 'a/data/7']);
    expect(() => readPth(shared, 'shared.pth')).to.throw(
      /^shared\.pth: zip entries 'a\/data\/0' \(bytes \d+\.\.\d+\) and 'a\/data\/1' \(bytes \d+\.\.\d+\) overlap/,
    );
  });

  it('names the file, the member and the limit for a member declaring 5 GiB (not "Invalid typed array length")', () => {
    const size = 5 * 2 ** 30;
    const zip = zipArchive(
      [
        { name: 'a/data.pkl', data: new Uint8Array(0), declaredSize: size, compressed: new Uint8Array(5_300_000) },
        { name: 'a/data/0', data: f32Bytes([1]) },
      ],
      { zip64: true },
    );
    expect(() => readPth(zip, 'five.pth')).to.throw(
      /^five\.pth: zip entry 'a\/data\.pkl' declares 5368709120 bytes uncompressed, more than the limit of \d+ bytes for it/,
    );
  });

  it('counts safetensors the same way, and the absolute limit applies to every format', () => {
    const st = safetensorsFile({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(readSafetensors(st, 's').get('a')!.data.length).to.equal(2);
    const big = (name: string, key: string) => ({ name, numel: 2 ** 28, storage: { key, numel: 2 ** 28, bytes: 2 ** 30 } });
    expect(() => checkExpansion([big('a', '0'), big('b', '1')], 'big.pth')).to.throw(
      `big.pth: reading this checkpoint takes 4294967296 bytes (2048.0 MiB of storages + 2048.0 MiB of float32 values), more than the limit of ${MAX_CHECKPOINT_BYTES}`,
    );
    // PraNet-19: 32.5 M float32 parameters fit with room to spare; two views of one storage are each counted
    expect(() => checkExpansion([{ name: 'w', numel: 32_500_000, storage: { key: '0', numel: 32_500_000, bytes: 130_000_000 } }], 'p')).not.to.throw();
    const tied = (name: string) => ({ name, numel: VIEW_ALLOWANCE_ELEMENTS, storage: { key: '0', numel: 1, bytes: 4 } });
    expect(() => checkExpansion([tied('a')], 't')).not.to.throw();
    expect(() => checkExpansion([tied('a'), tied('b')], 't')).to.throw(/views need 33554432 values but their storages hold only 1/);
  });

  describe('every path that reads weights refuses the hostile file', () => {
    const bomb = strideZeroZip(3, 16384);
    const msg = /bomb\.pth: the tensors' views need 805306368 values/;
    let server: Server;
    let base = '';

    before(async () => {
      server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bomb.length });
        res.end(bomb);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('readModelCheckpoint, weightsFromBytes (convert, --weights)', () => {
      expect(() => readModelCheckpoint(bomb, 'bomb.pth')).to.throw(msg);
      expect(() => weightsFromBytes(bomb, 'bomb.pth')).to.throw(msg);
    });

    it("loadWeights from bytes and from a URL (the browser's ?weights=), loadSegmenter", async () => {
      expect((await rejection(loadWeights(bomb))).message).to.match(/^weight bytes: the tensors' views need 805306368 values/);
      expect((await rejection(loadWeights(`${base}/bomb.pth`))).message).to.match(/^http:\/\/127\.0\.0\.1:\d+\/bomb\.pth: the tensors' views need 805306368/);
      expect((await rejection(loadSegmenter(bomb))).message).to.match(/^weight bytes: the tensors' views need 805306368 values/);
    });
  });
});
