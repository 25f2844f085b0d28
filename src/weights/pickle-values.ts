// The Python values the restricted unpickler can produce. Nothing here can run code: a global is only a
// name plus, for the few allowed callables, a TypeScript function that builds a plain value.

/** Values made by an unpickler hook (tensors, storages); the unpickler treats them as opaque. */
export abstract class HostObject {
  abstract describe(): string;
}

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** Dict keys must be hashable scalars; Map keeps insertion order like Python dicts. */
export type PyKey = string | number | bigint | boolean | null;

/** A dict or OrderedDict. `state` holds what a BUILD opcode set on it (OrderedDict `_metadata`). */
export class PyDict {
  readonly items = new Map<PyKey, PyValue>();
  state: PyValue | undefined = undefined;
}

/** An allowed global. `reduce` is set only for the ones REDUCE may call. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly reduce?: (args: readonly PyValue[]) => PyValue,
  ) {}
}

/** Lists are plain arrays. */
export type PyValue = null | boolean | number | bigint | string | PyValue[] | PyTuple | PyDict | PyGlobal | HostObject;

/** A short type name for error messages (never prints the value, which may be huge or cyclic). */
export function pyTypeName(v: PyValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return `tuple of ${v.items.length}`;
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PyGlobal) return `global ${v.module}.${v.name}`;
  if (v instanceof HostObject) return v.describe();
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'str';
  return 'bool';
}

export function isPyKey(v: PyValue): v is PyKey {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
}
