// Ctrl-C and kill: a command stops without leaving temporary files behind, says what it had written (a folder
// of masks half done is worth knowing about), and exits with 128 + the signal's number, as shells report it
// (130 for SIGINT, 143 for SIGTERM).
import { removeTempFiles } from '../io/files-node.js';

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof SIGNALS;
const summaries = new Set<() => string | undefined>();
let takeover: ((signal: StopSignal) => void) | undefined;

/** The exit status of a command stopped by `signal`. */
export const exitStatusOf = (signal: StopSignal): number => 128 + SIGNALS[signal];

/** Registers a line to print on interruption (e.g. how many masks were written where); returns its removal. */
export function onInterrupt(summary: () => string | undefined): () => void {
  summaries.add(summary);
  return () => summaries.delete(summary);
}

/**
 * While registered, signals go to `handler` instead of stopping the process: for a command that stops at a
 * clean point of its own (the video path finishes the frame in hand) and returns exitStatusOf(signal).
 * Returns the removal.
 */
export function takeInterrupts(handler: (signal: StopSignal) => void): () => void {
  takeover = handler;
  return () => {
    if (takeover === handler) takeover = undefined;
  };
}

/** Installs the handlers once, for the `pranet` process. */
export function handleInterrupts(command: string): void {
  for (const signal of Object.keys(SIGNALS) as StopSignal[]) {
    process.on(signal, () => {
      if (takeover) return takeover(signal);
      removeTempFiles();
      const lines = [...summaries].map((s) => s()).filter((l) => l !== undefined);
      console.error(`pranet ${command}: interrupted (${signal})${lines.length ? `; ${lines.join('; ')}` : ''}`);
      process.exit(exitStatusOf(signal));
    });
  }
}
