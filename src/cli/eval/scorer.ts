// Scores image pairs one at a time, keeping only what the summary and the report need (the per-image curves
// and, with a report, thumbnails), so large datasets do not pile up full-size maps.
import type { RgbaImage } from '../../io/rgba-image.js';
import { evaluateImage, summarizeDataset, type DatasetMetrics, type ImageEvaluation } from '../../metrics/evaluate.js';
import type { GrayMap } from '../../metrics/gray-map.js';
import { rgbaThumbnail, scoredThumbnails, type ScoredThumbnails } from '../../report/thumbnail.js';
import { fitMapToGt } from './inputs.js';

export interface StoredThumbnails extends ScoredThumbnails {
  /** the image at the map thumbnail's size, when it was at hand while scoring */
  image?: RgbaImage;
}

export class Scorer {
  private readonly evaluations: ImageEvaluation[] = [];
  readonly thumbnails = new Map<string, StoredThumbnails>();
  resized = 0;

  constructor(private readonly opts: { resize: boolean; thumbnails: boolean }) {}

  /** Scores one map against its GT (resizing the map if allowed); `image`, if given, is kept for the report. */
  add(name: string, map: GrayMap, mapSource: string, gt: GrayMap, gtSource: string, image?: RgbaImage): void {
    const fitted = fitMapToGt(map, gt, mapSource, gtSource, this.opts.resize);
    if (fitted.resized) this.resized++;
    this.evaluations.push(evaluateImage({ name, pred: fitted.map, gt }));
    if (this.opts.thumbnails) {
      const thumbs: StoredThumbnails = scoredThumbnails(fitted.map, gt);
      if (image) thumbs.image = rgbaThumbnail(image, { width: thumbs.map.width, height: thumbs.map.height });
      this.thumbnails.set(name, thumbs);
    }
  }

  summarize(): DatasetMetrics {
    return summarizeDataset(this.evaluations);
  }
}
