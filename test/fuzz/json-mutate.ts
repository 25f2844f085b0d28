// Mutations of a JSON header (safetensors, .pnw): one value somewhere in it replaced by a wrong type, an
// interesting number, a list nested 10,000 deep, or removed; or a list entry repeated.
import { interesting, type Rand } from './rand.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Stands for a list nested 10,000 deep, which jsonText writes out: too deep to hold or stringify as a value. */
const DEEP_LIST = '\u0000deep list';
const DEEP_DEPTH = 10_000;

/** The header as the writers put it in a file. */
export function jsonText(header: unknown): string {
  return JSON.stringify(header).replaceAll(JSON.stringify(DEEP_LIST), '['.repeat(DEEP_DEPTH) + ']'.repeat(DEEP_DEPTH));
}

function replacement(r: Rand, old: Json): Json {
  const n = typeof old === 'number' ? old : 0;
  return r.pick<Json>([
    interesting(r, 8, n),
    -interesting(r, 4, n),
    n + 0.5,
    1e308,
    -0,
    'F32',
    'f16',
    'I32',
    '',
    null,
    true,
    [],
    {},
    [n],
    [0, 2 ** 53],
    DEEP_LIST,
    Array.isArray(old) ? [...old, ...old] : [1, 2, 3, 4, 5, 6],
  ]);
}

/** Changes one value reached by a random walk from the root (in place); returns the path and what it did. */
export function mutateJson(r: Rand, root: Json): string {
  let node: Json = root;
  const path: string[] = [];
  for (let depth = 0; depth < 6; depth++) {
    const keys = Array.isArray(node) ? node.map((_, i) => String(i)) : node !== null && typeof node === 'object' ? Object.keys(node) : [];
    if (keys.length === 0) break;
    const key = r.pick(keys);
    const child: Json = (node as Record<string, Json>)[key]!;
    const container = child !== null && typeof child === 'object';
    if (!container || r.chance(0.3)) {
      const parent = node as Record<string, Json>;
      if (r.chance(0.15)) {
        if (Array.isArray(node)) node.splice(Number(key), 1);
        else delete parent[key];
        return `${[...path, key].join('.')} removed`;
      }
      if (Array.isArray(node) && r.chance(0.15)) {
        node.push(structuredClone(child));
        return `${[...path, key].join('.')} repeated`;
      }
      parent[key] = replacement(r, child);
      return `${[...path, key].join('.')} = ${JSON.stringify(parent[key]).slice(0, 40)}`;
    }
    path.push(key);
    node = child;
  }
  return 'nothing to change';
}

export type { Json };
