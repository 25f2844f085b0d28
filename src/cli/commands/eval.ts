// `pranet eval`: scores prediction maps against GT masks with PraNet's six metrics (eval/main.m rules), either
// maps already on disk (--pred) or maps the model makes on the spot (--images). Prints a table; optionally
// writes the summary as JSON, per-image scores as CSV and a self-contained HTML report.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadSegmenter } from '../../index.js';
import { readImageFile, writeFileAtomic } from '../../io/files-node.js';
import { encodePng } from '../../io/png-encode.js';
import type { RgbaImage } from '../../io/rgba-image.js';
import { datasetSummary, formatSummaryTable, imageScoresCsv } from '../../metrics/summary.js';
import { UsageError, type ParsedOptions } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_OPTION, WEIGHTS_OPTION } from '../command.js';
import { listFolder, readGroundTruth, readPredictionMap, RESIZE_NOTE } from '../eval/inputs.js';
import { pairByBaseName } from '../eval/pairing.js';
import { buildReport } from '../eval/report.js';
import { Scorer } from '../eval/scorer.js';
import { formatDuration, Progress } from '../progress.js';

const SEGMENTING_OPTIONS = ['weights', 'batch', 'save-maps', 'backend'] as const;
const OUTPUT_OPTIONS = ['json', 'csv', 'report'] as const;

