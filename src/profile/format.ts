// Plain-text tables of a profile summary, for a terminal (or a <pre> on a web page).
import { type GroupSummary, type KernelRow, methodText, type ProfileSummary, slowestRows } from './kernel-profile.js';

interface Column<T> {
  title: string;
  value: (r: T) => string;
  left?: boolean;
}

function table<T>(rows: readonly T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.left ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const fixed = (digits: number) => (v: number) => v.toFixed(digits);
const ms = (v: number) => (v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const gflop = (flops: number) => fixed(3)(flops / 1e9);
const rate = fixed(2);
const mb = (bytes: number) => fixed(2)(bytes / 1e6);

export function formatKernelTable(summary: ProfileSummary, top: number): string {
  const rows = slowestRows(summary, top);
  const columns: Column<KernelRow>[] = [
    { title: '#', value: (r) => String(r.index) },
    { title: 'node', value: (r) => r.name, left: true },
    { title: 'op', value: (r) => r.op, left: true },
    { title: 'shapes (NCHW)', value: (r) => r.shapes, left: true },
    { title: 'ms', value: (r) => ms(r.ms) },
    { title: 'share %', value: (r) => fixed(1)(r.share) },
    { title: 'GFLOP', value: (r) => gflop(r.flops) },
    { title: 'GFLOP/s', value: (r) => rate(r.gflopPerS) },
    { title: 'MB', value: (r) => mb(r.bytes) },
  ];
  if (summary.ceilingGflops !== undefined)
    columns.push({ title: '% ceiling', value: (r) => (r.ceilingFraction === undefined ? '' : fixed(0)(100 * r.ceilingFraction)) });
  const shown = rows.length < summary.rows.length ? ` (slowest ${rows.length} of ${summary.rows.length})` : '';
  return `Kernels by GPU time${shown}:\n${table(rows, columns)}`;
}

export function formatGroupTable(title: string, groups: readonly GroupSummary[], keyTitle: string): string {
  return `${title}:\n${table(groups, [
    { title: keyTitle, value: (g) => g.key, left: true },
    { title: 'dispatches', value: (g) => String(g.dispatches) },
    { title: 'ms', value: (g) => ms(g.ms) },
    { title: 'share %', value: (g) => fixed(1)(g.share) },
    { title: 'GFLOP', value: (g) => gflop(g.flops) },
    { title: 'GFLOP/s', value: (g) => rate(g.gflopPerS) },
    { title: 'MB', value: (g) => mb(g.bytes) },
  ])}`;
}

export function formatTotals(summary: ProfileSummary): string {
  const t = summary.totals;
  const lines = [
    `Total GPU time ${ms(t.ms)} ms over ${t.dispatches} dispatches; ${gflop(t.flops)} GFLOP, ${rate(t.gflopPerS)} GFLOP/s overall; ${mb(t.bytes)} MB moved`,
    `Timing: ${methodText(summary.method)}`,
  ];
  if (summary.ceilingGflops !== undefined) {
    const convs = summary.rows.filter((r) => r.ceilingFraction !== undefined);
    const convMs = convs.reduce((s, r) => s + r.ms, 0);
    const convFlops = convs.reduce((s, r) => s + r.flops, 0);
    const convRate = convMs > 0 ? convFlops / convMs / 1e6 : 0;
    lines.push(
      `GEMM ceiling ${rate(summary.ceilingGflops)} GFLOP/s (best f32 GEMM of the engine's conv kernel); all convs together reach ${rate(convRate)} GFLOP/s = ${fixed(0)((100 * convRate) / summary.ceilingGflops)}% of it`,
    );
  }
  return lines.join('\n');
}

/** The whole report: kernels (slowest `top`, 0 = all), per op type, per stage, totals. */
export function formatProfile(summary: ProfileSummary, top: number): string {
  return [
    formatKernelTable(summary, top),
    formatGroupTable('By op type', summary.byOp, 'op'),
    formatGroupTable('By network stage', summary.byStage, 'stage'),
    formatTotals(summary),
  ].join('\n\n');
}
