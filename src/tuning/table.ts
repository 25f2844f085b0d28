// A tuning table: the tiling policy `pranet tune` measured best for one adapter and engine version, with what
// it measured. Tables come back from disk, IndexedDB or a user's file, so reading one checks every field.
import type { AdapterSummary } from '../gpu/context.js';
import type { ConvTiling } from '../kernels/conv2d.js';
import { adapterClass, defaultTilingPolicy, tilingProblem, type TilingPolicy, type TilingRule } from '../kernels/tiling-policy.js';
import { ENGINE_VERSION } from '../version.js';

/** What a table is valid for. */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
}

/** What one tuning was run on. */
export interface TunedFor {
  model: string;
  size: number;
  batch: number;
}

export interface TuningTable {
  format: 'pranet-wgsl tuning table';
  engineVersion: string;
  adapter: AdapterIdentity;
  created: string;
  /** what the latest tuning was run on: weights, input size and batch */
  tunedFor: TunedFor;
  /**
   * the policy that won the whole-pass comparison, one rule per conv it measured, tried first; the adapter
   * class's defaults follow it. After a merge, also the rules of earlier tunings for convs the latest did not measure.
   */
  rules: TilingRule[];
  /** median ms of a whole forward pass under each policy the latest tuning compared (the defaults included) */
  passMs: Record<string, number>;
  /** which of passMs won */
  chosen: string;
  /** the earlier tunings merged into the table (mergeTables), oldest first: their rules stay for convs no later one measured */
  earlier?: (TunedFor & { created: string })[];
}

export const identityOf = (a: AdapterSummary): AdapterIdentity => ({
  vendor: a.vendor,
  architecture: a.architecture,
  device: a.device,
  description: a.description,
  backend: a.backend,
});

export const sameAdapter = (a: AdapterIdentity, b: AdapterIdentity): boolean =>
  a.vendor === b.vendor && a.architecture === b.architecture && a.device === b.device && a.description === b.description && a.backend === b.backend;

/** A file name for an adapter's table: readable, and distinct for distinct identities. */
export function tableName(a: AdapterIdentity): string {
  const text = JSON.stringify([a.vendor, a.architecture, a.device, a.description, a.backend]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const readable = `${a.vendor}-${a.device || a.description}-${a.backend}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${readable || 'adapter'}-${h.toString(16).padStart(8, '0')}.json`;
}

/** The policy a table gives on an adapter: its rules, then the adapter class's defaults. */
export function tablePolicy(t: TuningTable, a: AdapterSummary): TilingPolicy {
  return [...t.rules, ...defaultTilingPolicy(adapterClass(a))];
}

const sameTuning = (a: TunedFor, b: TunedFor) => a.model === b.model && a.size === b.size && a.batch === b.batch;

/**
 * The table to keep after tuning `newer` when `older` is already stored for the adapter: `newer`, plus
 * `older`'s rules for convs `newer` did not measure (another batch, size or network), so one tuning does not
 * undo another. A table for another adapter or engine version, or rules that name no conv (tables of engine
 * 0.1.0 before this, a tiling forced on every conv), are not carried over.
 */
export function mergeTables(older: TuningTable | undefined, newer: TuningTable, a: AdapterSummary): TuningTable {
  if (!older || mismatch(older, a)) return newer;
  const measured = new Set(newer.rules.map((r) => r.conv));
  const kept = older.rules.filter((r) => r.conv !== undefined && !measured.has(r.conv));
  if (kept.length === 0) return newer;
  const earlier = [...(older.earlier ?? []), { ...older.tunedFor, created: older.created }].filter((e) => !sameTuning(e, newer.tunedFor));
  return { ...newer, rules: [...newer.rules, ...kept], ...(earlier.length ? { earlier } : {}) };
}

/** Why `t` does not apply to this adapter and engine, or undefined when it does. */
export function mismatch(t: TuningTable, a: AdapterSummary): string | undefined {
  if (t.engineVersion !== ENGINE_VERSION) return `it was tuned with engine version ${t.engineVersion}, this is ${ENGINE_VERSION}`;
  if (!sameAdapter(t.adapter, identityOf(a)))
    return `it was tuned on ${t.adapter.description || t.adapter.device} (${t.adapter.backend}), this is ${a.description || a.device} (${a.backend})`;
  return undefined;
}

function tilingOf(v: unknown, where: string): ConvTiling {
  const problem = tilingProblem(v);
  if (problem) throw new Error(`${where}: ${problem}`);
  return v as ConvTiling;
}

const range = (v: unknown, where: string): [number, number] | undefined => {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => typeof n === 'number' && n >= 0)) throw new Error(`${where}: must be [low, high]`);
  return [v[0] as number, v[1] as number];
};

