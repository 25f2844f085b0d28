// The torch side of the restricted unpickler: the few globals a torch.save state dict needs, and the
// persistent ids that stand for storages. Tensors come out as references (storage, offset, shape, stride);
// pth.ts reads their bytes afterwards.
import { unpickle, type UnpickleResult } from './pickle.js';
import { HostObject, PyDict, PyGlobal, PyTuple, pyTypeName, type PyValue } from './pickle-values.js';
import { checkShape, MAX_TENSOR_ELEMENTS, type Dtype } from './tensor.js';

/** torch storage classes by name (all in module `torch`). */
const STORAGE_CLASSES: Readonly<Record<string, Dtype>> = {
  FloatStorage: 'f32',
  HalfStorage: 'f16',
  BFloat16Storage: 'bf16',
  DoubleStorage: 'f64',
  LongStorage: 'i64',
};

export class StorageRef extends HostObject {
  constructor(readonly key: string, readonly dtype: Dtype, readonly numel: number) {
    super();
  }
  describe(): string {
    return `storage '${this.key}'`;
  }
}

export class TensorRef extends HostObject {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {
    super();
  }
  describe(): string {
    return 'tensor';
  }
}

export interface TorchPickle extends UnpickleResult {
  /** Every storage the pickle referenced, by key. */
  storages: Map<string, StorageRef>;
}

/** What both .pth layouts yield: the object graph and a way to get each storage's raw bytes. */
export interface PthParts {
  pickle: TorchPickle;
  storageBytes(ref: StorageRef): Uint8Array;
}

/** What a value is, for "got ..." messages: an integer's own value (it may be out of range), else its type. */
function found(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  const type = pyTypeName(v);
  if (typeof v === 'number' || typeof v === 'bigint') return type === 'int' ? String(v) : `a float (${v})`;
  return `a ${type}`;
}

function int(v: PyValue | undefined, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new Error(`${what} must be a non-negative integer, got ${found(v)}`);
  }
  return v;
}

function intTuple(v: PyValue | undefined, what: string): number[] {
  if (!(v instanceof PyTuple)) throw new Error(`${what} must be a tuple, got ${v === undefined ? 'nothing' : pyTypeName(v)}`);
  return v.items.map((x, i) => int(x, `${what}[${i}]`));
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
function rebuildTensor(args: readonly PyValue[]): TensorRef {
  if (args.length !== 6 && args.length !== 7) throw new Error(`_rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}`);
  const storage = args[0]!;
  if (!(storage instanceof StorageRef)) throw new Error(`_rebuild_tensor_v2 storage is a ${pyTypeName(storage)}`);
  const what = `tensor of storage '${storage.key}'`;
  const offset = int(args[1], `${what}: storage_offset`);
  const shape = checkShape(intTuple(args[2], `${what}: size`), `tensor in storage '${storage.key}'`);
  const stride = intTuple(args[3], `${what}: stride`);
  if (stride.length !== shape.length) {
    throw new Error(`tensor size [${shape.join(', ')}] and stride [${stride.join(', ')}] differ in length`);
  }
  return new TensorRef(storage, offset, shape, stride);
}

/** _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is just its tensor here. */
function rebuildParameter(args: readonly PyValue[]): TensorRef {
  const data = args[0];
  if (args.length !== 3 || !(data instanceof TensorRef)) throw new Error('_rebuild_parameter expects (tensor, requires_grad, hooks)');
  return data;
}

function orderedDict(args: readonly PyValue[]): PyDict {
  if (args.length !== 0) throw new Error(`OrderedDict() with ${args.length} arguments is not supported`);
  return new PyDict();
}

function findGlobal(module: string, name: string): PyGlobal | undefined {
  if (module === 'collections' && name === 'OrderedDict') return new PyGlobal(module, name, orderedDict);
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2') return new PyGlobal(module, name, rebuildTensor);
  if (module === 'torch._utils' && name === '_rebuild_parameter') return new PyGlobal(module, name, rebuildParameter);
  if (module === 'torch' && Object.hasOwn(STORAGE_CLASSES, name)) return new PyGlobal(module, name);
  return undefined;
}

/**
 * Runs a torch.save pickle. Persistent ids are ('storage', storage class, key, location, numel) in the zip
 * format, plus a sixth element, view_metadata, in the legacy format; torch's writer sets it to None, and
 * the storage views a non-None value would describe are not supported.
 */
export function unpickleTorch(bytes: Uint8Array, start: number, source: string): TorchPickle {
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: PyValue): StorageRef => {
    if (!(pid instanceof PyTuple) || (pid.items.length !== 5 && pid.items.length !== 6) || pid.items[0] !== 'storage') {
      throw new Error(`persistent id is a ${pyTypeName(pid)}, expected ('storage', class, key, location, numel)`);
    }
    const [, cls, key, , numelValue, view] = pid.items;
    if (!(cls instanceof PyGlobal) || cls.module !== 'torch' || !Object.hasOwn(STORAGE_CLASSES, cls.name)) {
      throw new Error(`persistent id storage class is a ${pyTypeName(cls!)}, expected a torch storage class`);
    }
    if (typeof key !== 'string') throw new Error(`persistent id key is a ${pyTypeName(key!)}, expected a string`);
    if (view !== undefined && view !== null) throw new Error(`storage '${key}' is a storage view (view_metadata is not None), which is not supported`);
    const dtype = STORAGE_CLASSES[cls.name]!;
    const numel = int(numelValue, `storage '${key}' numel`);
    if (numel > MAX_TENSOR_ELEMENTS) throw new Error(`storage '${key}' has ${numel} elements, more than ${MAX_TENSOR_ELEMENTS}`);
    const known = storages.get(key);
    if (known) {
      if (known.dtype !== dtype || known.numel !== numel) {
        throw new Error(`storage '${key}' is referenced as ${known.dtype}[${known.numel}] and as ${dtype}[${numel}]`);
      }
      return known;
    }
    const ref = new StorageRef(key, dtype, numel);
    storages.set(key, ref);
    return ref;
  };
  return { ...unpickle(bytes, start, source, { findGlobal, persistentLoad }), storages };
}
