// Assembles the --report page: picks the worst and best images, makes their pictures (re-reading the
// original images from --images when scoring did not have them), renders and returns the HTML.
import { drawOverlay } from '../../io/overlay.js';
import { readImageFile } from '../../io/files-node.js';
import type { DatasetMetrics, ImageScores } from '../../metrics/evaluate.js';
import type { DatasetSummary } from '../../metrics/summary.js';
import { renderEvalReport, type ReportImage } from '../../report/eval-report.js';
import { embedGray, embedRgba } from '../../report/png-data-uri.js';
import { worstAndBest } from '../../report/select.js';
import { rgbaThumbnail } from '../../report/thumbnail.js';
import type { StoredThumbnails } from './scorer.js';

export interface ReportInputs {
  metrics: DatasetMetrics;
  summary: DatasetSummary;
  thumbnails: ReadonlyMap<string, StoredThumbnails>;
  /** original image per name, for overlays when the thumbnails have none (may be empty) */
  imagePaths: ReadonlyMap<string, string>;
  sources: [string, string][];
  notes: string[];
}

async function reportImage(scores: ImageScores, inputs: ReportInputs): Promise<ReportImage> {
  const thumbs = inputs.thumbnails.get(scores.name);
  if (!thumbs) throw new Error(`report: no thumbnails kept for ${scores.name}`);
  const path = inputs.imagePaths.get(scores.name);
  const image = thumbs.image ?? (path ? rgbaThumbnail(await readImageFile(path), { width: thumbs.map.width, height: thumbs.map.height }) : undefined);
  return {
    scores,
    prediction: image ? embedRgba(drawOverlay(image, thumbs.map.data)) : embedGray(thumbs.map),
    predictionCaption: image ? 'image + prediction' : 'prediction map',
    gt: embedGray(thumbs.gt),
  };
}

export async function buildReport(inputs: ReportInputs): Promise<string> {
  const { worst, best } = worstAndBest(inputs.metrics.images);
  return renderEvalReport({
    title: `PraNet evaluation: ${inputs.summary.n} images`,
    summary: inputs.summary,
    images: inputs.metrics.images,
    worst: await Promise.all(worst.map((s) => reportImage(s, inputs))),
    best: await Promise.all(best.map((s) => reportImage(s, inputs))),
    sources: inputs.sources,
    notes: inputs.notes,
  });
}
