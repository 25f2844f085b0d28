// Where browsers keep tuning tables: IndexedDB (database 'pranet-wgsl', store 'tuning'), one record per
// adapter under the same name Node gives its file, so `tuning: 'auto'` finds what this browser tuned.
import type { AdapterSummary } from '../gpu/context.js';
import { resolveTuning, type ResolvedTuning, type TuningChoice } from './resolve.js';
import { identityOf, parseTuningTable, tableName, type TuningTable } from './table.js';

const DB = 'pranet-wgsl';
const STORE = 'tuning';

/** This page cannot use IndexedDB (a sandboxed iframe, storage blocked by the user's settings). */
export class StorageUnavailable extends Error {
  override readonly name = 'StorageUnavailable';
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const unavailable = (why: string) => reject(new StorageUnavailable(`IndexedDB cannot be opened here (${why})`));
    let req: IDBOpenDBRequest;
    try {
      req = indexedDB.open(DB, 1); // throws SecurityError where storage is denied
    } catch (err) {
      unavailable((err as Error).message);
      return;
    }
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => unavailable(req.error?.message ?? 'open failed');
  });
}

async function request<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = run(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(new Error(`IndexedDB ${DB}/${STORE}: ${req.error?.message ?? 'request failed'}`));
    });
  } finally {
    db.close();
  }
}

/** The stored table for this adapter, if any (checked: a corrupt record is an error naming it). */
export async function readBrowserTable(a: AdapterSummary): Promise<{ table: TuningTable; where: string } | undefined> {
  const key = tableName(identityOf(a));
  if (typeof indexedDB === 'undefined') return undefined;
  const text = await request('readonly', (s) => s.get(key) as IDBRequest<string | undefined>);
  if (text === undefined) return undefined;
  const where = `IndexedDB ${DB}/${STORE}/${key}`;
  return { table: parseTuningTable(text, where), where };
}

/** Stores `t` as this adapter's table; returns where. */
export async function storeBrowserTable(t: TuningTable, a: AdapterSummary): Promise<string> {
  const key = tableName(identityOf(a));
  await request('readwrite', (s) => s.put(JSON.stringify(t), key));
  return `IndexedDB ${DB}/${STORE}/${key}`;
}

/**
 * The tiling policy `choice` gives on this device in a browser. With 'auto', a page that cannot use IndexedDB
 * gets the defaults (and says why) rather than failing to load; a stored record that cannot be read is an error
 * naming it, as a broken table file is in Node.
 */
export async function resolveBrowserTuning(choice: TuningChoice, a: AdapterSummary): Promise<ResolvedTuning> {
  if (choice !== 'auto') return resolveTuning(choice, a);
  try {
    return resolveTuning('auto', a, await readBrowserTable(a));
  } catch (err) {
    if (!(err instanceof StorageUnavailable)) throw err;
    const defaults = resolveTuning('none', a);
    return { ...defaults, description: `${defaults.description} (no stored tuning table: ${err.message})` };
  }
}
