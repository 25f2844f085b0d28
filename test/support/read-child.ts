// Runs a weights reader in a child process (support/read-worker.ts), so that a test can bound its time and
// heap and measure its peak memory, and a reader that hangs or dies fails the test instead of the run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./read-worker.js', import.meta.url));

export interface ChildRead {
  /** the reader's error message, if it threw */
  error?: string;
  /** growth of the child's peak resident memory while it read (null where /proc/self/status is missing) */
  peakGrowthBytes?: number | null;
  /** why the child gave no result: killed by the time limit, out of memory, ... */
  died?: string;
}

export function readInChild(how: 'pth' | 'convert', file: string, opts: { heapMiB?: number; timeoutMs?: number } = {}): ChildRead {
  const flags = opts.heapMiB ? [`--max-old-space-size=${opts.heapMiB}`] : [];
  const r = spawnSync(process.execPath, [...flags, WORKER, how, file], { encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && last.startsWith('{')) return JSON.parse(last) as ChildRead;
  const tail = r.stderr.trim().split('\n').slice(-2).join(' / ');
  return { died: r.signal ? `killed by ${r.signal} (${r.error?.message ?? tail})` : `exit code ${r.status}: ${tail}` };
}
