// Format sniffing, cleaning a state dict for the model, and the finiteness check shared with the converter.
import { expect } from 'chai';
import { assertFinite, cleanStateDict, DEFAULT_IGNORED_KEYS, readCheckpoint, sniffCheckpoint, type HostTensor, type StateDict } from '../src/weights/index.js';
import { f32Bytes, legacyPth, safetensorsFile, stateDictPickle, zipArchive } from './weights-helpers.js';

const t = (v: number): HostTensor => ({ shape: [1], dtype: 'f32', data: Float32Array.of(v) });

describe('weights: checkpoint sniffing and cleaning', () => {
  it('tells the formats apart by their first bytes', () => {
    const spec = [{ key: 'w', storage: '0', numel: 1, shape: [1], stride: [1] }];
    const legacy = legacyPth(stateDictPickle(spec, 'legacy').bytes(), [{ key: '0', data: f32Bytes([2]) }]);
    const zip = zipArchive([
      { name: 'a/data.pkl', data: stateDictPickle(spec, 'zip').bytes() },
      { name: 'a/data/0', data: f32Bytes([3]) },
    ]);
    const st = safetensorsFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32Bytes([4]));
    expect([legacy, zip, st].map(sniffCheckpoint)).to.deep.equal(['pth-legacy', 'pth-zip', 'safetensors']);
    expect([legacy, zip, st].map((b) => readCheckpoint(b, 'c').get('w')!.data[0])).to.deep.equal([2, 3, 4]);
  });

  it('names the file and what it found for an unknown format', () => {
    const html = new TextEncoder().encode('<html><body>Not Found</body></html>');
    expect(sniffCheckpoint(html)).to.equal(undefined);
    expect(() => readCheckpoint(html, 'PraNet-19.pth')).to.throw(
      'PraNet-19.pth: unknown checkpoint format: found bytes 3c 68 74 6d 6c 3e 3c 62 6f 64 79 3e 4e 6f 74 20 ("<html><body>Not ")',
    );
    expect(() => readCheckpoint(new Uint8Array(0), 'empty.pth')).to.throw('empty.pth: unknown checkpoint format: found an empty file');
    expect(() => readCheckpoint(Uint8Array.of(0x80, 0x02, 0x4b, 0x01, 0x2e), 'p.pkl')).to.throw(/a pickle, but without torch's magic number/);
  });

  it('cleanStateDict drops ignored keys and the module. prefix, keeping order and tensors', () => {
    const sd: StateDict = new Map([
      ['module.resnet.conv1.0.weight', t(1)],
      ['module.resnet.bn1.num_batches_tracked', t(2)],
      ['module.resnet.fc.weight', t(3)],
      ['module.ra2_conv1.bn.num_batches_tracked', t(4)],
      ['module.ra2_conv1.bn.running_var', t(5)],
      ['resnet_fc_like', t(6)],
    ]);
    const clean = cleanStateDict(sd);
    expect([...clean.keys()]).to.deep.equal(['resnet.conv1.0.weight', 'ra2_conv1.bn.running_var', 'resnet_fc_like']);
    expect(clean.get('ra2_conv1.bn.running_var')).to.equal(sd.get('module.ra2_conv1.bn.running_var'));
    expect(sd.size).to.equal(6); // the input is left alone
    expect([...cleanStateDict(sd, [/running_var$/]).keys()]).to.have.length(5);
    expect(DEFAULT_IGNORED_KEYS.some((re) => re.test('num_batches_tracked'))).to.equal(true);
  });

  it('cleanStateDict refuses a key that exists with and without the prefix', () => {
    const sd: StateDict = new Map([
      ['a.weight', t(1)],
      ['module.a.weight', t(2)],
    ]);
    expect(() => cleanStateDict(sd)).to.throw("state dict has both 'a.weight' and 'module.a.weight'");
  });

  it('assertFinite names the tensor, the first bad element and how many there are', () => {
    expect(() => assertFinite('x', Float32Array.of(0, -1e38, 3.4e38), 'f')).not.to.throw();
    expect(() => assertFinite('rfb2_1.conv_res.conv.weight', Float32Array.of(1, -Infinity, NaN, 2), 'PraNet-19.pth')).to.throw(
      "PraNet-19.pth: tensor 'rfb2_1.conv_res.conv.weight' has 2 non-finite value(s); the first is -Infinity at element 1",
    );
  });
});
