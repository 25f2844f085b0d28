// Per-dispatch GPU times -> rows with their rates and shares, plus sums per op type, per network stage and
// in total. Pure: the CLI prints it, a web page may show it.
import { STAGES, type Stage, stageOf } from './stages.js';

/** How the times were taken (src/gpu/profiler.ts). */
export type TimingMethod = 'timestamp-query' | 'host-clock';

/** One dispatch with its GPU time and the work it does. */
export interface TimedDispatch {
  /** the graph node it computes */
  name: string;
  /** op type, e.g. "conv2d 3x3", "resize", "add" */
  op: string;
  /** "input shapes -> output shape", NCHW */
  shapes: string;
  ms: number;
  /** floating-point operations (a multiply-add counts 2) */
  flops: number;
  /** bytes read and written */
  bytes: number;
}

export interface KernelRow extends TimedDispatch {
  /** position in the forward pass */
  index: number;
  stage: Stage;
  /** percent of the total GPU time */
  share: number;
  gflopPerS: number;
  /** achieved GFLOP/s over the GEMM ceiling, for convs when a ceiling is given */
  ceilingFraction?: number;
}

export interface GroupSummary {
  key: string;
  dispatches: number;
  ms: number;
  share: number;
  flops: number;
  bytes: number;
  gflopPerS: number;
}

export interface Totals {
  ms: number;
  flops: number;
  bytes: number;
  dispatches: number;
  gflopPerS: number;
}

export interface ProfileSummary {
  method: TimingMethod;
  /** every dispatch, in forward-pass order */
  rows: KernelRow[];
  /** by op type, slowest first */
  byOp: GroupSummary[];
  /** by network stage, in network order (only stages that ran) */
  byStage: GroupSummary[];
  totals: Totals;
  /** the GEMM rate convs are compared against (GFLOP/s) */
  ceilingGflops?: number;
}

/** GFLOP/s from flops and milliseconds; 0 for a zero time (a timer too coarse to see the dispatch). */
export const gflopRate = (flops: number, ms: number): number => (ms > 0 ? flops / ms / 1e6 : 0);

const isConv = (op: string) => op.startsWith('conv2d');

function group(rows: readonly KernelRow[], keyOf: (r: KernelRow) => string, total: number): GroupSummary[] {
  const groups = new Map<string, GroupSummary>();
  for (const r of rows) {
    const key = keyOf(r);
    const g = groups.get(key) ?? { key, dispatches: 0, ms: 0, share: 0, flops: 0, bytes: 0, gflopPerS: 0 };
    g.dispatches++;
    g.ms += r.ms;
    g.flops += r.flops;
    g.bytes += r.bytes;
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    g.share = total > 0 ? (100 * g.ms) / total : 0;
    g.gflopPerS = gflopRate(g.flops, g.ms);
  }
  return [...groups.values()];
}

export function summarizeProfile(dispatches: readonly TimedDispatch[], method: TimingMethod, ceilingGflops?: number): ProfileSummary {
  if (ceilingGflops !== undefined && !(ceilingGflops > 0)) throw new Error(`the GEMM ceiling must be a positive GFLOP/s, got ${ceilingGflops}`);
  for (const d of dispatches) {
    if (!(d.ms >= 0) || !Number.isFinite(d.ms)) throw new Error(`dispatch '${d.name}' has time ${d.ms} ms; expected a finite time >= 0`);
  }
  const totalMs = dispatches.reduce((s, d) => s + d.ms, 0);
  const rows = dispatches.map((d, index): KernelRow => {
    const gflopPerS = gflopRate(d.flops, d.ms);
    return {
      ...d,
      index,
      stage: stageOf(d.name),
      share: totalMs > 0 ? (100 * d.ms) / totalMs : 0,
      gflopPerS,
      ...(ceilingGflops !== undefined && isConv(d.op) ? { ceilingFraction: gflopPerS / ceilingGflops } : {}),
    };
  });
  const stageOrder = [...STAGES, 'other'] as string[];
  const flops = rows.reduce((s, r) => s + r.flops, 0);
  return {
    method,
    rows,
    byOp: group(rows, (r) => r.op, totalMs).sort((a, b) => b.ms - a.ms),
    byStage: group(rows, (r) => r.stage, totalMs).sort((a, b) => stageOrder.indexOf(a.key) - stageOrder.indexOf(b.key)),
    totals: { ms: totalMs, flops, bytes: rows.reduce((s, r) => s + r.bytes, 0), dispatches: rows.length, gflopPerS: gflopRate(flops, totalMs) },
    ...(ceilingGflops !== undefined ? { ceilingGflops } : {}),
  };
}

/** The rows slowest first (ties in forward-pass order); `top` 0 keeps all. */
export function slowestRows(summary: ProfileSummary, top: number): KernelRow[] {
  const sorted = [...summary.rows].sort((a, b) => b.ms - a.ms || a.index - b.index);
  return top > 0 ? sorted.slice(0, top) : sorted;
}

export function methodText(method: TimingMethod): string {
  return method === 'timestamp-query'
    ? 'timestamp-query (GPU timestamps around each dispatch, each in its own compute pass)'
    : 'HOST CLOCK per dispatch (this adapter has no timestamp-query): each dispatch submitted alone and waited for, so every time includes submit and wait overhead';
}
