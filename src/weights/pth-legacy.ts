// torch.save legacy format (torch < 1.6, or _use_new_zipfile_serialization=False): five pickles in a row
// (magic number, protocol 1001, sys info, the object graph, the sorted storage keys), then for each key an
// int64 element count followed by the storage's raw little-endian bytes.
import { ByteReader } from './bytes.js';
import { unpickle } from './pickle.js';
import { isPyKey, PyDict, pyTypeName } from './pickle-values.js';
import { DTYPE_BYTES } from './tensor.js';
import { unpickleTorch, type PthParts, type StorageRef } from './torch-pickle.js';

const LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

export function readPthLegacy(bytes: Uint8Array, source: string): PthParts {
  const magic = unpickle(bytes, 0, source);
  if (magic.value !== LEGACY_MAGIC_NUMBER) throw new Error(`${source}: not a torch checkpoint: the first pickle is not torch's magic number`);
  const protocol = unpickle(bytes, magic.end, source);
  if (protocol.value !== LEGACY_PROTOCOL) {
    throw new Error(`${source}: legacy torch protocol ${isPyKey(protocol.value) ? String(protocol.value) : pyTypeName(protocol.value)}, expected ${LEGACY_PROTOCOL}`);
  }
  const sysInfo = unpickle(bytes, protocol.end, source);
  if (!(sysInfo.value instanceof PyDict) || sysInfo.value.items.get('little_endian') !== true) {
    throw new Error(`${source}: the sys-info pickle does not say little_endian=True; big-endian checkpoints are not supported`);
  }
  const pickle = unpickleTorch(bytes, sysInfo.end, source);
  const keyList = unpickle(bytes, pickle.end, source);
  const keys = keyList.value;
  if (!Array.isArray(keys)) throw new Error(`${source}: storage key list at byte ${pickle.end} is a ${pyTypeName(keys)}, expected a list`);

  const data = new Map<string, Uint8Array>();
  const r = new ByteReader(bytes, source, keyList.end);
  for (const key of keys) {
    if (typeof key !== 'string') throw new Error(`${source}: storage key list holds a ${pyTypeName(key)}, expected strings`);
    const ref = pickle.storages.get(key);
    if (!ref) throw new Error(`${source}: storage key list names '${key}', which no tensor uses`);
    if (data.has(key)) throw new Error(`${source}: storage '${key}' is listed twice`);
    const at = r.pos;
    const count = r.i64(`element count of storage '${key}'`);
    if (count !== ref.numel) {
      throw new Error(`${source}: storage '${key}' at byte ${at} holds ${count} elements, but the pickle declares ${ref.numel}`);
    }
    data.set(key, r.take(count * DTYPE_BYTES[ref.dtype], `${ref.dtype} data of storage '${key}'`));
  }
  if (r.remaining !== 0) throw new Error(`${source}: ${r.remaining} unexpected bytes after the last storage (byte ${r.pos})`);

  const storageBytes = (ref: StorageRef): Uint8Array => {
    const d = data.get(ref.key);
    if (!d) throw new Error(`${source}: storage '${ref.key}' is missing from the storage key list`);
    return d;
  };
  return { pickle, storageBytes };
}
