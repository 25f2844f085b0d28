// One rule for every command, checked before any work: an output never lands on an input of the same run
// or on another output of it. Paths are compared as the files they name: existing files by device and
// inode (so symlinks and hard links are seen through), missing ones by the real path of their folder.
// Character devices, FIFOs and standard output ('-') take any number of writes and are not compared, except
// that standard output serves one output only.
import { realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';
import { isStandardStream, isStdout } from './write-output.js';

export interface NamedPath {
  path: string;
  /** how the user named it, for messages: '-o', '--json', 'input', 'the --gt folder' */
  what: string;
}

export interface PlannedIo {
  /** files the run reads */
  inputs: readonly NamedPath[];
  /** folders the run reads from (an output folder must not be one of them) */
  inputFolders?: readonly NamedPath[];
  /** files the run writes (each mask, overlay, JSON, ... it will write) */
  outputs: readonly NamedPath[];
  /** folders the run writes into */
  outputFolders?: readonly NamedPath[];
}

/** The file at `path`, or undefined where there is none (also when the path runs through a file). */
export function statOrNone(path: string, stat: (p: string) => Stats = statSync): Stats | undefined {
  try {
    return stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** What a path names: 'id:dev:ino' for an existing file or folder, 'path:REAL' for a missing one, undefined for a stream. */
function identity(path: string): string | undefined {
  if (isStandardStream(path)) return undefined;
  const st = statOrNone(path);
  if (st) return st.isFile() || st.isDirectory() ? `id:${st.dev}:${st.ino}` : undefined;
  return `path:${realMissing(resolve(path))}`;
}

/** The real path of a path that does not exist: its nearest existing folder resolved, the rest appended. */
function realMissing(path: string): string {
  const parent = dirname(path);
  if (parent === path) return path;
  try {
    return join(realpathSync(parent), basename(path));
  } catch {
    return join(realMissing(parent), basename(path));
  }
}

/** An option is followed by its value ('-o x.png'), a description by the path in brackets ('the mask of a.jpg (out/a.png)'). */
const shown = (p: NamedPath) =>
  p.what === 'input' ? `the input ${p.path}` : p.what.startsWith('-') || p.what.startsWith('the input') ? `${p.what} ${p.path}` : `${p.what} (${p.path})`;

/** Throws a UsageError (exit code 2) naming the first output that would destroy an input or another output. */
export function guardOutputs(io: PlannedIo, command: string): void {
  const owners = new Map<string, { by: NamedPath; input: boolean }>();
  for (const input of [...io.inputs, ...(io.inputFolders ?? [])]) {
    const id = identity(input.path);
    if (id !== undefined) owners.set(id, { by: input, input: true });
  }
  for (const folder of io.outputFolders ?? []) {
    const id = identity(folder.path);
    if (id === undefined) continue;
    const owner = owners.get(id);
    if (owner?.input) throw new UsageError(`${shown(folder)} is ${shown(owner.by)}: its files would be overwritten; write into another folder`, command);
    owners.set(id, { by: folder, input: false });
  }
  let stdout: NamedPath | undefined;
  for (const output of io.outputs) {
    if (isStdout(output.path)) {
      if (stdout) throw new UsageError(`${stdout.what} and ${output.what} both write to standard output; give one of them a file`, command);
      stdout = output;
      continue;
    }
    if (statOrNone(output.path)?.isDirectory()) throw new UsageError(`${shown(output)} is a folder; give a file name`, command);
    const id = identity(output.path);
    if (id === undefined) continue;
    const owner = owners.get(id);
    if (owner?.input) throw new UsageError(`${shown(output)} would overwrite ${shown(owner.by)}; write somewhere else`, command);
    if (owner) throw new UsageError(`${shown(output)} and ${shown(owner.by)} are the same file; give them different names`, command);
    owners.set(id, { by: output, input: false });
  }
}
