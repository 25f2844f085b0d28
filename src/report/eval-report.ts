// The `pranet eval --report` page: one self-contained HTML file (inline CSS, inline SVG, PNG data: URIs,
// nothing fetched) with the metric table, a histogram of per-image Dice and the worst and best images.
import type { ImageScores } from '../metrics/evaluate.js';
import { formatMetric, SUMMARY_COLUMNS, type DatasetSummary } from '../metrics/summary.js';
import { histogramSvg } from './histogram.js';
import { escapeHtml } from './html.js';
import type { EmbeddedPicture } from './png-data-uri.js';

export interface ReportImage {
  scores: ImageScores;
  /** the image with the predicted region overlaid, or the prediction map itself when no image is at hand */
  prediction: EmbeddedPicture;
  predictionCaption: string;
  gt: EmbeddedPicture;
}

export interface EvalReportData {
  title: string;
  summary: DatasetSummary;
  /** every image's scores, for the histogram */
  images: readonly ImageScores[];
  worst: readonly ReportImage[];
  best: readonly ReportImage[];
  /** what was evaluated, e.g. ['predictions', '/data/maps'] */
  sources: readonly [string, string][];
  /** remarks shown under the table (e.g. that maps were resized) */
  notes: readonly string[];
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
dl.sources { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; color: #555; }
dl.sources dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
table.metrics { border-collapse: collapse; } table.metrics td, table.metrics th { padding: 3px 12px; border-bottom: 1px solid #ddd; text-align: left; }
table.metrics td.value { font-family: ui-monospace, monospace; text-align: right; }
table.metrics td.help { color: #666; }
p.note { background: #fff6dd; border-left: 3px solid #e0b000; padding: 6px 10px; }
svg.histogram text { font-size: 11px; fill: #444; } svg.histogram rect.bar { fill: #4a7fc1; }
svg.histogram line.axis, svg.histogram line.tick { stroke: #444; } svg.histogram line.marker { stroke: #c33; stroke-dasharray: 4 3; }
div.gallery { display: flex; flex-wrap: wrap; gap: 14px; }
figure.thumb { margin: 0; padding: 8px; border: 1px solid #ddd; border-radius: 4px; }
figure.thumb div.pair { display: flex; gap: 4px; } figure.thumb img { display: block; image-rendering: auto; }
figure.thumb figcaption { font-size: 12px; color: #444; margin-top: 4px; }
figure.thumb span.label { display: inline-block; width: 50%; color: #888; font-size: 11px; }
`;

function metricTable(s: DatasetSummary): string {
  const rows = SUMMARY_COLUMNS.map(
    (c) => `<tr><td>${escapeHtml(c.label)}</td><td class="value">${formatMetric(s[c.key])}</td><td class="help">${escapeHtml(c.help)}</td></tr>`,
  );
  rows.push(`<tr><td>n</td><td class="value">${s.n}</td><td class="help">images</td></tr>`);
  return `<table class="metrics"><thead><tr><th>metric</th><th>value</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const img = (p: EmbeddedPicture, alt: string): string => `<img src="${p.src}" width="${p.width}" height="${p.height}" alt="${escapeHtml(alt)}">`;

function thumbnail(r: ReportImage): string {
  const s = r.scores;
  return (
    `<figure class="thumb"><div class="pair">${img(r.prediction, `${s.name}: ${r.predictionCaption}`)}${img(r.gt, `${s.name}: ground truth`)}</div>` +
    `<figcaption><span class="label">${escapeHtml(r.predictionCaption)}</span><span class="label">ground truth</span><br>` +
    `<b>${escapeHtml(s.name)}</b><br>Dice ${formatMetric(s.meanDice)} · IoU ${formatMetric(s.meanIoU)} · Dice@0.5 ${formatMetric(s.dice05)}</figcaption></figure>`
  );
}

const gallery = (title: string, items: readonly ReportImage[]): string =>
  items.length === 0 ? '' : `<h2>${escapeHtml(title)}</h2><div class="gallery">${items.map(thumbnail).join('')}</div>`;

export function renderEvalReport(d: EvalReportData): string {
  const sources = d.sources.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const notes = d.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  const histogram = histogramSvg(
    d.images.map((s) => s.meanDice),
    {
      label: 'per-image mean Dice (averaged over 256 thresholds)',
      marker: { value: d.summary.mDice, label: `mDice ${formatMetric(d.summary.mDice)}` },
    },
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(d.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(d.title)}</h1>`,
    `<dl class="sources">${sources}</dl>`,
    '<h2>Metrics</h2>',
    metricTable(d.summary),
    notes,
    '<h2>Per-image Dice</h2>',
    histogram,
    gallery(`Worst ${d.worst.length} by Dice`, d.worst),
    gallery(`Best ${d.best.length} by Dice`, d.best),
    '</body></html>',
    '',
  ].join('\n');
}
