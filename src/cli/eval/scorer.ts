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
  /** masks with pixels but none above 128: empty by main.m's rule (labels 0/1 not scaled to 0/255?) */
  readonly faintMasks: string[] = [];
  /** images of one pixel, whose E-measure main.m divides by eps */
  readonly onePixel: string[] = [];

  constructor(private readonly opts: { resize: boolean; thumbnails: boolean }) {}

  /** Scores one map against its GT (resizing the map if allowed); `image`, if given, is kept for the report. */
  add(name: string, map: GrayMap, mapSource: string, gt: GrayMap, gtSource: string, image?: RgbaImage): void {
    const fitted = fitMapToGt(map, gt, mapSource, gtSource, this.opts.resize);
    if (fitted.resized) this.resized++;
    if (gt.data.length < 2) this.onePixel.push(name);
    if (!gt.data.some((v) => v > 128) && gt.data.some((v) => v > 0)) this.faintMasks.push(name);
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
