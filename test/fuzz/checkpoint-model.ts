// A small valid PraNet state dict as the fuzzer's starting point, in the form a writer serialises (tensors
// as views of storages, as torch pickles them), and mutations at that level: shapes, strides, offsets,
// storage sizes and classes, keys (block indices too), shared storages, hostile values, zero-size tensors
// with an impossible dimension.
import { PRANET_PRESETS, type PraNetPreset, randomPraNetWeights } from '../../src/models/random-weights.js';
import { interesting, type Rand } from './rand.js';

/** The smallest topology the config inference accepts: ~90 convs of a few weights each. */
export const MICRO_PRESET: PraNetPreset = {
  ...PRANET_PRESETS.tiny,
  stem: 2,
  layers: [1, 1, 1, 1],
  planes: [4, 4, 8, 8],
  baseWidth: 16,
  scale: 2,
  channel: 2,
  ra4: 2,
  ra3: 2,
  ra2: 2,
};

export interface CkTensor {
  key: string;
  storage: string;
  /** torch storage class, e.g. FloatStorage */
  cls: string;
  /** elements the storage declares */
  numel: number;
  offset: number;
  shape: number[];
  stride: number[];
}

export interface Checkpoint {
  tensors: CkTensor[];
  /** storage bytes by key */
  storages: Map<string, Uint8Array>;
  /** wrapped as {'state_dict': ...}, as training scripts save */
  wrapped: boolean;
}

/** The conv's batchnorm in PraNet's module names (tools/reference/any_weights.py batchnorm_of). */
function batchnormOf(conv: string): string | undefined {
  const rules: [RegExp, string][] = [
    [/^resnet\.conv1\.0$/, 'resnet.conv1.1'],
    [/^resnet\.conv1\.3$/, 'resnet.conv1.4'],
    [/^resnet\.conv1\.6$/, 'resnet.bn1'],
    [/\.conv1$/, '.bn1'],
    [/\.conv3$/, '.bn3'],
    [/\.convs\.(\d+)$/, '.bns.$1'],
    [/\.downsample\.1$/, '.downsample.2'],
    [/\.conv$/, '.bn'],
  ];
  for (const [pattern, to] of rules) if (pattern.test(conv)) return conv.replace(pattern, to);
  return undefined;
}

const contiguous = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** The micro PraNet as PyTorch saves it (convs without bias + batchnorm statistics) or folded (conv + bias). */
export function microStateDict(folded: boolean, seed = 1): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [key, t] of randomPraNetWeights(MICRO_PRESET, seed)) {
    const conv = key.replace(/\.(weight|bias)$/, '');
    const bn = batchnormOf(conv);
    if (folded || !bn || key.endsWith('.weight')) {
      out.set(key, { shape: [...t.shape], data: t.data });
      continue;
    }
    const c = t.data.length;
    out.set(`${bn}.weight`, { shape: [c], data: new Float32Array(c).fill(1) });
    out.set(`${bn}.bias`, { shape: [c], data: t.data });
    out.set(`${bn}.running_mean`, { shape: [c], data: new Float32Array(c).fill(0.01) });
    out.set(`${bn}.running_var`, { shape: [c], data: new Float32Array(c).fill(0.9) });
  }
  return out;
}

export function checkpointOf(sd: Map<string, { shape: number[]; data: Float32Array }>): Checkpoint {
  const tensors: CkTensor[] = [];
  const storages = new Map<string, Uint8Array>();
  [...sd].forEach(([key, t], i) => {
    const storage = String(i);
    storages.set(storage, new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)));
    tensors.push({ key, storage, cls: 'FloatStorage', numel: t.data.length, offset: 0, shape: t.shape, stride: contiguous(t.shape) });
  });
  return { tensors, storages, wrapped: false };
}

