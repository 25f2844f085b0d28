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
import { type OptionSpec, type OptionsOf, UsageError } from '../args.js';
import { BACKEND_OPTION, defineCommand, TUNING_OPTION, tuningChoice, WEIGHTS_OPTION } from '../command.js';
import { listFolder, readGroundTruth, readPredictionMap, RESIZE_NOTE } from '../eval/inputs.js';
import { pairByBaseName } from '../eval/pairing.js';
import { buildReport } from '../eval/report.js';
import { Scorer } from '../eval/scorer.js';
import { formatDuration, Progress } from '../progress.js';

const OPTIONS = [
  { name: 'pred', type: 'string', meta: 'DIR', help: 'prediction maps to score: 8-bit gray PNGs (channel 1 is read, as MATLAB does)' },
  { name: 'images', type: 'string', meta: 'DIR', help: "images: segmented and scored when --pred is absent; with --pred, used only for the report's overlays" },
  { name: 'gt', type: 'string', meta: 'DIR', help: 'ground-truth masks (PNG or JPEG; gray > 128 is polyp)' },
  { name: 'json', type: 'string', meta: 'FILE', help: 'write the dataset metrics as one JSON object' },
  { name: 'csv', type: 'string', meta: 'FILE', help: 'write one row of scores per image' },
  { name: 'report', type: 'string', meta: 'FILE', help: 'write a self-contained HTML report: metrics, Dice histogram, worst and best 6 images' },
  { name: 'resize', type: 'boolean', help: "resize maps whose size differs from their mask (bilinear; MATLAB's main.m uses bicubic)" },
  WEIGHTS_OPTION,
  { name: 'batch', type: 'int', meta: 'N', help: 'with --images: images per forward pass (default 1)' },
  { name: 'save-maps', type: 'string', meta: 'DIR', help: 'with --images: also write each map as DIR/<name>.png, as `pranet segment` would' },
  BACKEND_OPTION,
  TUNING_OPTION,
] as const satisfies readonly OptionSpec[];

type EvalOptions = OptionsOf<typeof OPTIONS>;
/** What is scored against the masks in `gt`: maps on disk (`pred`), or the model's maps of `images`. */
type Sources = { gt: string } & ({ pred: string; images: string | undefined } | { pred: undefined; images: string });

const SEGMENTING_OPTIONS = ['weights', 'batch', 'save-maps', 'backend'] as const;
const OUTPUT_OPTIONS = ['json', 'csv', 'report'] as const;

