// Writing a command's output: '-' (or /dev/stdout) is standard output, written through the process's own
// stream so it stays in order with anything else printed there; /dev/stderr likewise; every other path is
// written atomically (writeFileAtomic: a complete file or none).
import { writeFileAtomic } from '../io/files-node.js';

const STDOUT = new Set(['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);
const STDERR = new Set(['/dev/stderr', '/dev/fd/2', '/proc/self/fd/2']);

/** Whether `path` names this process's standard output or error rather than a file. */
export const isStandardStream = (path: string): boolean => STDOUT.has(path) || STDERR.has(path);

/** Whether `path` sends machine-readable output to standard output (then everything else goes to stderr). */
export const isStdout = (path: string | undefined): boolean => path !== undefined && STDOUT.has(path);

function writeStream(stream: NodeJS.WriteStream, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => stream.write(bytes, (err) => (err ? reject(err) : resolve())));
}

export function writeOutput(path: string, bytes: Uint8Array): Promise<void> {
  if (STDOUT.has(path)) return writeStream(process.stdout, bytes);
  if (STDERR.has(path)) return writeStream(process.stderr, bytes);
  return writeFileAtomic(path, bytes);
}

/** The shorthand of the commands: text as UTF-8. */
export const writeText = (path: string, text: string): Promise<void> => writeOutput(path, new TextEncoder().encode(text));