/** Checks a table read from outside (`source` names it in errors). */
export function parseTuningTable(text: string, source: string): TuningTable {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text: an image given by mistake would put its bytes on the terminal.
    const binary = [...text.slice(0, 4096)].some((ch) => ch === '\ufffd' || (ch < ' ' && !'\t\n\r'.includes(ch)) || ch === '\x7f');
    const why = binary ? 'a binary file, not JSON text' : `not JSON: ${(err as Error).message}`;
    throw new Error(`${source}: not a tuning table (${why})`, { cause: err });
  }
  const t = v as Partial<TuningTable> | null;
  if (typeof t !== 'object' || t === null || t.format !== 'pranet-wgsl tuning table')
    throw new Error(`${source}: not a tuning table (no "format": "pranet-wgsl tuning table")`);
  if (typeof t.engineVersion !== 'string') throw new Error(`${source}: engineVersion must be a string`);
  const a = t.adapter as Partial<AdapterIdentity> | undefined;
  if (!a || !(['vendor', 'architecture', 'device', 'description', 'backend'] as const).every((k) => typeof a[k] === 'string')) {
    throw new Error(`${source}: adapter must name vendor, architecture, device, description and backend`);
  }
  if (!Array.isArray(t.rules) || t.rules.length > 10_000) throw new Error(`${source}: rules must be a list (of at most 10000)`);
  const rules = t.rules.map((r: unknown, i): TilingRule => {
    const where = `${source}: rule ${i}`;
    if (typeof r !== 'object' || r === null) throw new Error(`${where}: must be an object`);
    const x = r as Record<string, unknown>;
    if (x.conv !== undefined && typeof x.conv !== 'string') throw new Error(`${where}: conv must be a string`);
    if (x.subgroups !== undefined && typeof x.subgroups !== 'boolean') throw new Error(`${where}: subgroups must be true or false`);
    const pixels = range(x.pixels, `${where}: pixels`);
    const cout4 = range(x.cout4, `${where}: cout4`);
    return {
      ...(x.conv !== undefined ? { conv: x.conv } : {}),
      ...(x.subgroups !== undefined ? { subgroups: x.subgroups } : {}),
      ...(pixels ? { pixels } : {}),
      ...(cout4 ? { cout4 } : {}),
      tiling: tilingOf(x.tiling, where),
    };
  });
  const passMs = (t.passMs ?? {}) as Record<string, unknown>;
  if (typeof passMs !== 'object' || !Object.values(passMs).every((n) => typeof n === 'number'))
    throw new Error(`${source}: passMs must map names to milliseconds`);
  const tunedFor = tunedForOf(t.tunedFor, `${source}: tunedFor`);
  if (t.earlier !== undefined && (!Array.isArray(t.earlier) || t.earlier.length > 1000)) throw new Error(`${source}: earlier must be a list`);
  const earlier = t.earlier?.map((e, i) => ({ ...tunedForOf(e, `${source}: earlier ${i}`), created: String(e.created ?? '') }));
  return {
    format: t.format,
    engineVersion: t.engineVersion,
    adapter: a as AdapterIdentity,
    created: String(t.created ?? ''),
    tunedFor,
    rules,
    passMs: passMs as Record<string, number>,
    chosen: String(t.chosen ?? ''),
    ...(earlier ? { earlier } : {}),
  };
}

function tunedForOf(v: unknown, where: string): TunedFor {
  const t = v as Partial<TunedFor> | null | undefined;
  if (!t || typeof t.model !== 'string' || !Number.isInteger(t.size) || !Number.isInteger(t.batch)) throw new Error(`${where} must give model, size and batch`);
  return { model: t.model, size: t.size!, batch: t.batch! };
}

/** One line saying what a table is and what it gained. */
export function describeTable(t: TuningTable): string {
  const def = t.passMs.defaults;
  const won = t.passMs[t.chosen];
  const gain = def !== undefined && won !== undefined && won > 0 ? `, ${(def / won).toFixed(2)}x the defaults' speed` : '';
  const what = (f: TunedFor) => `${f.model} at ${f.size} px, batch ${f.batch}`;
  const earlier = t.earlier?.length ? `; also holds rules from earlier tunings for ${t.earlier.map(what).join('; ')}` : '';
  return `tuned ${t.created.slice(0, 10)} for ${what(t.tunedFor)}: ${t.chosen}${gain}${earlier}`;
}
