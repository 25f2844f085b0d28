// The unpickler's work bounds: objects made, opcodes run, bytes per pickle (legacy files too). Hostile
// pickles must be refused by name and limit, not exhaust memory; the official PraNet key list saved by
// PyTorch as a training checkpoint (Adam state too) must fit ten times over.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PICKLE_LIMITS, readPth, unpickle } from '../src/weights/index.js';
import { f32Bytes, legacyPth, stateDictPickle, zipArchive, type TensorSpec } from './weights-helpers.js';
import { readInChild } from './support/read-child.js';
import { PYTHON, STATE_DICT_KEYS } from './support/paths.js';
import { requireTorch } from './support/python.js';
import { requireSharedData } from './support/shared-data.js';

/** PROTO 2, EMPTY_LIST, then per round MARK, `count` times `op`, APPENDS; then STOP. */
function listOf(op: number, count: number, rounds = 1): Uint8Array {
  const round = count + 2;
  const out = new Uint8Array(3 + rounds * round + 1);
  out.set([0x80, 2, 0x5d]);
  for (let r = 0; r < rounds; r++) {
    const at = 3 + r * round;
    out[at] = 0x28;
    out.fill(op, at + 1, at + 1 + count);
    out[at + 1 + count] = 0x65;
  }
  out[out.length - 1] = 0x2e;
  return out;
}

const EMPTY_DICT = 0x7d;
const EMPTY_LIST = 0x5d;
const EMPTY_TUPLE = 0x29;
const NONE = 0x4e;

