// Reads a PyTorch .pth checkpoint (legacy or zip torch.save format) into named host tensors.
import { checkExpansion } from './budget.js';
import { describeBytes } from './bytes.js';
import { readPthLegacy } from './pth-legacy.js';
import { readPthZip } from './pth-zip.js';
import { findTensorDict } from './state-dict-root.js';
import { readTensorView } from './strided.js';
import { DTYPE_BYTES, numelOf, type StateDict } from './tensor.js';

const ZIP_MAGIC = Uint8Array.of(0x50, 0x4b, 0x03, 0x04);
/** PROTO 2, then LONG1 of 10 bytes holding torch's legacy magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19);

const startsWith = (b: Uint8Array, magic: Uint8Array): boolean => b.length >= magic.length && magic.every((x, i) => b[i] === x);
/** True for a file cut short inside the magic bytes. */
const isPrefixOf = (b: Uint8Array, magic: Uint8Array): boolean => b.length < magic.length && b.every((x, i) => magic[i] === x);

export const isZip = (b: Uint8Array): boolean => startsWith(b, ZIP_MAGIC);
export const isLegacyPth = (b: Uint8Array): boolean => startsWith(b, LEGACY_MAGIC);

/**
 * Every tensor of the state dict in `bytes`, in file order, with keys exactly as saved (see cleanStateDict
 * for dropping buffers and a 'module.' prefix). `source` names the file in error messages.
 */
export function readPth(bytes: Uint8Array, source: string): StateDict {
  let parts;
  if (isZip(bytes)) parts = readPthZip(bytes, source);
  else if (isLegacyPth(bytes)) parts = readPthLegacy(bytes, source);
  else if (isPrefixOf(bytes, ZIP_MAGIC) || isPrefixOf(bytes, LEGACY_MAGIC)) throw new Error(`${source}: truncated: only ${bytes.length} bytes`);
  else throw new Error(`${source}: not a torch .pth file: found ${describeBytes(bytes)}; expected a zip ("PK\\x03\\x04") or a legacy torch pickle (80 02 8a 0a ...)`);
  const tensors = findTensorDict(parts.pickle.value, source);
  // Budgeted from the pickle alone: no storage is read or inflated before this passes.
  const costs = [...tensors].map(([name, { storage, shape }]) => {
    const bytes = storage.numel * DTYPE_BYTES[storage.dtype];
    return { name, numel: numelOf(shape), storage: { key: storage.key, numel: storage.numel, bytes } };
  });
  checkExpansion(costs, source);
  const out: StateDict = new Map();
  for (const [name, ref] of tensors) {
    out.set(name, readTensorView(name, ref, parts.storageBytes(ref.storage), source));
  }
  return out;
}
