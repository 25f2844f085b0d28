// What the model builder takes from a checkpoint's keys and shapes is bounded: block and split indices,
// widths and kernel sizes past any PraNet are refused by key; stand-ins for missing tensors are not
// allocated per key; and a converted value that cannot be stored names the input file and the cause.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../src/models/convert.js';
import { buildPraNet } from '../src/models/pranet-graph.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { WeightReader } from '../src/models/weight-reader.js';
import { microStateDict } from './fuzz/checkpoint-model.js';
import { readInChild } from './support/read-child.js';
import { safetensorsOf } from './support/safetensors-of.js';

type Sd = Map<string, { shape: number[]; data: Float32Array }>;
const empty = (shape: number[]) => ({ shape, data: new Float32Array(0) });
const build = (sd: Sd, source: string) => buildPraNet(weightsFromBytes(safetensorsOf(sd), source).weights, { source, size: 32 });

/** The review's gen_wide2.py: zero-size tensors [n, 0, k, k] at every key the configuration is read from. */
function zeroSizeWide(n: number, k = 3): Sd {
  const sd: Sd = new Map([
    ['resnet.conv1.0.weight', empty([n, 0, 3, 3])],
    ['resnet.conv1.6.weight', empty([n, 0, 3, 3])],
  ]);
  for (let l = 1; l <= 4; l++) {
    sd.set(`resnet.layer${l}.0.convs.0.weight`, empty([n, 0, 3, 3]));
    sd.set(`resnet.layer${l}.0.conv3.weight`, empty([n, 0, 1, 1]));
  }
  for (const [key, kk] of [
    ['rfb2_1.branch0.0.conv', 1],
    ['ra4_conv1.conv', 1],
    ['ra4_conv2.conv', k],
    ['ra3_conv1.conv', 1],
    ['ra2_conv1.conv', 1],
  ] as const) {
    sd.set(`${key}.weight`, empty([n, 0, kk, kk]));
  }
  return sd;
}