describe('weights: pickle work bounds', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'pranet-pickle-limits-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a pickle that makes more than 262,144 dicts, lists or tuples, naming the file, the byte and the limit', () => {
    // the list at byte 2 is object 1, so object 262,145 is made at byte 262,147
    for (const op of [EMPTY_DICT, EMPTY_LIST, EMPTY_TUPLE]) {
      expect(() => unpickle(listOf(op, 300_000), 0, 'bomb.pkl')).to.throw(
        'bomb.pkl at byte 262147: pickle makes more than 262144 objects (dicts, lists, tuples, globals, tensors); a checkpoint needs far fewer',
      );
    }
    const zip = zipArchive([{ name: 'a/data.pkl', data: listOf(EMPTY_DICT, 300_000), deflate: true }]);
    expect(() => readPth(zip, 'bomb.pth')).to.throw(/^bomb\.pth:a\/data\.pkl at byte 262147: pickle makes more than 262144 objects/);
  });

  it('refuses the 15 KB zip whose pickle makes 15.7 M dicts (4 GB) quickly, without running out of memory', () => {
    // the review's dictbomb.py: ']' + ('(' + '}' * 1048572 + 'e') * 15 + '.'
    const zip = zipArchive([{ name: 'archive/data.pkl', data: listOf(EMPTY_DICT, 2 ** 20 - 4, 15), deflate: true }]);
    expect(zip.length).to.be.below(20_000);
    const file = join(dir, 'dictbomb.pth');
    writeFileSync(file, zip);
    // A child with a 512 MiB heap: unbounded, the dicts kill it with a fatal out-of-memory.
    const got = readInChild('pth', file, { heapMiB: 512 });
    expect(got.died, 'the reader process died').to.equal(undefined);
    expect(got.error).to.match(/dictbomb\.pth:archive\/data\.pkl at byte \d+: pickle makes more than 262144 objects/);
    expect(got.peakGrowthBytes!, 'peak memory growth').to.be.below(256 * 2 ** 20);
  });

  it('runs at most 2,097,152 opcodes', () => {
    // five rounds of 2^19 NONEs appended to a list: 2.6 M opcodes, each cheap, few objects
    expect(() => unpickle(listOf(NONE, 2 ** 19, 5), 0, 'long.pkl')).to.throw(
      /^long\.pkl at byte \d+: pickle runs more than 2097152 opcodes; a checkpoint needs far fewer$/,
    );
    expect((unpickle(listOf(NONE, 2 ** 19, 3), 0, 'ok.pkl').value as unknown[]).length).to.equal(3 * 2 ** 19);
  });

  it("bounds a legacy file's pickles to 64 MiB like a zip's data.pkl (the storages after them do not count)", () => {
    const n = 64 * 2 ** 20 + 1;
    const main = new Uint8Array(2 + 5 + n + 1); // PROTO 2, BINUNICODE of n bytes, STOP
    main.set([0x80, 2, 0x58, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
    main.fill(0x61, 7, 7 + n);
    main[main.length - 1] = 0x2e;
    const file = legacyPth(main, []);
    const start = file.length - main.length - 6; // the empty key list pickle after it is 6 bytes
    expect(() => readPth(file, 'big.pth')).to.throw(
      `big.pth: the pickle at byte ${start} runs past the limit of 67108864 bytes for one pickle (BINUNICODE string at byte ${start + 7} needs ${n} bytes)`,
    );
    // A string the file does not hold is still called truncated, as before
    expect(() => readPth(file.subarray(0, start + 1000), 'cut.pth')).to.throw(/^cut\.pth: truncated at byte \d+: BINUNICODE string needs 67108865 bytes/);
  });

  it("reads a state dict of 8 times PraNet-19's 922 tensors, legacy and zip", () => {
    const specs: TensorSpec[] = Array.from({ length: 8 * 922 }, (_, i) => ({
      key: `layer.${i}.weight`,
      storage: '0',
      numel: 1,
      shape: [1, 1, 1, 1],
      stride: [1, 1, 1, 1],
    }));
    const legacy = legacyPth(stateDictPickle(specs, 'legacy').bytes(), [{ key: '0', data: f32Bytes([2]) }]);
    const zip = zipArchive([
      { name: 'a/data.pkl', data: stateDictPickle(specs, 'zip').bytes() },
      { name: 'a/data/0', data: f32Bytes([2]) },
    ]);
    for (const f of [legacy, zip]) expect(readPth(f, 'wide.pth').size).to.equal(8 * 922);
  });

  it('leaves 10 times the work of a PyTorch training checkpoint of PraNet (922 keys, Adam state), legacy and zip', function () {
    requireTorch(this);
    requireSharedData(this, STATE_DICT_KEYS);
    // Every tensor keeps its rank but has one element: the pickle is what torch writes for PraNet-19.
    const script = `
import sys, torch
keys = [l.split('\\t') for l in open(sys.argv[1]).read().splitlines()[1:]]
dt = {'float32': torch.float32, 'int64': torch.int64}
sd = {k: torch.zeros([1] * len(eval(shape)), dtype=dt[d]) for _, k, shape, d, _ in keys}
params = [torch.nn.Parameter(v) for k, v in sd.items() if k.endswith(('.weight', '.bias'))]
opt = torch.optim.Adam(params, lr=1e-4)
for p in params: p.grad = torch.zeros_like(p)
opt.step()
ck = {'epoch': 20, 'state_dict': sd, 'optimizer': opt.state_dict()}
torch.save(ck, sys.argv[2] + '/train.zip.pth')
torch.save(ck, sys.argv[2] + '/train.legacy.pth', _use_new_zipfile_serialization=False)
`;
    const run = spawnSync(PYTHON, ['-c', script, STATE_DICT_KEYS, dir], { encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const saved = { ...PICKLE_LIMITS };
    try {
      for (const key of ['maxOps', 'maxObjects', 'maxMemo'] as const) PICKLE_LIMITS[key] = Math.floor(saved[key] / 10);
      for (const f of ['train.zip.pth', 'train.legacy.pth']) {
        expect(readPth(new Uint8Array(readFileSync(join(dir, f))), f).size, f).to.equal(922);
      }
    } finally {
      Object.assign(PICKLE_LIMITS, saved);
    }
  });
});
