// Runs one input through the reader a user's file meets and says whether the outcome is acceptable: the
// file is read, or it is refused with the project's own error, one that names the file. Anything else (a
// TypeError or RangeError from deep inside, a message that does not name the source, too much time or
// memory) is a failure.
import { ImageDecodeError } from '../../src/io/decode-error.js';
import { decodeImage } from '../../src/io/image.js';
import { optimize } from '../../src/graph/passes.js';
import { weightsFromBytes } from '../../src/models/load-weights.js';
import { buildPraNet } from '../../src/models/pranet-graph.js';
import { isImage, type Kind } from './cases.js';

/** Image sizes the fuzzer lets the decoder allocate (DecodeOptions.maxPixels): 4 Mpx, 16 MiB of RGBA. */
export const FUZZ_MAX_PIXELS = 1 << 22;

export interface Limits {
  /** CPU time per case (not wall time, which a busy machine stretches) */
  timeMs: number;
  /** growth of resident memory or of live array buffers + heap during a case */
  memoryBytes: number;
}

/**
 * The default limits, from a 100,000-case run (the README's numbers): the slowest accepted or refused
 * case took well under a second and the largest growth was far below the cap; a reader that allocates what
 * a file declares instead of what it holds passes both at once.
 */
export const DEFAULT_LIMITS: Limits = { timeMs: 2000, memoryBytes: 256 * 2 ** 20 };

export type Verdict = 'accepted' | 'refused' | 'bug' | 'slow' | 'memory';

export interface Outcome {
  verdict: Verdict;
  /** CPU milliseconds */
  ms: number;
  growthBytes: number;
  /** the error's message (or its stack, for a bug) */
  message?: string;
}

/** What a user's file goes through: decoding an image, or reading weights and building the network from them. */
export function readAsUserFile(kind: Kind, bytes: Uint8Array, source: string): void {
  if (isImage(kind)) {
    decodeImage(bytes, source, { maxPixels: FUZZ_MAX_PIXELS });
    return;
  }
  const loaded = weightsFromBytes(bytes, source);
  optimize(buildPraNet(loaded.weights, { source, size: 32 }).graph);
}

/** The project's own refusal: a plain Error (or ImageDecodeError) whose message names the file. */
export function isOwnError(err: unknown, source: string): boolean {
  if (!(err instanceof Error)) return false;
  if (err.constructor !== Error && !(err instanceof ImageDecodeError)) return false;
  return err.message.includes(source) && !/\bundefined\b/.test(err.message.replace(source, ''));
}

const grown = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage) => Math.max(b.rss - a.rss, b.arrayBuffers - a.arrayBuffers + b.heapUsed - a.heapUsed);

/** Runs one case in this process, measuring its time and memory (call with --expose-gc for a clean baseline). */
export function judge(kind: Kind, bytes: Uint8Array, source: string, limits: Limits = DEFAULT_LIMITS): Outcome {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const cpu = process.cpuUsage();
  let verdict: Verdict = 'accepted';
  let message: string | undefined;
  try {
    readAsUserFile(kind, bytes, source);
  } catch (err) {
    const own = isOwnError(err, source);
    verdict = own ? 'refused' : 'bug';
    message = own ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  const used = process.cpuUsage(cpu);
  const ms = (used.user + used.system) / 1000;
  const growthBytes = grown(before, process.memoryUsage());
  if (verdict !== 'bug' && ms > limits.timeMs) verdict = 'slow';
  else if (verdict !== 'bug' && growthBytes > limits.memoryBytes) verdict = 'memory';
  return { verdict, ms, growthBytes, ...(message !== undefined ? { message } : {}) };
}
