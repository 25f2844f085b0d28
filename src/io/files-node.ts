// Node-only file access for the io layer (everything else in src/io also runs in browsers).
import { randomBytes } from 'node:crypto';
import { accessSync, constants, unlinkSync } from 'node:fs';
import { lstat, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeImage, type DecodeOptions, type RgbaImage } from './image.js';
import { readFileWithProgress } from '../weights/read-file-node.js';

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;

/** Paths of the .png/.jpg/.jpeg files (any letter case) directly in `dir`, sorted by name as Python's sorted() does. */
export async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names: string[] = [];
  for (const e of entries) {
    if (!IMAGE_EXTENSION.test(e.name)) continue;
    // A name that is not UTF-8 comes back with U+FFFD in it, and a path made from it names no file.
    if (e.name.includes('\uFFFD') && !(await lstat(join(dir, e.name)).catch(() => undefined)))
      throw new Error(`${dir}: the file name '${e.name}' is not valid UTF-8 (shown with U+FFFD); rename the file`);
    // A symlink counts when it points at a file (a dangling one is skipped).
    const target = e.isSymbolicLink() ? await stat(join(dir, e.name)).catch(() => undefined) : undefined;
    if (e.isFile() || target?.isFile()) names.push(e.name);
  }
  // Plain string order, not localeCompare: the order of Python's sorted(), which PraNet's loader uses.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((n) => join(dir, n));
}

/** More than any image the decoders take (40 megapixels) can be stored in, even uncompressed at 16 bits. */
export const MAX_IMAGE_FILE_BYTES = 512 << 20;

/** Reads and decodes one image file; errors name the path (a folder, a missing file, one too large: /dev/zero). */
export async function readImageFile(path: string, opts: DecodeOptions = {}): Promise<RgbaImage> {
  const bytes = await readFileWithProgress(path, undefined, MAX_IMAGE_FILE_BYTES, 'an image file');
  return decodeImage(bytes, path, opts);
}

/** Whether an existing file may not be written: by access(), and by its mode bits (root's access() allows every file). */
export function isReadOnlyFile(path: string, mode: number): boolean {
  if ((mode & 0o222) === 0) return true;
  try {
    accessSync(path, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/** Temporary files of writes in progress, so an interrupted process can remove them (removeTempFiles). */
const pendingTemps = new Set<string>();

/** Removes the temporary files of writes in progress and returns their paths: for signal handlers (synchronous). */
export function removeTempFiles(): string[] {
  const removed: string[] = [];
  for (const tmp of pendingTemps) {
    try {
      unlinkSync(tmp);
      removed.push(tmp);
    } catch {
      // already renamed into place or never created
    }
  }
  pendingTemps.clear();
  return removed;
}

/** Registers a temporary file another writer (ffmpeg) fills, for removeTempFiles; returns its removal from the set. */
export function trackTempFile(tmp: string): () => void {
  pendingTemps.add(tmp);
  return () => pendingTemps.delete(tmp);
}

const cannot = (path: string, why: string, code: string) => Object.assign(new Error(`${path}: cannot write: ${why}`), { code });

/** Writes into a character device or FIFO (/dev/null, a pipe) as it is: there is no file to replace. */
async function writeStraight(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
  } finally {
    await handle.close();
  }
}

/**
 * A name cut to at most 128 bytes of UTF-8 (whole characters), for a temporary file beside it: a legal name of
 * up to 255 bytes plus the temporary suffix would be too long for the file system.
 */
function shortened(name: string): string {
  const chars = [...name];
  while (Buffer.byteLength(chars.join('')) > 128) chars.pop();
  return chars.join('');
}

/**
 * Writes `bytes` to a temporary file next to `path`, flushes it, then renames it over `path`, so `path`
 * either keeps its old content or gets the complete new one, never a partial file. Only a regular file (or
 * nothing) is replaced: character devices and FIFOs (/dev/null, a pipe) are written into, and a symbolic link,
 * a folder, another special file or a file the user may not write is refused.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const link = await lstat(path).catch(() => undefined);
  const st = link?.isSymbolicLink() ? await stat(path).catch(() => undefined) : link;
  if (st && (st.isCharacterDevice() || st.isFIFO())) return writeStraight(path, bytes);
  if (link?.isSymbolicLink()) throw cannot(path, 'it is a symbolic link, which pranet does not replace; name the file it points to', 'ELINK');
  if (st?.isDirectory()) throw cannot(path, 'it is a folder', 'EISDIR');
  if (st && !st.isFile()) throw cannot(path, 'it is not a regular file', 'ENOTREG');
  if (st && isReadOnlyFile(path, st.mode)) throw cannot(path, 'the file is read-only (permission denied)', 'EACCES');
  const tmp = join(dirname(path), `.${shortened(basename(path))}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    pendingTemps.add(tmp);
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `the folder ${dirname(path)} does not exist`
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : undefined;
    if (why) throw cannot(path, why, code!);
    throw e;
  } finally {
    pendingTemps.delete(tmp);
  }
}
