// Joining byte arrays: files written in parts (PNG chunks) and files read in chunks (streams, large reads).

/** The parts one after another, in one new array; `length` is their total when the caller has counted it. */
export function concatBytes(parts: readonly Uint8Array[], length = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
