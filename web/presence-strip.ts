// The presence strip under the video: one column per processed frame, oldest at the left. The lower rows take
// the frame's highest probability in the heat map's colours (heatmap.ts: dark is 0, pale yellow is 1); the top
// rows are marked green where the frame has a polyp (polypPresent) and left pale where it has none. Drawn into
// a canvas exactly one pixel per column wide, which the page stretches (pixelated) to its width.
import { HEAT_LUT } from './heatmap.js';

export interface StripEntry {
  maxProbability: number;
  polypPresent: boolean;
}

/** Rows of the strip: the presence mark, a one-row gap, then the highest probability's colour. */
export const STRIP_HEIGHT = 24;
export const STRIP_MARK_ROWS = 6;
export const STRIP_SCORE_FROM_ROW = STRIP_MARK_ROWS + 1;
/** The mark of a frame with a polyp, and the background (gap rows and frames without a polyp). */
export const STRIP_MARK_RGB = [0, 200, 0] as const;
export const STRIP_EMPTY_RGB = [228, 231, 238] as const;
/** The most columns kept: beyond it the strip scrolls, showing the latest frames. */
export const STRIP_MAX_COLUMNS = 4096;

/** The heat map's entry for probability p (as heatmap.ts rounds it). */
export const stripIndex = (p: number): number => Math.min(255, Math.max(0, Math.round(p * 255)));

/** Draws the last STRIP_MAX_COLUMNS entries into `canvas`, one column each (an empty strip is one pale column). */
export function drawStrip(canvas: HTMLCanvasElement, entries: readonly StripEntry[]): void {
  const shown = entries.slice(-STRIP_MAX_COLUMNS);
  const width = Math.max(1, shown.length);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== STRIP_HEIGHT) canvas.height = STRIP_HEIGHT;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a 2D canvas');
  const image = ctx.createImageData(width, STRIP_HEIGHT);
  const px = image.data;
  const put = (x: number, y: number, rgb: readonly number[]) => {
    const o = 4 * (y * width + x);
    px[o] = rgb[0]!;
    px[o + 1] = rgb[1]!;
    px[o + 2] = rgb[2]!;
    px[o + 3] = 255;
  };
  for (let x = 0; x < width; x++) {
    const e = shown[x];
    const heat = e ? Array.from(HEAT_LUT.subarray(3 * stripIndex(e.maxProbability), 3 * stripIndex(e.maxProbability) + 3)) : STRIP_EMPTY_RGB;
    for (let y = 0; y < STRIP_HEIGHT; y++) {
      if (y < STRIP_MARK_ROWS) put(x, y, e?.polypPresent ? STRIP_MARK_RGB : STRIP_EMPTY_RGB);
      else if (y < STRIP_SCORE_FROM_ROW) put(x, y, STRIP_EMPTY_RGB);
      else put(x, y, heat);
    }
  }
  ctx.putImageData(image, 0, 0);
}
