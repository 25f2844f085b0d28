// An inline SVG histogram of per-image scores in [0, 1] (the report uses per-image mean Dice).
import { escapeHtml } from './html.js';

/** Counts per bin: bin k holds values in [k/bins, (k+1)/bins), the last one also 1. */
export function histogramCounts(values: readonly number[], bins: number): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogramCounts: bins must be a positive integer, got ${bins}`);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!(v >= 0 && v <= 1)) throw new Error(`histogramCounts: value ${v} is outside [0, 1]`);
    counts[Math.min(bins - 1, Math.floor(v * bins))]!++;
  }
  return counts;
}

export interface HistogramOptions {
  bins?: number;
  /** x-axis caption */
  label: string;
  /** a value to mark with a vertical line, e.g. the mean */
  marker?: { value: number; label: string };
}

/** The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `min`: a tick spacing people read easily. */
function niceStep(min: number): number {
  for (let p = 1; ; p *= 10) for (const m of [1, 2, 5]) if (m * p >= min) return m * p;
}

const W = 640;
const H = 260;
const M = { left: 48, right: 16, top: 16, bottom: 44 };

/** The histogram as an <svg> element; every bar carries its range and count in data- attributes. */
export function histogramSvg(values: readonly number[], opts: HistogramOptions): string {
  const bins = opts.bins ?? 20;
  const counts = histogramCounts(values, bins);
  const top = Math.max(1, ...counts);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (v: number) => M.left + v * plotW;
  const y = (c: number) => M.top + plotH - (c / top) * plotH;
  const parts: string[] = [];
  counts.forEach((c, k) => {
    const lo = k / bins;
    const hi = (k + 1) / bins;
    const tip = `${lo.toFixed(2)}–${hi.toFixed(2)}: ${c} image${c === 1 ? '' : 's'}`;
    parts.push(
      `<rect class="bar" data-lo="${lo}" data-hi="${hi}" data-count="${c}" x="${x(lo) + 1}" y="${y(c)}" width="${plotW / bins - 2}" height="${y(0) - y(c)}"><title>${tip}</title></rect>`,
    );
  });
  for (let t = 0; t <= 5; t++) {
    const v = t / 5;
    parts.push(
      `<line class="tick" x1="${x(v)}" y1="${y(0)}" x2="${x(v)}" y2="${y(0) + 5}"/><text x="${x(v)}" y="${y(0) + 18}" text-anchor="middle">${v.toFixed(1)}</text>`,
    );
  }
  const step = niceStep(top / 5);
  for (let c = 0; c <= top; c += step) {
    parts.push(
      `<line class="tick" x1="${M.left - 5}" y1="${y(c)}" x2="${M.left}" y2="${y(c)}"/><text x="${M.left - 8}" y="${y(c) + 4}" text-anchor="end">${c}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${M.left}" y1="${y(0)}" x2="${x(1)}" y2="${y(0)}"/><line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${y(0)}"/>`,
  );
  parts.push(`<text x="${M.left + plotW / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(opts.label)}</text>`);
  parts.push(`<text transform="translate(12 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">images</text>`);
  if (opts.marker) {
    const mx = x(opts.marker.value);
    parts.push(
      `<line class="marker" x1="${mx}" y1="${M.top}" x2="${mx}" y2="${y(0)}"/><text x="${mx - 4}" y="${M.top + 10}" text-anchor="end">${escapeHtml(opts.marker.label)}</text>`,
    );
  }
  return `<svg class="histogram" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(`histogram of ${opts.label}`)}">${parts.join('')}</svg>`;
}