function checkOptions(o: EvalOptions): Sources {
  const { gt, pred, images } = o;
  if (gt === undefined) throw new UsageError('missing --gt DIR (the ground-truth masks)', 'eval');
  let sources: Sources;
  if (pred !== undefined) sources = { gt, pred, images };
  else if (images !== undefined) sources = { gt, pred, images };
  else throw new UsageError('give --pred DIR (maps to score) or --images DIR (images to segment and score)', 'eval');
  if (pred !== undefined) {
    const misplaced = SEGMENTING_OPTIONS.find((k) => o[k] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} is for segmenting with --images; it cannot be combined with --pred`, 'eval');
  }
  if (o.batch !== undefined && o.batch < 1) throw new UsageError(`--batch must be at least 1, got ${o.batch}`, 'eval');
  // Fail before the work, not after it, when an output cannot be written.
  for (const k of OUTPUT_OPTIONS) {
    const path = o[k];
    if (path !== undefined && !statSync(dirname(resolve(path)), { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`${path}: cannot write the --${k} file, its folder ${dirname(resolve(path))} does not exist`);
    }
  }
  const saveMaps = o['save-maps'];
  for (const input of ['images', 'gt'] as const) {
    const folder = o[input];
    if (saveMaps !== undefined && folder !== undefined && resolve(saveMaps) === resolve(folder))
      throw new UsageError(`--save-maps must not be the --${input} folder (its files would be overwritten)`, 'eval');
  }
  return sources;
}

/** --pred: maps on disk; with --images too, the images only serve the report's overlays. */
async function scoreMaps(s: Sources & { pred: string }, scorer: Scorer): Promise<Map<string, string>> {
  const sets = [
    { what: 'map', dir: s.pred, files: await listFolder(s.pred, 'map') },
    { what: 'mask', dir: s.gt, files: await listFolder(s.gt, 'GT mask') },
  ];
  if (s.images !== undefined) sets.push({ what: 'image', dir: s.images, files: await listFolder(s.images, 'image') });
  const pairs = pairByBaseName(sets);
  const progress = pairs.length > 1 ? new Progress(pairs.length, 'images') : undefined;
  for (const [i, { name, paths }] of pairs.entries()) {
    const [mapPath, gtPath] = paths as [string, string];
    scorer.add(name, await readPredictionMap(mapPath), mapPath, await readGroundTruth(gtPath), gtPath);
    progress?.update(i + 1);
  }
  return new Map(s.images !== undefined ? pairs.map((p) => [p.name, p.paths[2]!]) : []);
}

/** --images: segments each image and scores its 8-bit map (what `pranet segment` writes), optionally saving it. */
async function scoreImages(o: EvalOptions, s: Sources & { images: string }, scorer: Scorer, keepImages: boolean): Promise<void> {
  const pairs = pairByBaseName([
    { what: 'image', dir: s.images, files: await listFolder(s.images, 'image') },
    { what: 'mask', dir: s.gt, files: await listFolder(s.gt, 'GT mask') },
  ]);
  const saveMaps = o['save-maps'];
  if (saveMaps !== undefined) mkdirSync(saveMaps, { recursive: true });
  const batch = o.batch ?? 1;
  const model = await loadSegmenter(o.weights, { batch, backend: o.backend, tuning: tuningChoice(o.tuning) });
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

export const evaluate = defineCommand({
  spec: {
    name: 'eval',
    summary:
      "Score polyp maps against ground-truth masks with PraNet's metrics (mDice, mIoU, wFm, Sm, maxEm, meanEm, MAE, maxDice; eval/main.m rules). " +
      'Maps and masks are paired by base name, whatever the extension.',
    usage:
      'pranet eval (--pred DIR | --images DIR) --gt DIR [--json FILE] [--csv FILE] [--report FILE.html] [--resize] [--weights FILE] [--batch N] [--save-maps DIR]',
    positionals: [],
    options: OPTIONS,
    examples: [
      'pranet eval --pred results/Kvasir --gt TestDataset/Kvasir/masks --json kvasir.json',
      'pranet eval --images TestDataset/Kvasir/images --gt TestDataset/Kvasir/masks --report kvasir.html',
    ],
  },
  async run(o) {
    const sources = checkOptions(o);
    const { report } = o;
    const scorer = new Scorer({ resize: o.resize, thumbnails: report !== undefined });
    const started = performance.now();
    const imagePaths = sources.pred !== undefined ? await scoreMaps(sources, scorer) : new Map<string, string>();
    if (sources.pred === undefined) await scoreImages(o, sources, scorer, report !== undefined);
    const metrics = scorer.summarize();
    const seconds = (performance.now() - started) / 1000;

    const summary = datasetSummary(metrics, o.resize ? scorer.resized > 0 : undefined);
    const notes = scorer.resized > 0 ? [`${scorer.resized} of ${metrics.n} maps differ in size from their masks: ${RESIZE_NOTE}.`] : [];
    const mapsFrom = sources.pred === undefined ? `the model's maps of ${sources.images}` : `maps in ${sources.pred}`;
    console.log(`Scored ${metrics.n} images (${mapsFrom} against masks in ${sources.gt}) in ${formatDuration(seconds)}:`);
    console.log(formatSummaryTable(summary));
    for (const n of notes) console.log(`Note: ${n}`);

    // Everything to write is made first, so a failure leaves no output behind.
    const outputs: [string, string][] = [];
    if (o.json !== undefined) outputs.push([o.json, `${JSON.stringify(summary, null, 2)}\n`]);
    if (o.csv !== undefined) outputs.push([o.csv, imageScoresCsv(metrics.images)]);
    if (report !== undefined) {
      const sourceRows: [string, string][] =
        sources.pred === undefined
          ? [
              ['images', sources.images],
              ['weights', o.weights ?? 'the shipped model'],
              ['ground truth', sources.gt],
            ]
          : [
              ['predictions', sources.pred],
              ['ground truth', sources.gt],
              ...(sources.images !== undefined ? [['images', sources.images] as [string, string]] : []),
            ];
      outputs.push([report, await buildReport({ metrics, summary, thumbnails: scorer.thumbnails, imagePaths, sources: sourceRows, notes })]);
    }
    for (const [path, text] of outputs) await writeFileAtomic(path, new TextEncoder().encode(text));
    if (outputs.length > 0) console.log(`Wrote ${outputs.map(([p]) => p).join(', ')}`);
    return 0;
  },
});
