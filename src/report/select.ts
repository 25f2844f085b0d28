// Which images the report shows: the lowest and the highest per-image mean Dice.
import type { ImageScores } from '../metrics/evaluate.js';

/**
 * The `count` worst images (lowest meanDice first) and the `count` best (highest first), never the same image
 * twice: with fewer than 2*count images, the worse half goes to `worst`. Ties are broken by name.
 */
export function worstAndBest(images: readonly ImageScores[], count = 6): { worst: ImageScores[]; best: ImageScores[] } {
  const sorted = [...images].sort((a, b) => a.meanDice - b.meanDice || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const worstCount = Math.min(count, Math.ceil(sorted.length / 2));
  const bestCount = Math.min(count, sorted.length - worstCount);
  return { worst: sorted.slice(0, worstCount), best: sorted.slice(sorted.length - bestCount).reverse() };
}
