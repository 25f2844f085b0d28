// Checks, before any work, that each output can be written where it is going, and names the real problem
// when not: a read-only file, a folder that refuses new files (/proc), a symbolic link, a path through a file.
import { closeSync, lstatSync, openSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { guardOutputs, type NamedPath, type PlannedIo, statOrNone } from './output-guard.js';
import { isStandardStream } from './write-output.js';
import { isReadOnlyFile } from '../io/files-node.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOENT: 'it does not accept new files',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

const fail = (p: NamedPath, why: string) => new Error(`${p.what.startsWith('-') ? `${p.what} ${p.path}` : p.path}: cannot write: ${why}`);

/** Creates and removes a file in `dir`: the one test that catches every reason a folder refuses new files. */
function probe(dir: string, p: NamedPath, probed: Set<string>): void {
  if (probed.has(dir)) return;
  const file = join(dir, `.pranet-write-check-${randomBytes(6).toString('hex')}`);
  try {
    closeSync(openSync(file, 'wx'));
    unlinkSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw fail(p, `cannot create files in ${dir} (${REASONS[code] ?? code})`);
  }
  probed.add(dir);
}

/** The nearest folder at or above `path` that exists (outputs create the folders below it). */
function existingFolder(path: string, p: NamedPath): string {
  for (let dir = path; ; dir = dirname(dir)) {
    const st = statOrNone(dir);
    if (st?.isDirectory()) return dir;
    if (st) throw fail(p, `${dir} is not a folder`);
    if (dirname(dir) === dir) return dir;
  }
}

export interface WritableOptions {
  /** missing folders on the way are made (segment); otherwise the file's folder must exist */
  createFolders: boolean;
}

/** Throws an Error naming why the file `p` cannot be written (see writeFileAtomic for what it replaces). */
export function checkWritableFile(p: NamedPath, opts: WritableOptions, probed = new Set<string>()): void {
  if (isStandardStream(p.path)) return;
  const path = resolve(p.path);
  const link = statOrNone(path, lstatSync);
  const st = statOrNone(path);
  if (st && (st.isCharacterDevice() || st.isFIFO())) return; // written straight into
  if (link?.isSymbolicLink()) throw fail(p, 'it is a symbolic link, which pranet does not replace; name the file it points to');
  if (st && !st.isFile()) throw fail(p, st.isDirectory() ? 'it is a folder' : 'it is not a regular file');
  if (st && isReadOnlyFile(path, st.mode)) throw fail(p, 'the file is read-only (permission denied)');
  const folder = dirname(path);
  if (!opts.createFolders && !statOrNone(folder)?.isDirectory()) throw fail(p, `its folder ${folder} does not exist`);
  probe(existingFolder(folder, p), p, probed);
}

/** Throws an Error naming why files cannot be written into the folder `p` (made if missing). */
export function checkWritableFolder(p: NamedPath, probed = new Set<string>()): void {
  probe(existingFolder(resolve(p.path), p), p, probed);
}

/**
 * What every command runs before any work: the output guard (no output on an input or on another output), then
 * every output folder and file checked writable. `createFolders` says for which output files missing folders
 * on the way will be made (default none).
 */
export function checkPlannedOutputs(io: PlannedIo, command: string, createFolders: (f: NamedPath) => boolean = () => false): void {
  guardOutputs(io, command);
  const probed = new Set<string>();
  for (const f of io.outputFolders ?? []) checkWritableFolder(f, probed);
  for (const f of io.outputs) checkWritableFile(f, { createFolders: createFolders(f) }, probed);
}
