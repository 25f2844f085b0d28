// Which tiling policy a segmenter, bench or profile uses: 'auto' (the table stored for this adapter and
// engine version, else the defaults for the adapter's class), 'none' (the defaults), or a given table.
import type { AdapterSummary } from '../gpu/context.js';
import { adapterClass, defaultTilingPolicy, type TilingPolicy } from '../kernels/tiling-policy.js';
import { describeTable, mismatch, tablePolicy, type TuningTable } from './table.js';

export type TuningChoice = 'auto' | 'none' | TuningTable;

export interface ResolvedTuning {
  policy: TilingPolicy;
  /** for bench, profile and info: which table or which defaults */
  description: string;
}

export const defaultsText = (a: AdapterSummary): string => `the defaults for a ${adapterClass(a)} adapter`;

/**
 * `stored` finds the table kept for this adapter (Node: the cache folder; browsers: IndexedDB); `where` says
 * where it came from. A table for another adapter or engine version is not used: 'auto' falls back to the
 * defaults and says why; a table given explicitly is an error.
 */
export function resolveTuning(choice: TuningChoice, a: AdapterSummary, stored?: { table: TuningTable; where: string }): ResolvedTuning {
  const defaults = { policy: defaultTilingPolicy(adapterClass(a)), description: defaultsText(a) };
  if (choice === 'none') return defaults;
  if (choice === 'auto') {
    if (!stored) return { ...defaults, description: `${defaults.description} (no tuning table for this adapter yet)` };
    const why = mismatch(stored.table, a);
    if (why) return { ...defaults, description: `${defaults.description} (the table at ${stored.where} is not used: ${why})` };
    return { policy: tablePolicy(stored.table, a), description: `tuning table ${stored.where}, ${describeTable(stored.table)}` };
  }
  const why = mismatch(choice, a);
  if (why) throw new Error(`this tuning table does not apply: ${why}`);
  return { policy: tablePolicy(choice, a), description: `the given tuning table, ${describeTable(choice)}` };
}
