// The presence strip as a keyboard slider (role="slider", one value per processed frame): which column a key
// goes to, and what a screen reader says about a column. Arrows step one processed frame (Right and Up go
// later), Shift with an arrow jumps to the next or previous frame with a polyp, Page Up and Page Down ten frames,
// Home and End the first and last.
import type { StripEntry } from './presence-strip.js';

export const STRIP_PAGE = 10;

/** The entry `key` moves to from `current` among `entries` (clamped), or undefined when the key is not the strip's. */
export function stripKeyTarget(key: string, shift: boolean, current: number, entries: readonly StripEntry[]): number | undefined {
  const last = entries.length - 1;
  if (last < 0) return undefined;
  const step = ({ ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 } as Record<string, number>)[key];
  if (step !== undefined && shift) {
    for (let c = current + step; c >= 0 && c <= last; c += step) if (entries[c]!.polypPresent) return c;
    return current; // none that way: stay
  }
  const to =
    step !== undefined
      ? current + step
      : key === 'PageUp'
        ? current + STRIP_PAGE
        : key === 'PageDown'
          ? current - STRIP_PAGE
          : key === 'Home'
            ? 0
            : key === 'End'
              ? last
              : undefined;
  return to === undefined ? undefined : Math.min(last, Math.max(0, to));
}

/** "Frame 3 of 12, at 0:01.20: polyp found (highest probability 0.98)" for entry 2 of 12; `at` is the frame's time, if it has one. */
export function stripValueText(position: number, count: number, entry: StripEntry, at: string | undefined): string {
  const found = entry.polypPresent ? 'polyp found' : 'no polyp';
  return `Frame ${position + 1} of ${count}${at ? `, at ${at}` : ''}: ${found} (highest probability ${entry.maxProbability.toFixed(2)})`;
}
