// Finds the dict of tensors inside whatever object torch.save was given: a bare state dict, or a wrapper
// such as {'state_dict': sd, 'epoch': 3} or {'model': sd, 'optimizer': ...}.
import { PyDict, pyTypeName, type PyValue } from './pickle-values.js';
import { TensorRef } from './torch-pickle.js';

const WRAPPER_KEYS = ['state_dict', 'model'];
const MAX_NESTING = 8;

function listKeys(d: PyDict): string {
  const keys = [...d.items.keys()].slice(0, 10).map((k) => JSON.stringify(String(k)));
  return keys.length ? keys.join(', ') + (d.items.size > 10 ? ', ...' : '') : 'none';
}

/**
 * The first dict, following 'state_dict' or 'model' keys from the root, that has tensor values. Entries
 * that are not tensors (or whose key is not a string) are left out.
 */
export function findTensorDict(root: PyValue, source: string): Map<string, TensorRef> {
  let node = root;
  const path: string[] = [];
  for (let depth = 0; depth <= MAX_NESTING; depth++) {
    const where = path.length ? `['${path.join("']['")}']` : 'the top-level object';
    if (!(node instanceof PyDict)) throw new Error(`${source}: ${where} is a ${pyTypeName(node)}, expected a dict of tensors`);
    const tensors = new Map<string, TensorRef>();
    for (const [k, v] of node.items) if (typeof k === 'string' && v instanceof TensorRef) tensors.set(k, v);
    if (tensors.size > 0) return tensors;
    const next = WRAPPER_KEYS.find((k) => node instanceof PyDict && node.items.has(k));
    if (next === undefined) throw new Error(`${source}: no tensors in ${where} (keys: ${listKeys(node)})`);
    node = node.items.get(next)!;
    path.push(next);
  }
  throw new Error(`${source}: 'state_dict'/'model' wrappers nested deeper than ${MAX_NESTING}`);
}