describe('weights: bounds on what the model builder infers from a checkpoint', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'pranet-model-limits-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a block or split index past 63 at once, naming the key', () => {
    const one = (key: string): Sd => new Map([[key, empty([0])]]);
    expect(() => convertCheckpoint(safetensorsOf(one('resnet.layer1.99999.conv1.weight')), { source: 'h.safetensors' })).to.throw(
      "h.safetensors: key 'resnet.layer1.99999.conv1.weight' has block index 99999, above 63, the largest a PraNet stage may have (is the file corrupt?)",
    );
    expect(() => build(one('resnet.layer3.1.convs.63.weight'), 's.safetensors')).to.throw(
      "s.safetensors: key 'resnet.layer3.1.convs.63.weight' has split conv index 63, above 62, the largest a PraNet stage may have",
    );
    // index 63 is still a depth (the file then fails for what it lacks)
    expect(() => build(one('resnet.layer1.63.conv1.weight'), 'd.safetensors')).to.throw(/^d\.safetensors: cannot tell the PraNet configuration/);
  });

  it('refuses a 98-byte file with block index 9999999999 quickly (one like it hung `pranet convert`)', () => {
    const file = join(dir, 'hang.safetensors');
    const bytes = safetensorsOf(new Map([['resnet.layer1.9999999999.conv1.weight', empty([0])]]));
    expect(bytes.length).to.be.below(120);
    writeFileSync(file, bytes);
    const got = readInChild('convert', file, { timeoutMs: 20_000 });
    expect(got.died, 'the converter did not finish').to.equal(undefined);
    expect(got.error).to.equal(
      `${file}: key 'resnet.layer1.9999999999.conv1.weight' has block index 9999999999, above 63, the largest a PraNet stage may have (is the file corrupt?)`,
    );
  });

  it('refuses a width over 8192 or a kernel over 15, naming the tensor (zero-size tensors gave "Invalid typed array length")', () => {
    expect(() => build(zeroSizeWide(12000), 'w.safetensors')).to.throw(
      "w.safetensors: tensor 'resnet.conv1.0.weight' has shape [12000, 0, 3, 3], which makes the stem width 12000; at most 8192 is plausible for PraNet",
    );
    const sd = microStateDict(false);
    sd.set('ra4_conv2.conv.weight', { shape: [2, 2, 17, 17], data: new Float32Array(2 * 2 * 17 * 17) });
    expect(() => build(sd, 'k.safetensors')).to.throw(
      "k.safetensors: tensor 'ra4_conv2.conv.weight' has shape [2, 2, 17, 17], which makes the RA4 kernel size 17; at most 15 is plausible for PraNet",
    );
  });

  it("a PyTorch state dict missing one of resnet.bn1's tensors is still read as one: that key is named, and only it", () => {
    for (const key of ['resnet.bn1.weight', 'resnet.bn1.running_var']) {
      const sd = microStateDict(false);
      const c = sd.get(key)!.shape[0];
      sd.delete(key);
      // Read as folded, the file gave hundreds of wrong problems (every conv's bias missing) and never this one.
      expect(() => build(sd, 'b.pth')).to.throw(
        `b.pth: the weights do not fit the PraNet architecture (1 problem):\n  missing key '${key}' (expected shape [${c}])`,
      );
    }
  });

  it('stand-ins for missing or mis-shaped tensors share one buffer, and the build stops at one over 2^22 values', () => {
    const r = new WeightReader(new Map([['a', { shape: [2], data: Float32Array.of(1, 2) }]]), 'x.pth');
    const missing = r.take('m', [1000, 10]);
    const misShaped = r.take('a', [3]);
    expect([missing.length, misShaped.length]).to.deep.equal([10000, 3]);
    expect(missing.buffer, 'one buffer for every stand-in').to.equal(misShaped.buffer);
    expect(() => r.take('huge', [2 ** 11, 2 ** 11 + 1])).to.throw(
      'x.pth: the weights do not fit the PraNet architecture (3 problems):\n' +
        "  missing key 'm' (expected shape [1000, 10])\n" +
        "  key 'a' has shape [2], expected [3]\n" +
        "  missing key 'huge' (expected shape [2048, 2049])\n" +
        "  (stopped at 'huge': its expected shape [2048, 2049] is too large to go on checking)",
    );
  });

  it('a zero-size checkpoint of plausible widths is reported as not fitting, without allocating what the widths imply', () => {
    expect(() => build(zeroSizeWide(1024), 'z.safetensors')).to.throw(
      /^z\.safetensors: the weights do not fit the PraNet architecture \(3 problems\):\n {2}key 'resnet\.conv1\.0\.weight' has shape \[1024, 0, 3, 3\], expected \[1024, 3, 3, 3\]\n.*\n.*\n {2}\(stopped at 'resnet\.conv1\.3\.weight': its expected shape \[1024, 1024, 3, 3\] is too large to go on checking\)$/,
    );
  });
});

describe('weights: pranet convert names the input and the cause of a value it cannot store', () => {
  /** The micro PraNet as PyTorch saves it, with resnet.bn1 set to `weight` and `variance`. */
  function withBn1(weight: number, variance: number): Uint8Array {
    const sd = microStateDict(false);
    sd.get('resnet.bn1.weight')!.data.fill(weight);
    sd.get('resnet.bn1.running_var')!.data.fill(variance);
    return safetensorsOf(sd);
  }

  it('a batchnorm whose folding overflows float32 (finite values in the file)', () => {
    expect(() => convertCheckpoint(withBn1(3e38, 0), { source: 'o.safetensors' })).to.throw(
      /^o\.safetensors: folding batchnorm into the convs makes \d+ value\(s\) of 'resnet\.conv1\.6\.weight' non-finite \(the first is -?Infinity at element \d+\): the batchnorm's weight \/ sqrt\(running_var \+ eps\) times the conv weight overflows float32, so the checkpoint's batchnorm statistics or weights are implausible$/,
    );
  });

  it('a folded value beyond float16 with --f16 says to convert without it', () => {
    const file = withBn1(1e7, 1);
    expect(() => convertCheckpoint(file, { source: 'f.safetensors', f16: true })).to.throw(
      /^f\.safetensors: 'resnet\.conv1\.6\.weight' has the value -?[\d.e+]+ at element \d+ \(after batchnorm folding\), beyond float16's range \(largest finite is 65504\): convert without --f16 to store float32$/,
    );
    expect(convertCheckpoint(file, { source: 'f.safetensors' }).tensors).to.be.greaterThan(0);
  });
});
