// Ctrl-C and kill: a command stops without leaving temporary files behind, says what it had written (a folder
// of masks half done is worth knowing about), and exits with 128 + the signal's number, as shells report it
// (130 for SIGINT, 143 for SIGTERM).
import { removeTempFiles } from '../io/files-node.js';

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
const summaries = new Set<() => string | undefined>();

/** Registers a line to print on interruption (e.g. how many masks were written where); returns its removal. */
export function onInterrupt(summary: () => string | undefined): () => void {
  summaries.add(summary);
  return () => summaries.delete(summary);
}

/** Installs the handlers once, for the `pranet` process. */
export function handleInterrupts(command: string): void {
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      removeTempFiles();
      const lines = [...summaries].map((s) => s()).filter((l) => l !== undefined);
      console.error(`pranet ${command}: interrupted (${signal})${lines.length ? `; ${lines.join('; ')}` : ''}`);
      process.exit(128 + number);
    });
  }
}
