// torch.save zip format (torch >= 1.6): <top>/data.pkl holds the object graph, <top>/data/<key> the raw
// little-endian bytes of each storage.
import { PICKLE_LIMITS } from './pickle.js';
import { DTYPE_BYTES } from './tensor.js';
import { unpickleTorch, type PthParts, type StorageRef } from './torch-pickle.js';
import { readZipDirectory, readZipEntry } from './zip.js';

/** 'little' or 'big'. */
const MAX_BYTEORDER_BYTES = 16;

export function readPthZip(bytes: Uint8Array, source: string): PthParts {
  const entries = readZipDirectory(bytes, source);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    const names = [...entries.keys()].slice(0, 8).join(', ');
    throw new Error(`${source}: a torch zip checkpoint has exactly one <folder>/data.pkl, found ${pickles.length} (entries: ${names})`);
  }
  const pklName = pickles[0]!;
  const top = pklName.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${top}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(readZipEntry(bytes, byteorder, source, MAX_BYTEORDER_BYTES));
    if (order !== 'little') throw new Error(`${source}: storages are stored ${order}-endian; only little-endian is supported`);
  }
  const pkl = readZipEntry(bytes, entries.get(pklName)!, source, PICKLE_LIMITS.maxBytes);
  const pickle = unpickleTorch(pkl, 0, `${source}:${pklName}`);
  if (pickle.end !== pkl.length) throw new Error(`${source}:${pklName} has ${pkl.length - pickle.end} bytes after the pickle's STOP`);

  const cache = new Map<string, Uint8Array>();
  const storageBytes = (ref: StorageRef): Uint8Array => {
    let data = cache.get(ref.key);
    if (!data) {
      const name = `${top}data/${ref.key}`;
      const entry = entries.get(name);
      if (!entry) throw new Error(`${source}: storage '${ref.key}' has no zip entry '${name}'`);
      const expected = ref.numel * DTYPE_BYTES[ref.dtype];
      if (entry.size !== expected) {
        throw new Error(`${source}: zip entry '${name}' holds ${entry.size} bytes, but storage '${ref.key}' is ${ref.numel} ${ref.dtype} elements = ${expected} bytes`);
      }
      data = readZipEntry(bytes, entry, source);
      cache.set(ref.key, data);
    }
    return data;
  };
  return { pickle, storageBytes };
}
