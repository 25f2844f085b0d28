// The engine's own weight file: exact round trips, strict validation, and the streaming loaders.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  decodeWeightFile,
  encodeWeightFile,
  floatToHalfBits,
  halfBitsToFloat,
  loadWeightFile,
  readCheckpoint,
  WEIGHT_FILE_MAGIC,
} from '../src/weights/index.js';

function randomTensor(shape: number[], seed: number, scale = 1): { shape: number[]; data: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return { shape, data };
}

function sampleTensors(): Map<string, { shape: number[]; data: Float32Array }> {
  return new Map([
    ['conv.weight', randomTensor([8, 3, 3, 3], 1)],
    ['bias', randomTensor([7], 2, 1000)],
    ['scalar', { shape: [], data: Float32Array.of(-0.5) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
    ['tiny', { shape: [1, 2], data: Float32Array.of(1e-7, -0) }],
  ]);
}

const META = { model: 'pranet', config: { channel: 32, size: 352 }, note: 'ünïcode' };

/** A file's JSON header as these tests read and corrupt it. */
interface RawHeader {
  meta?: unknown;
  dataBytes: number;
  tensors: { name: string; dtype: string; shape: number[]; offset: number; nbytes: number }[];
}

/** The header and data start of an encoded file, parsed independently of the decoder. */
function layout(file: Uint8Array): { header: RawHeader; dataStart: number } {
  const view = new DataView(file.buffer, file.byteOffset);
  const len = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(file.subarray(16, 16 + len))) as RawHeader;
  return { header, dataStart: Math.ceil((16 + len) / 64) * 64 };
}

/** Re-lays out a file with an edited header (data section unchanged). */
function withHeader(file: Uint8Array, edit: (h: RawHeader) => void): Uint8Array {
  const { header, dataStart } = layout(file);
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((16 + json.length) / 64) * 64;
  const out = new Uint8Array(start + file.length - dataStart);
  out.set(file.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(file.subarray(dataStart), start);
  return out;
}

describe('weights: engine weight file', () => {
  it('round-trips float32 exactly, with 64-byte aligned tensors and the meta object', () => {
    const tensors = sampleTensors();
    const file = encodeWeightFile(tensors, { dtype: 'f32', meta: META });
    expect([...file.subarray(0, 8)]).to.deep.equal([...WEIGHT_FILE_MAGIC]);
    const { header, dataStart } = layout(file);
    expect(dataStart % 64).to.equal(0);
    expect(file.length).to.equal(dataStart + header.dataBytes);
    for (const t of header.tensors) expect(t.offset % 64, t.name).to.equal(0);
    const decoded = decodeWeightFile(file, 'w.bin');
    expect(decoded.meta).to.deep.equal(META);
    expect([...decoded.tensors.keys()]).to.deep.equal([...tensors.keys()]);
    for (const [name, t] of tensors) {
      const d = decoded.tensors.get(name)!;
      expect(d.dtype).to.equal('f32');
      expect(d.shape).to.deep.equal(t.shape);
      expect(d.data.length).to.equal(t.data.length);
      t.data.forEach((v, i) => expect(Object.is(d.data[i], v), `${name}[${i}]`).to.equal(true));
    }
  });

  it('round-trips float16: every value comes back as the nearest half', () => {
    const tensors = sampleTensors();
    const file = encodeWeightFile(tensors, { dtype: 'f16', meta: {} });
    const decoded = decodeWeightFile(file, 'w16.bin');
    for (const [name, t] of tensors) {
      const d = decoded.tensors.get(name)!;
      expect(d.dtype).to.equal('f16');
      t.data.forEach((v, i) => expect(Object.is(d.data[i], halfBitsToFloat(floatToHalfBits(v))), `${name}[${i}]`).to.equal(true));
    }
    // re-encoding decoded halves is lossless, byte for byte
    expect(encodeWeightFile(decoded.tensors, { dtype: 'f16', meta: {} })).to.deep.equal(file);
    expect(decoded.tensors.get('tiny')!.data[0]).to.equal(halfBitsToFloat(0x0002)); // 1e-7 is subnormal in half
  });

  it('refuses to encode values that overflow float16 or are not finite, naming the tensor', () => {
    const big = new Map([['layer.w', { shape: [3], data: Float32Array.of(1, 65519, 65520) }]]);
    expect(() => encodeWeightFile(big, { dtype: 'f16', meta: {} })).to.throw("encodeWeightFile: tensor 'layer.w' value 65520 at element 2 overflows float16");
    expect(encodeWeightFile(big, { dtype: 'f32', meta: {} }).length).to.be.greaterThan(0);
    const nan = new Map([['n', { shape: [2, 2], data: Float32Array.of(0, 1, NaN, Infinity) }]]);
    expect(() => encodeWeightFile(nan, { dtype: 'f32', meta: {} })).to.throw(
      "encodeWeightFile: tensor 'n' has 2 non-finite value(s); the first is NaN at element 2",
    );
    const wrong = new Map([['s', { shape: [2, 2], data: new Float32Array(3) }]]);
    expect(() => encodeWeightFile(wrong, { dtype: 'f32', meta: {} })).to.throw("tensor 's' has 3 values, shape [2, 2] needs 4");
  });

  it('rejects a wrong magic, an unknown version and a checkpoint reader mix-up', () => {
    const file = encodeWeightFile(sampleTensors(), { dtype: 'f32', meta: {} });
    const magic = file.slice();
    magic[1] = 0x51;
    expect(() => decodeWeightFile(magic, 'm.bin')).to.throw('m.bin: not a pranet-wgsl weight file (wrong magic bytes)');
    const version = file.slice();
    version[8] = 2;
    expect(() => decodeWeightFile(version, 'v.bin')).to.throw('v.bin: weight file version 2, this reader supports 1');
    expect(() => readCheckpoint(file, 'w.bin')).to.throw(/already an engine weight file \(\.pnw\), not a PyTorch checkpoint/);
  });

  it('reports every truncation as truncated, and trailing bytes as an error', () => {
    const file = encodeWeightFile(sampleTensors(), { dtype: 'f16', meta: META });
    for (let n = 8; n < file.length; n++) {
      expect(() => decodeWeightFile(file.subarray(0, n), 'cut.bin'), `cut to ${n}`).to.throw(/cut\.bin: .*truncated/);
    }
    expect(() => decodeWeightFile(new Uint8Array([...file, 0]), 'long.bin')).to.throw(/the file has trailing bytes/);
  });

  it('rejects a NaN stored in the file, naming the tensor', () => {
    const file = encodeWeightFile(sampleTensors(), { dtype: 'f32', meta: {} });
    const { header, dataStart } = layout(file);
    const bias = header.tensors.find((t) => t.name === 'bias')!;
    new DataView(file.buffer).setFloat32(dataStart + bias.offset + 8, NaN, true);
    expect(() => decodeWeightFile(file, 'nan.bin')).to.throw("nan.bin: tensor 'bias' has 1 non-finite value(s); the first is NaN at element 2");
    const f16 = encodeWeightFile(sampleTensors(), { dtype: 'f16', meta: {} });
    const h = layout(f16);
    const w = h.header.tensors.find((t) => t.name === 'conv.weight')!;
    new DataView(f16.buffer).setUint16(h.dataStart + w.offset, 0x7c00, true); // +inf
    expect(() => decodeWeightFile(f16, 'inf.bin')).to.throw("inf.bin: tensor 'conv.weight' has 1 non-finite value(s); the first is Infinity at element 0");
  });

  it('validates the header: offsets, sizes, dtypes, names', () => {
    const file = encodeWeightFile(sampleTensors(), { dtype: 'f32', meta: {} });
    const bad =
      (edit: (h: RawHeader) => void): (() => unknown) =>
      () =>
        decodeWeightFile(withHeader(file, edit), 'h.bin');
    expect(bad(() => undefined)).not.to.throw();
    expect(bad((h) => (h.tensors[1]!.offset += 4))).to.throw("h.bin: tensor 'bias': offset 900 must be a multiple of 64 after the previous tensor's end (864)");
    expect(bad((h) => (h.tensors[1]!.offset = 0))).to.throw(/tensor 'bias': offset 0 must be a multiple of 64 after the previous tensor's end \(864\)/);
    expect(bad((h) => (h.tensors[1]!.nbytes = 32))).to.throw("h.bin: tensor 'bias': 32 bytes, but shape [7] of f32 needs 28");
    // found by the fuzzer: 'offset undefined must be a multiple of 64'
    expect(bad((h) => delete (h.tensors[1] as { offset?: number }).offset)).to.throw("h.bin: tensor 'bias': offset must be an integer, got none");
    expect(bad((h) => ((h.tensors[1] as { nbytes: unknown }).nbytes = '28'))).to.throw('h.bin: tensor \'bias\': nbytes must be an integer, got "28"');
    expect(bad((h) => (h.tensors[4]!.offset = h.dataBytes))).to.throw(/tensor 'tiny': bytes \d+\.\.\d+ lie outside the \d+-byte data section/);
    expect(bad((h) => (h.tensors[0]!.dtype = 'f64'))).to.throw(`tensor 'conv.weight': dtype "f64"; expected f32 or f16`);
    expect(bad((h) => delete (h.tensors[0] as { dtype?: string }).dtype)).to.throw("tensor 'conv.weight': has no dtype; expected f32 or f16"); // fuzzer: 'dtype undefined'
    expect(bad((h) => (h.tensors[1]!.name = 'conv.weight'))).to.throw("tensor 'conv.weight' appears twice");
    expect(bad((h) => (h.tensors[0]!.shape = [8, 3, 3]))).to.throw("tensor 'conv.weight': 864 bytes, but shape [8, 3, 3] of f32 needs 288");
    expect(bad((h) => delete h.meta)).to.throw('h.bin: weight file header must be {meta: object, dataBytes: integer, tensors: list}');
    const junk = file.slice();
    junk[16] = 0x7e;
    expect(() => decodeWeightFile(junk, 'j.bin')).to.throw(/j\.bin: weight file header is not valid UTF-8 JSON/);
  });

  describe('loadWeightFile', () => {
    let dir = '';
    let file: Uint8Array = new Uint8Array(0);
    let path = '';
    let server: Server | undefined;
    let base = '';

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pranet-weights-'));
      // about 10 MB, so the Node reader needs several 4 MiB chunks
      file = encodeWeightFile(
        new Map([
          ['big', randomTensor([2500, 1000], 9)],
          ['small', randomTensor([3], 4)],
        ]),
        { dtype: 'f32', meta: { a: 1 } },
      );
      path = join(dir, 'weights.bin');
      writeFileSync(path, file);
      server = createServer((req, res) => {
        if (req.url === '/weights.bin') {
          res.writeHead(200, { 'content-length': String(file.length) });
          res.end(file);
        } else if (req.url === '/chunked.bin') {
          res.writeHead(200); // no Content-Length: chunked transfer
          res.write(file.subarray(0, 1 << 20));
          res.end(file.subarray(1 << 20));
        } else if (req.url === '/cut.bin') {
          res.writeHead(200, { 'content-length': String(file.length) });
          res.write(file.subarray(0, 1000), () => res.destroy());
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(async () => {
      await new Promise((resolve) => server?.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    function recorder(): { calls: [number, number | undefined][]; cb: (l: number, t: number | undefined) => void } {
      const calls: [number, number | undefined][] = [];
      return { calls, cb: (l, t) => calls.push([l, t]) };
    }

    function expectMonotonic(calls: [number, number | undefined][], total: number): void {
      expect(calls.length).to.be.greaterThan(1);
      for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).to.be.at.least(calls[i - 1]![0]);
      expect(calls.at(-1)).to.deep.equal([total, total]);
    }

    it('streams a file path with monotonic progress ending at the total', async () => {
      const { calls, cb } = recorder();
      const loaded = await loadWeightFile(path, cb);
      expectMonotonic(calls, file.length);
      calls.forEach(([, t]) => expect(t).to.equal(file.length));
      expect(loaded).to.deep.equal(decodeWeightFile(file, 'x'));
      const viaUrl = await loadWeightFile(pathToFileURL(path));
      expect(viaUrl.tensors.get('small')!.data).to.deep.equal(loaded.tensors.get('small')!.data);
    });

    it('streams over http with progress from Content-Length', async () => {
      const { calls, cb } = recorder();
      const loaded = await loadWeightFile(`${base}/weights.bin`, cb);
      expectMonotonic(calls, file.length);
      calls.forEach(([, t]) => expect(t).to.equal(file.length));
      expect(loaded.meta).to.deep.equal({ a: 1 });
    });

    it('reports an unknown total without Content-Length, then the final size', async () => {
      const { calls, cb } = recorder();
      await loadWeightFile(new URL(`${base}/chunked.bin`), cb);
      expectMonotonic(calls, file.length);
      expect(calls[0]![1]).to.equal(undefined);
    });

    it('fails on an HTTP error, a cut-off download and a missing file', async () => {
      const fails = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
        const err = await p.then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err, String(re)).to.be.instanceOf(Error);
        expect(err!.message).to.match(re);
      };
      await fails(loadWeightFile(`${base}/missing.bin`), /missing\.bin: HTTP 404/);
      await fails(loadWeightFile(`${base}/cut.bin`), /cut\.bin: download failed after 1000 of \d+ bytes/);
      await fails(loadWeightFile(join(dir, 'nope.bin')), /nope\.bin: no such file/);
    });

    it('accepts bytes already in memory', async () => {
      const { calls, cb } = recorder();
      const loaded = await loadWeightFile(file.buffer.slice(0) as ArrayBuffer, cb);
      expect(calls).to.deep.equal([[file.length, file.length]]);
      expect(loaded.tensors.size).to.equal(2);
    });
  });
});
