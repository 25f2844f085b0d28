// Whole forward passes of several compiled networks in alternating rounds, the only timing that decides
// between tilings (per-dispatch times mislead: see tune.ts). Alternating spreads a busy machine's noise over
// every contestant alike.
import type { PraNetModel } from '../models/pranet-model.js';

/** The middle value (the upper middle of an even count). */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * One warm-up pass each, then `rounds` rounds of one pass per model, each timed from submit to completion;
 * the median ms per model name. `onRound` is told after each round.
 */
export async function comparePasses(
  models: readonly { name: string; model: PraNetModel }[],
  batch: number,
  size: number,
  rounds: number,
  onRound: (done: number) => void = () => undefined,
): Promise<Record<string, number>> {
  const input = new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i * 0.37));
  for (const m of models) {
    m.model.compiled.writeInputs({ image: input });
    m.model.compiled.submit(); // warm-up
    await m.model.compiled.finish();
  }
  const times = new Map<string, number[]>(models.map((m) => [m.name, []]));
  onRound(0);
  for (let r = 0; r < rounds; r++) {
    for (const m of models) {
      const t0 = performance.now();
      m.model.compiled.submit();
      await m.model.compiled.finish();
      times.get(m.name)!.push(performance.now() - t0);
    }
    onRound(r + 1);
  }
  return Object.fromEntries([...times].map(([name, ms]) => [name, median(ms)]));
}