const CLASSES = ['FloatStorage', 'HalfStorage', 'DoubleStorage', 'LongStorage', 'BFloat16Storage', 'IntStorage', 'ByteStorage', 'UntypedStorage', 'Storage'];
const signedInteresting = (r: Rand, around: number) => (r.chance(0.2) ? -interesting(r, 4, around) : interesting(r, 8, around));

/** One change to the checkpoint's structure (in place); returns what it did. */
export function mutateCheckpoint(r: Rand, ck: Checkpoint): string {
  if (ck.tensors.length === 0) return 'no tensors';
  const t = r.pick(ck.tensors);
  switch (r.int(0, 12)) {
    case 0: {
      if (t.shape.length === 0) return 'scalar';
      const d = r.int(0, t.shape.length - 1);
      t.shape[d] = signedInteresting(r, t.shape[d]!);
      return `${t.key} shape[${d}] = ${t.shape[d]}`;
    }
    case 1: {
      if (t.stride.length === 0) return 'scalar';
      const d = r.int(0, t.stride.length - 1);
      t.stride[d] = r.pick([0, -1, signedInteresting(r, t.stride[d]!)]);
      return `${t.key} stride[${d}] = ${t.stride[d]}`;
    }
    case 2:
      t.offset = signedInteresting(r, t.numel);
      return `${t.key} offset = ${t.offset}`;
    case 3:
      t.numel = signedInteresting(r, t.numel);
      return `${t.key} storage numel = ${t.numel}`;
    case 4:
      t.cls = r.pick(CLASSES);
      return `${t.key} class ${t.cls}`;
    case 5: {
      const other = r.pick(ck.tensors);
      t.storage = other.storage;
      return `${t.key} shares the storage of ${other.key}`;
    }
    case 6:
      ck.tensors.splice(ck.tensors.indexOf(t), 1);
      return `drop ${t.key}`;
    case 7:
      ck.tensors.push({ ...t, shape: [...t.shape], stride: [...t.stride] });
      return `${t.key} twice`;
    case 8: {
      const old = t.key;
      t.key = r.pick([
        `module.${old}`,
        old.replace(/\d/, '9'),
        `${old}x`,
        '',
        old.replace(/weight$/, 'bias'),
        old.replace(/^(resnet\.layer\d\.)\d+\./, '$19999999999.'),
        'resnet.fc.weight',
        `${old}.num_batches_tracked`,
      ]);
      return `rename ${old} -> ${t.key}`;
    }
    case 9: {
      const data = ck.storages.get(t.storage);
      if (!data || data.length < 4) return 'empty storage';
      const at = 4 * r.int(0, (data.length >> 2) - 1);
      new DataView(data.buffer, data.byteOffset).setFloat32(at, r.pick([NaN, Infinity, -Infinity, -1, 3e38, 1e-45]), true);
      return `${t.key} value at byte ${at}`;
    }
    case 10: {
      const data = ck.storages.get(t.storage) ?? new Uint8Array(0);
      const len = r.pick([0, data.length - 1, data.length + 4, data.length >> 1, 2 * data.length]);
      const next = new Uint8Array(Math.max(0, len));
      next.set(data.subarray(0, next.length));
      ck.storages.set(t.storage, next);
      return `${t.key} storage bytes ${data.length} -> ${next.length}`;
    }
    case 11: {
      // zero elements, one dimension past any limit: [huge, 0, ...]
      const big = r.pick([12000, 2 ** 28 + 1, 2 ** 40]);
      t.shape = t.shape.length < 2 ? [big, 0] : [big, 0, ...t.shape.slice(2)];
      t.stride = t.shape.map(() => 1);
      return `${t.key} shape [${t.shape.join(', ')}]`;
    }
    default: {
      if (t.shape.length > 0 && r.chance(0.5)) {
        t.shape.pop();
        t.stride.pop();
        return `${t.key} one dimension fewer`;
      }
      t.shape.push(r.pick([1, 2, 0]));
      t.stride.push(r.pick([1, 0]));
      return `${t.key} one dimension more`;
    }
  }
}
