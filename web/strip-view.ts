// Which processed frames the presence strip draws, and which column its slider is on. The strip keeps at most
// STRIP_MAX_COLUMNS columns: the latest frames, unless the selected frame (the one on show) is older, which
// then is the first column. So the slider's column, its value text and the picture always name one frame.

export interface StripWindow {
  /** the history entry of the strip's first column */
  offset: number;
  /** columns drawn */
  count: number;
  /** the selected entry's column, if one is selected */
  column: number | undefined;
}

/** The strip's columns among `total` history entries (at most `maxColumns`) and the column of entry `selected`. */
export function stripWindow(total: number, selected: number | undefined, maxColumns: number): StripWindow {
  if (selected !== undefined && !(Number.isInteger(selected) && selected >= 0 && selected < total)) {
    throw new Error(`the strip's selected frame ${selected} is not one of its ${total} frames`);
  }
  const count = Math.min(total, maxColumns);
  const offset = Math.min(total - count, selected ?? Infinity);
  return { offset, count, column: selected === undefined ? undefined : selected - offset };
}
