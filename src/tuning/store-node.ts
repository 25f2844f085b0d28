// Where Node keeps tuning tables: $XDG_CACHE_HOME/pranet-wgsl (else ~/.cache/pranet-wgsl), one file per
// adapter, so `--tuning auto` finds the table `pranet tune` wrote on the same machine.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AdapterSummary, GpuContext } from '../gpu/context.js';
import { resolveTuning, type ResolvedTuning, type TuningChoice } from './resolve.js';
import { writeFileAtomic } from '../io/files-node.js';
import { fileErrorText } from '../weights/read-file-node.js';
import { identityOf, parseTuningTable, tableName, type TuningTable } from './table.js';

export function tuningDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'pranet-wgsl');
}

export const tablePath = (a: AdapterSummary): string => join(tuningDir(), tableName(identityOf(a)));

/** The stored table for this adapter, if there is one (checked; a broken file is an error naming it). */
export function readStoredTable(a: AdapterSummary): { table: TuningTable; path: string } | undefined {
  const path = tablePath(a);
  if (!existsSync(path)) return undefined;
  return { table: readTableFile(path), path };
}

/** The stored table for this adapter to merge a new tuning into; a broken one is replaced (and said so). */
export function storedTableOrNone(a: AdapterSummary, say: (line: string) => void): TuningTable | undefined {
  try {
    return readStoredTable(a)?.table;
  } catch (err) {
    say(`replacing a tuning table that cannot be read: ${(err as Error).message}`);
    return undefined;
  }
}

/** A table file, checked; errors name the file. */
export function readTableFile(path: string): TuningTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: ${fileErrorText(err as NodeJS.ErrnoException)}`, { cause: err });
  }
  return parseTuningTable(text, path);
}

/** Stores `t` as this adapter's table; returns where. */
export async function storeTable(t: TuningTable, a: AdapterSummary): Promise<string> {
  const path = tablePath(a);
  mkdirSync(tuningDir(), { recursive: true });
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(t, null, 2)}\n`));
  return path;
}

/** The tiling policy `choice` gives on this device in Node, and what it is. */
export function resolveNodeTuning(choice: TuningChoice, gpu: GpuContext): ResolvedTuning {
  const stored = choice === 'auto' ? readStoredTable(gpu.adapter) : undefined;
  return resolveTuning(choice, gpu.adapter, stored ? { table: stored.table, where: stored.path } : undefined);
}
