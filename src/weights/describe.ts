// Values from a file's JSON header, described for error messages without recursing into them or copying
// much of them: a header may nest lists thousands deep or hold megabyte strings.

const MAX_TEXT = 40;
const MAX_SHOWN = 16;

/** A scalar as written (a string quoted, cut at 40 characters); anything else by its type. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v.length > MAX_TEXT ? `${JSON.stringify(v.slice(0, MAX_TEXT))}... (${v.length} characters)` : JSON.stringify(v);
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** "[2, 3]", each element described as above; at most 16 of them. */
export function describeList(list: readonly unknown[]): string {
  const shown = list.slice(0, MAX_SHOWN).map(describeValue);
  if (list.length > MAX_SHOWN) shown.push(`... ${list.length - MAX_SHOWN} more`);
  return `[${shown.join(', ')}]`;
}
