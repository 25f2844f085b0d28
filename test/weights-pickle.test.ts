// Hand-crafted hostile and broken .pth files: the restricted unpickler and the .pth readers must refuse
// them with an error that says what and where, and must never execute or allocate what the file asks for.
import { expect } from 'chai';
import { readPth, unpickle } from '../src/weights/index.js';
import { f32Bytes, indexOfBytes, legacyPth, PickleWriter, stateDictPickle, stateDictValue, zipArchive, type TensorSpec } from './weights-helpers.js';

const ONE: TensorSpec = { key: 'w', storage: '0', numel: 6, shape: [2, 3], stride: [3, 1] };
const SIX = f32Bytes([1, 2, 3, 4, 5, 6]);

function zipWith(pkl: Uint8Array, storages: Record<string, Uint8Array> = { '0': SIX }): Uint8Array {
  return zipArchive([
    { name: 'archive/data.pkl', data: pkl },
    ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
  ]);
}

describe('weights: hand-built .pth files', () => {
  it('reads a hand-built legacy file and the same state dict as a zip, a deflated zip and a zip64 zip', () => {
    const specs: TensorSpec[] = [ONE, { key: 'col', storage: '0', numel: 6, offset: 1, shape: [2], stride: [3] }];
    const legacy = readPth(legacyPth(stateDictPickle(specs, 'legacy').bytes(), [{ key: '0', data: SIX }]), 'l.pth');
    const pkl = stateDictPickle(specs, 'zip').bytes();
    const files = [
      zipWith(pkl),
      zipArchive([
        { name: 'a/data.pkl', data: pkl, deflate: true },
        { name: 'a/data/0', data: SIX, deflate: true },
      ]),
      zipArchive(
        [
          { name: 'a/data.pkl', data: pkl },
          { name: 'a/data/0', data: SIX },
        ],
        { zip64: true },
      ),
    ];
    for (const sd of [legacy, ...files.map((f, i) => readPth(f, `z${i}.pth`))]) {
      expect([...sd.keys()]).to.deep.equal(['w', 'col']);
      expect([...sd.get('w')!.data]).to.deep.equal([1, 2, 3, 4, 5, 6]);
      expect([...sd.get('col')!.data]).to.deep.equal([2, 5]);
    }
  });

  describe('forbidden globals', () => {
    const cases: [string, string, (w: PickleWriter) => PickleWriter][] = [
      ['os', 'system', (w) => w.global('os', 'system')],
      ['builtins', 'eval', (w) => w.global('builtins', 'eval')],
      ['os', 'system', (w) => w.shortStr('os').shortStr('system').raw(0x93)],
      ['builtins', 'eval', (w) => w.shortStr('builtins').shortStr('eval').raw(0x93)],
      ['torch.storage', '_load_from_bytes', (w) => w.global('torch.storage', '_load_from_bytes')],
      ['torch', 'Tensor', (w) => w.global('torch', 'Tensor')],
    ];
    for (const [module, name, emit] of cases) {
      const how = emit(new PickleWriter()).bytes().includes(0x93) ? 'STACK_GLOBAL' : 'GLOBAL';
      it(`refuses ${module}.${name} via ${how}, naming it and its byte offset`, () => {
        // pickle of os.system('echo pwned'), as an attacker would write it
        const w = new PickleWriter().proto(4);
        const at = how === 'GLOBAL' ? w.pos : w.pos + 2 + module.length + 2 + name.length;
        emit(w).str('echo pwned').raw(0x85).reduce().stop();
        const msg = `forbidden global '${module}.${name}' in evil.pkl at byte ${at}`;
        expect(() => unpickle(w.bytes(), 0, 'evil.pkl')).to.throw(msg);
        // the same inside a real container: as the main pickle of a legacy file and as a zip's data.pkl
        expect(() => readPth(zipWith(w.bytes()), 'evil.pth')).to.throw(`forbidden global '${module}.${name}' in evil.pth:archive/data.pkl at byte ${at}`);
        const legacy = legacyPth(w.bytes(), []);
        const start = legacy.length - w.bytes().length - 6; // the empty key list pickle after it is 6 bytes
        expect(() => readPth(legacy, 'evil.pth')).to.throw(`forbidden global '${module}.${name}' in evil.pth at byte ${start + at}`);
      });
    }

    it('refuses a storage class used as a callable', () => {
      const w = new PickleWriter().proto().global('torch', 'FloatStorage').emptyTuple().reduce().stop();
      expect(() => readPth(zipWith(w.bytes()), 'x.pth')).to.throw(/REDUCE on global torch\.FloatStorage, which is not callable/);
    });
  });

  describe('malformed pickles', () => {
    const run =
      (w: PickleWriter): (() => unknown) =>
      () =>
        unpickle(w.bytes(), 0, 'bad.pkl');

    it('names an unsupported opcode and its offset', () => {
      const w = new PickleWriter().proto().emptyTuple().emptyTuple().raw(0x81).stop(); // NEWOBJ at byte 4
      expect(run(w)).to.throw('bad.pkl at byte 4: unsupported pickle opcode NEWOBJ (0x81)');
      expect(run(new PickleWriter().raw(0xff))).to.throw('bad.pkl at byte 0: unsupported pickle opcode byte 0xff, which is no pickle opcode');
      expect(run(new PickleWriter().proto().raw(0x69))).to.throw(/INST \(0x69\)/);
    });

    it('reports reads past the end as truncated, without allocating what a length field claims', () => {
      const huge = new PickleWriter().proto().raw(0x58, 0xf0, 0xff, 0xff, 0xff, 0x41); // BINUNICODE of ~4 GiB
      expect(run(huge)).to.throw('bad.pkl: truncated at byte 7: BINUNICODE string needs 4294967280 bytes, only 1 left');
      expect(run(new PickleWriter().proto().raw(0x4a, 1, 2))).to.throw(/truncated at byte 3: BININT value/);
      expect(run(new PickleWriter().proto().str('no stop'))).to.throw(/truncated at byte \d+: pickle opcode/);
      expect(run(new PickleWriter().proto().raw(0x63, ...new TextEncoder().encode('os\nsys')))).to.throw(/truncated/);
    });

    it('rejects stack and memo misuse', () => {
      expect(run(new PickleWriter().proto().reduce())).to.throw(/stack underflow/);
      expect(run(new PickleWriter().proto().raw(0x68, 5).stop())).to.throw(/memo entry 5 read before it was written/);
      expect(run(new PickleWriter().proto().int(1).int(2).stop())).to.throw(/STOP with 2 values/);
      expect(run(new PickleWriter().proto().tuple())).to.throw(/needs a MARK/);
      expect(run(new PickleWriter().proto().int(1).emptyTuple().raw(0x62).stop())).to.throw('bad.pkl at byte 5: BUILD on a int is not supported');
      expect(run(new PickleWriter().proto().raw(0x5d, 0x5d, 0x5d, 0x73))).to.throw(/SETITEM\(S\) on a list/);
      expect(run(new PickleWriter().proto().raw(0x80, 9))).to.throw(/protocol 9/);
    });

    it('bounds a global name that never ends', () => {
      const w = new PickleWriter().proto().raw(0x63, ...new Array<number>(300).fill(0x61), 0x0a, 0x61, 0x0a);
      expect(run(w)).to.throw(/GLOBAL module longer than 256 bytes/);
    });

    it('refuses a persistent id outside a torch checkpoint pickle', () => {
      expect(run(new PickleWriter().proto().none().binpersid().stop())).to.throw(/BINPERSID .* not allowed/);
    });

    it('survives a self-referencing list (a cycle) with a clear error', () => {
      // l = []; l.append(l): EMPTY_LIST BINPUT 0 BINGET 0 APPEND STOP
      const w = new PickleWriter().proto().raw(0x5d, 0x71, 0, 0x68, 0, 0x61).stop();
      expect(() => readPth(zipWith(w.bytes()), 'cycle.pth')).to.throw('cycle.pth: the top-level object is a list, expected a dict of tensors');
    });
  });

  describe('storages and views', () => {
    it('rejects a legacy storage whose element count does not match the pickle', () => {
      const file = legacyPth(stateDictPickle([ONE], 'legacy').bytes(), [{ key: '0', data: SIX, count: 5 }]);
      expect(() => readPth(file, 'bad.pth')).to.throw(/bad\.pth: storage '0' at byte \d+ holds 5 elements, but the pickle declares 6/);
    });

    it('rejects a zip storage whose byte count does not match numel', () => {
      const file = zipWith(stateDictPickle([ONE], 'zip').bytes(), { '0': SIX.subarray(0, 20) });
      expect(() => readPth(file, 'bad.pth')).to.throw("bad.pth: zip entry 'archive/data/0' holds 20 bytes, but storage '0' is 6 f32 elements = 24 bytes");
    });

    it('rejects a view whose offset and strides reach outside its storage', () => {
      const views: TensorSpec[] = [
        { ...ONE, offset: 1 },
        { ...ONE, shape: [3, 2], stride: [1, 3] }, // reaches element 2 + 3 = 5: fine
        { ...ONE, shape: [3, 3], stride: [1, 3] }, // reaches element 2 + 6 = 8
      ];
      const read =
        (v: TensorSpec): (() => unknown) =>
        () =>
          readPth(legacyPth(stateDictPickle([v], 'legacy').bytes(), [{ key: '0', data: SIX }]), 'v.pth');
      expect(read(views[0]!)).to.throw("v.pth: tensor 'w' (shape [2, 3], stride [3, 1], offset 1) reaches element 6 of storage '0', which holds 6 elements");
      expect([...(read(views[1]!)() as Map<string, { data: Float32Array }>).get('w')!.data]).to.deep.equal([1, 4, 2, 5, 3, 6]);
      expect(read(views[2]!)).to.throw(/reaches element 8 of storage '0', which holds 6 elements/);
    });

    it('refuses a shape whose element count is absurd before allocating anything', () => {
      const v: TensorSpec = { ...ONE, shape: [100000, 100000], stride: [0, 0] };
      const file = legacyPth(stateDictPickle([v], 'legacy').bytes(), [{ key: '0', data: SIX }]);
      expect(() => readPth(file, 'big.pth')).to.throw(/shape \[100000, 100000\] has more than 268435456 elements/);
    });

    it('rejects storages that are listed but unused, missing, or followed by junk', () => {
      const main = stateDictPickle([ONE], 'legacy').bytes();
      expect(() => readPth(legacyPth(main, []), 'm.pth')).to.throw("m.pth: storage '0' is missing from the storage key list");
      expect(() =>
        readPth(
          legacyPth(main, [
            { key: '0', data: SIX },
            { key: '9', data: SIX },
          ]),
          'm.pth',
        ),
      ).to.throw("storage key list names '9', which no tensor uses");
      const junk = new Uint8Array([...legacyPth(main, [{ key: '0', data: SIX }]), 1, 2, 3]);
      expect(() => readPth(junk, 'm.pth')).to.throw(/3 unexpected bytes after the last storage/);
      expect(() => readPth(zipWith(stateDictPickle([ONE], 'zip').bytes(), {}), 'z.pth')).to.throw("z.pth: storage '0' has no zip entry 'archive/data/0'");
    });

    it('rejects a storage referenced with two different dtypes', () => {
      const specs: TensorSpec[] = [ONE, { ...ONE, key: 'h', cls: 'HalfStorage' }];
      const file = zipWith(stateDictPickle(specs, 'zip').bytes());
      expect(() => readPth(file, 'd.pth')).to.throw(/storage '0' is referenced as f32\[6\] and as f16\[6\]/);
    });
  });

  describe('containers', () => {
    it('rejects a wrong legacy magic number', () => {
      const file = legacyPth(stateDictPickle([ONE], 'legacy').bytes(), [{ key: '0', data: SIX }]);
      file[13]! ^= 0xff; // last byte of the magic number
      expect(() => readPth(file, 'm.pth')).to.throw(/m\.pth: not a torch \.pth file: found bytes 80 02 8a 0a/);
      expect(() => readPth(new TextEncoder().encode('<!DOCTYPE html>'), 'page.pth')).to.throw(
        /page\.pth: not a torch \.pth file: found bytes 3c 21 44 4f .*"<!DOCTYPE html>"/,
      );
    });

    it('reports every truncation of a legacy file as truncated', () => {
      const file = legacyPth(stateDictPickle([ONE], 'legacy').bytes(), [{ key: '0', data: SIX }]);
      expect(readPth(file, 'ok.pth').size).to.equal(1);
      for (let n = 0; n < file.length; n++) {
        expect(() => readPth(file.subarray(0, n), 'cut.pth'), `cut to ${n} bytes`).to.throw(/^cut\.pth: truncated/);
      }
    });

    it('reports a cut-off or corrupted zip clearly', () => {
      const file = zipWith(stateDictPickle([ONE], 'zip').bytes());
      expect(() => readPth(file.subarray(0, file.length - 1), 'cut.pth')).to.throw(
        'cut.pth: no zip end-of-central-directory record: the file is truncated or not a zip archive',
      );
      const flipped = file.slice();
      flipped[indexOfBytes(flipped, SIX) + 5]! ^= 1;
      expect(() => readPth(flipped, 'crc.pth')).to.throw(/crc\.pth: zip entry 'archive\/data\/0' fails its CRC check/);
    });

    it('stops inflating at the declared size (zip bomb) and rejects unknown compression', () => {
      const pkl = stateDictPickle([ONE], 'zip').bytes();
      const bomb = zipArchive([{ name: 'a/data.pkl', data: new Uint8Array(1 << 20), deflate: true, declaredSize: 1000 }]);
      expect(() => readPth(bomb, 'bomb.pth')).to.throw(/inflates to more than the declared 1000 bytes/);
      const short = zipArchive([{ name: 'a/data.pkl', data: pkl, deflate: true, declaredSize: pkl.length + 1 }]);
      expect(() => readPth(short, 'short.pth')).to.throw(/inflates to \d+ bytes, the zip directory declares/);
      const method = zipArchive([{ name: 'a/data.pkl', data: pkl }]);
      method[8] = 12; // local header method: bzip2 (the central directory copy is patched below)
      const cd = method.length - 22 - 46 - 'a/data.pkl'.length;
      method[cd + 10] = 12;
      expect(() => readPth(method, 'bz.pth')).to.throw(/uses compression method 12/);
    });

    it('needs exactly one <folder>/data.pkl in a zip', () => {
      expect(() => readPth(zipArchive([{ name: 'x/other', data: SIX }]), 'e.pth')).to.throw(/exactly one <folder>\/data\.pkl, found 0 \(entries: x\/other\)/);
    });

    it('finds the state dict inside a wrapper and ignores non-tensor entries', () => {
      const w = new PickleWriter().proto().emptyDict().mark().str('epoch').int(3).str('state_dict');
      stateDictValue(w, [ONE], 'zip').str('name').str('PraNet').setitems().stop();
      expect([...readPth(zipWith(w.bytes()), 'w.pth').keys()]).to.deep.equal(['w']);
      const none = new PickleWriter().proto().emptyDict().mark().str('epoch').int(3).setitems().stop();
      expect(() => readPth(zipWith(none.bytes()), 'n.pth')).to.throw('n.pth: no tensors in the top-level object (keys: "epoch")');
    });
  });
});
