// Node only: reads a local file in chunks, reporting progress. Imported dynamically by load-weight-file.ts
// so browser bundles never see `node:fs`.
import { open } from 'node:fs/promises';
import type { ProgressCallback } from './fetch-bytes.js';

const CHUNK_BYTES = 4 << 20;

export async function readFileWithProgress(path: string | URL, onProgress?: ProgressCallback): Promise<Uint8Array> {
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new Error(`${String(path)}: ${why}`);
  });
  try {
    const stat = await file.stat();
    if (stat.isDirectory()) throw new Error(`${String(path)}: is a folder, not a file`);
    const size = stat.size;
    const out = new Uint8Array(size);
    let loaded = 0;
    while (loaded < size) {
      const { bytesRead } = await file.read(out, loaded, Math.min(CHUNK_BYTES, size - loaded), loaded);
      if (bytesRead === 0) throw new Error(`${String(path)}: truncated while reading: got ${loaded} of ${size} bytes`);
      loaded += bytesRead;
      onProgress?.(loaded, size);
    }
    if (size === 0) onProgress?.(0, 0);
    return out;
  } finally {
    await file.close();
  }
}
