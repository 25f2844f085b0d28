// Turns a checkpoint's state dict into the tensors a model needs: drops keys inference never uses and the
// 'module.' prefix that torch.nn.DataParallel adds.
import type { StateDict } from './tensor.js';

/** BatchNorm step counters, and PraNet's unused ImageNet classifier of the Res2Net backbone. */
export const DEFAULT_IGNORED_KEYS: readonly RegExp[] = [/(^|\.)num_batches_tracked$/, /^resnet\.fc\./];

export const DATA_PARALLEL_PREFIX = 'module.';

/** A new dict (same tensor objects, same order) without the prefix and without keys matching `ignored`. */
export function cleanStateDict(sd: StateDict, ignored: readonly RegExp[] = DEFAULT_IGNORED_KEYS): StateDict {
  const out: StateDict = new Map();
  for (const [key, tensor] of sd) {
    const name = key.startsWith(DATA_PARALLEL_PREFIX) ? key.slice(DATA_PARALLEL_PREFIX.length) : key;
    if (ignored.some((re) => re.test(name))) continue;
    if (out.has(name)) throw new Error(`state dict has both '${name}' and '${DATA_PARALLEL_PREFIX}${name}'`);
    out.set(name, tensor);
  }
  return out;
}
