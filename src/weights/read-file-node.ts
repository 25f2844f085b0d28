// Node only: reads a local file in chunks, reporting progress. Imported dynamically by load-weight-file.ts
// so browser bundles never see `node:fs`.
import { open } from 'node:fs/promises';
import { concatBytes } from '../util/bytes.js';
import { MAX_CHECKPOINT_BYTES } from './budget.js';
import type { ProgressCallback } from './fetch-bytes.js';

const CHUNK_BYTES = 4 << 20;

/** A file system error in words ('no such file', not 'ENOENT: no such file or directory, open ...'). */
export function fileErrorText(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return 'no such file';
  if (err.code === 'EACCES') return 'permission denied';
  return err.code === 'EISDIR' ? 'is a folder, not a file' : err.message;
}

/**
 * Reads to the end of the file. The stat size only sizes the first buffer: pipes, FIFOs and devices
 * (/dev/stdin, process substitution) report 0. More than `maxBytes` (a checkpoint larger than that cannot
 * fit the reader's memory budget anyway) is refused.
 */
export async function readFileWithProgress(
  path: string | URL,
  onProgress?: ProgressCallback,
  maxBytes = MAX_CHECKPOINT_BYTES,
  what = 'a weight file',
): Promise<Uint8Array> {
  const name = String(path);
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${name}: ${fileErrorText(err)}`);
  });
  try {
    const stat = await file.stat();
    if (stat.isDirectory()) throw new Error(`${name}: is a folder, not a file`);
    const total = stat.isFile() && stat.size > 0 ? stat.size : undefined;
    if (total !== undefined && total > maxBytes) throw new Error(`${name}: ${total} bytes, more than the limit of ${maxBytes} bytes for ${what}`);
    const parts: Uint8Array[] = [];
    let buf = new Uint8Array(total ?? CHUNK_BYTES);
    let at = 0;
    let loaded = 0;
    for (;;) {
      if (at === buf.length) {
        parts.push(buf);
        buf = new Uint8Array(CHUNK_BYTES);
        at = 0;
      }
      const { bytesRead } = await file.read(buf, at, Math.min(CHUNK_BYTES, buf.length - at), null);
      if (bytesRead === 0) break;
      at += bytesRead;
      loaded += bytesRead;
      if (loaded > maxBytes) throw new Error(`${name}: more than the limit of ${maxBytes} bytes for ${what}`);
      onProgress?.(loaded, total !== undefined && loaded <= total ? total : undefined);
    }
    if (total !== undefined && loaded < total) throw new Error(`${name}: truncated while reading: got ${loaded} of ${total} bytes`);
    if (at > 0) parts.push(buf.subarray(0, at));
    if (total === undefined || loaded !== total) onProgress?.(loaded, loaded);
    return parts.length === 1 ? parts[0]! : concatBytes(parts, loaded); // one read needs no copy
  } finally {
    await file.close();
  }
}