function checkOptions(o: ParsedOptions): void {
  if (o.gt === undefined) throw new UsageError('missing --gt DIR (the ground-truth masks)', 'eval');
  if (o.pred === undefined && o.images === undefined) throw new UsageError('give --pred DIR (maps to score) or --images DIR (images to segment and score)', 'eval');
  if (o.pred !== undefined) {
    const misplaced = SEGMENTING_OPTIONS.find((k) => o[k] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} is for segmenting with --images; it cannot be combined with --pred`, 'eval');
  }
  if (o.batch !== undefined && (o.batch as number) < 1) throw new UsageError(`--batch must be at least 1, got ${o.batch}`, 'eval');
  // Fail before the work, not after it, when an output cannot be written.
  for (const k of OUTPUT_OPTIONS) {
    const path = o[k] as string | undefined;
    if (path !== undefined && !statSync(dirname(resolve(path)), { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`${path}: cannot write the --${k} file, its folder ${dirname(resolve(path))} does not exist`);
    }
  }
  const saveMaps = o['save-maps'] as string | undefined;
  for (const input of ['images', 'gt'] as const) {
    if (saveMaps !== undefined && o[input] !== undefined && resolve(saveMaps) === resolve(o[input] as string)) throw new UsageError(`--save-maps must not be the --${input} folder (its files would be overwritten)`, 'eval');
  }
}

/** --pred: maps on disk; with --images too, the images only serve the report's overlays. */
async function scoreMaps(o: ParsedOptions, scorer: Scorer): Promise<Map<string, string>> {
  const sets = [
    { what: 'map', dir: o.pred as string, files: await listFolder(o.pred as string, 'map') },
    { what: 'mask', dir: o.gt as string, files: await listFolder(o.gt as string, 'GT mask') },
  ];
  if (o.images !== undefined) sets.push({ what: 'image', dir: o.images as string, files: await listFolder(o.images as string, 'image') });
  const pairs = pairByBaseName(sets);
  const progress = pairs.length > 1 ? new Progress(pairs.length, 'images') : undefined;
  for (const [i, { name, paths }] of pairs.entries()) {
    const [mapPath, gtPath] = paths as [string, string];
    scorer.add(name, await readPredictionMap(mapPath), mapPath, await readGroundTruth(gtPath), gtPath);
    progress?.update(i + 1);
  }
  return new Map(o.images !== undefined ? pairs.map((p) => [p.name, p.paths[2]!]) : []);
}

/** --images: segments each image and scores its 8-bit map (what `pranet segment` writes), optionally saving it. */
async function scoreImages(o: ParsedOptions, scorer: Scorer, keepImages: boolean): Promise<void> {
  const pairs = pairByBaseName([
    { what: 'image', dir: o.images as string, files: await listFolder(o.images as string, 'image') },
    { what: 'mask', dir: o.gt as string, files: await listFolder(o.gt as string, 'GT mask') },
  ]);
  const saveMaps = o['save-maps'] as string | undefined;
  if (saveMaps !== undefined) mkdirSync(saveMaps, { recursive: true });
  const batch = (o.batch as number | undefined) ?? 1;
  const model = await loadSegmenter(o.weights as string | undefined, { batch, ...(o.backend ? { backend: o.backend as 'vulkan' } : {}) });
  try {
    const progress = pairs.length > 1 ? new Progress(pairs.length, 'images') : undefined;
    for (let start = 0; start < pairs.length; start += batch) {
      const chunk = pairs.slice(start, start + batch);
      const images: RgbaImage[] = [];
      for (const p of chunk) images.push(await readImageFile(p.paths[0]!));
      const results = await model.segmentBatch(images);
      for (const [i, r] of results.entries()) {
        const { name, paths } = chunk[i]!;
        const [imagePath, gtPath] = paths as [string, string];
        if (saveMaps !== undefined) await writeFileAtomic(join(saveMaps, `${name}.png`), encodePng(r.mask, r.width, r.height));
        const map = { width: r.width, height: r.height, data: r.mask };
        scorer.add(name, map, `the map of ${imagePath}`, await readGroundTruth(gtPath), gtPath, keepImages ? images[i] : undefined);
      }
      progress?.update(Math.min(pairs.length, start + batch));
    }
  } finally {
    await model.dispose();
  }
}

export const evaluate: Command = {
  spec: {
    name: 'eval',
    summary: 'Score polyp maps against ground-truth masks with PraNet\'s metrics (mDice, mIoU, wFm, Sm, maxEm, meanEm, MAE, maxDice; eval/main.m rules). ' +
      'Maps and masks are paired by base name, whatever the extension.',
    usage: 'pranet eval (--pred DIR | --images DIR) --gt DIR [--json FILE] [--csv FILE] [--report FILE.html] [--resize] [--weights FILE] [--batch N] [--save-maps DIR]',
    positionals: [],
    options: [
      { name: 'pred', type: 'string', meta: 'DIR', help: 'prediction maps to score: 8-bit gray PNGs (channel 1 is read, as MATLAB does)' },
      { name: 'images', type: 'string', meta: 'DIR', help: 'images: segmented and scored when --pred is absent; with --pred, used only for the report\'s overlays' },
      { name: 'gt', type: 'string', meta: 'DIR', help: 'ground-truth masks (PNG or JPEG; gray > 128 is polyp)' },
      { name: 'json', type: 'string', meta: 'FILE', help: 'write the dataset metrics as one JSON object' },
      { name: 'csv', type: 'string', meta: 'FILE', help: 'write one row of scores per image' },
      { name: 'report', type: 'string', meta: 'FILE', help: 'write a self-contained HTML report: metrics, Dice histogram, worst and best 6 images' },
      { name: 'resize', type: 'boolean', help: 'resize maps whose size differs from their mask (bilinear; MATLAB\'s main.m uses bicubic)' },
      WEIGHTS_OPTION,
      { name: 'batch', type: 'int', meta: 'N', help: 'with --images: images per forward pass (default 1)' },
      { name: 'save-maps', type: 'string', meta: 'DIR', help: 'with --images: also write each map as DIR/<name>.png, as `pranet segment` would' },
      BACKEND_OPTION,
    ],
    examples: [
      'pranet eval --pred results/Kvasir --gt TestDataset/Kvasir/masks --json kvasir.json',
      'pranet eval --images TestDataset/Kvasir/images --gt TestDataset/Kvasir/masks --report kvasir.html',
    ],
  },
  async run(o) {
    checkOptions(o);
    const report = o.report as string | undefined;
    const scorer = new Scorer({ resize: o.resize === true, thumbnails: report !== undefined });
    const started = performance.now();
    const segmenting = o.pred === undefined;
    const imagePaths = segmenting ? new Map<string, string>() : await scoreMaps(o, scorer);
    if (segmenting) await scoreImages(o, scorer, report !== undefined);
    const metrics = scorer.summarize();
    const seconds = (performance.now() - started) / 1000;

    const summary = datasetSummary(metrics, o.resize === true ? scorer.resized > 0 : undefined);
    const notes = scorer.resized > 0 ? [`${scorer.resized} of ${metrics.n} maps differ in size from their masks: ${RESIZE_NOTE}.`] : [];
    const mapsFrom = segmenting ? `the model's maps of ${o.images as string}` : `maps in ${o.pred as string}`;
    console.log(`Scored ${metrics.n} images (${mapsFrom} against masks in ${o.gt as string}) in ${formatDuration(seconds)}:`);
    console.log(formatSummaryTable(summary));
    for (const n of notes) console.log(`Note: ${n}`);

    // Everything to write is made first, so a failure leaves no output behind.
    const outputs: [string, string][] = [];
    if (o.json !== undefined) outputs.push([o.json as string, `${JSON.stringify(summary, null, 2)}\n`]);
    if (o.csv !== undefined) outputs.push([o.csv as string, imageScoresCsv(metrics.images)]);
    if (report !== undefined) {
      const sources: [string, string][] = segmenting
        ? [['images', o.images as string], ['weights', (o.weights as string | undefined) ?? 'the shipped model'], ['ground truth', o.gt as string]]
        : [['predictions', o.pred as string], ['ground truth', o.gt as string], ...(o.images !== undefined ? [['images', o.images as string] as [string, string]] : [])];
      outputs.push([report, await buildReport({ metrics, summary, thumbnails: scorer.thumbnails, imagePaths, sources, notes })]);
    }
    for (const [path, text] of outputs) await writeFileAtomic(path, new TextEncoder().encode(text));
    if (outputs.length > 0) console.log(`Wrote ${outputs.map(([p]) => p).join(', ')}`);
    return 0;
  },
};
