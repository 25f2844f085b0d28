// How dataset results are presented: the paper's metric names in one order, shared by the text table,
// the JSON summary and the HTML report, and the per-image CSV. Pure functions, browser-safe.
import type { DatasetMetrics, ImageScores } from './evaluate.js';

export type SummaryKey = 'mDice' | 'mIoU' | 'wFm' | 'Sm' | 'maxEm' | 'meanEm' | 'MAE' | 'maxDice';

export interface SummaryColumn {
  key: SummaryKey;
  /** the paper's name, as printed */
  label: string;
  /** what it is, in a few words */
  help: string;
}

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  { key: 'mDice', label: 'mDice', help: 'mean Dice, averaged over 256 thresholds' },
  { key: 'mIoU', label: 'mIoU', help: 'mean IoU, averaged over 256 thresholds' },
  { key: 'wFm', label: 'wFm (F^w_beta)', help: 'weighted F-measure, beta^2 = 1' },
  { key: 'Sm', label: 'Sm (S_alpha)', help: 'structure measure, alpha = 0.5' },
  { key: 'maxEm', label: 'maxEm', help: 'max over thresholds of the mean E-measure' },
  { key: 'meanEm', label: 'meanEm', help: 'mean over thresholds of the mean E-measure' },
  { key: 'MAE', label: 'MAE', help: 'mean absolute error (lower is better)' },
  { key: 'maxDice', label: 'maxDice', help: 'Dice at the best dataset-wide threshold' },
];

/** The JSON summary: n and the eight dataset metrics, plus `resized` when the caller says whether maps were resized. */
export type DatasetSummary = { n: number } & Record<SummaryKey, number> & { resized?: boolean };

export function datasetSummary(m: DatasetMetrics, resized?: boolean): DatasetSummary {
  const out = { n: m.n } as DatasetSummary;
  for (const c of SUMMARY_COLUMNS) out[c.key] = m[c.key];
  if (resized !== undefined) out.resized = resized;
  return out;
}

/** Values as the table and the report print them. */
export const formatMetric = (v: number): string => v.toFixed(4);

/** A plain-text table: one metric per line, values aligned, n last. */
export function formatSummaryTable(s: DatasetSummary): string {
  const width = Math.max(...SUMMARY_COLUMNS.map((c) => c.label.length)) + 2;
  const rows = SUMMARY_COLUMNS.map((c) => `${c.label.padEnd(width)}${formatMetric(s[c.key])}   ${c.help}`);
  return [`${'metric'.padEnd(width)}value`, ...rows, `${'n'.padEnd(width)}${String(s.n).padStart(6)}   images`].join('\n');
}

export const IMAGE_CSV_COLUMNS = ['name', 'meanDice', 'meanIoU', 'wFm', 'Sm', 'meanEm', 'MAE', 'dice05'] as const;

/** RFC 4180 quoting, needed only for names with commas, quotes or line breaks. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per image with every score at full precision, header first, LF line ends. */
export function imageScoresCsv(rows: readonly ImageScores[]): string {
  const lines = [IMAGE_CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(IMAGE_CSV_COLUMNS.map((c) => (c === 'name' ? csvField(r.name) : String(r[c]))).join(','));
  return `${lines.join('\n')}\n`;
}
