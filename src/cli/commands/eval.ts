// `pranet eval`: scores prediction maps against GT masks with PraNet's six metrics (eval/main.m rules), either
// maps already on disk (--pred) or maps the model makes on the spot (--images). Prints a table; optionally
// writes the summary as JSON, per-image scores as CSV and a self-contained HTML report.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSegmenter } from '../../index.js';
import { readImageFile } from '../../io/files-node.js';
import { encodePng } from '../../io/png-encode.js';
import type { RgbaImage } from '../../io/rgba-image.js';
import type { GrayMap } from '../../metrics/gray-map.js';
import { datasetSummary, formatSummaryTable, imageScoresCsv } from '../../metrics/summary.js';
import { type OptionSpec, type OptionsOf, UsageError } from '../args.js';
import { BACKEND_OPTION, defineCommand, optionInputs, QUIET_OPTION, TUNING_OPTION, tuningChoice, WEIGHTS_OPTION } from '../command.js';
import { listFolder, readGroundTruth, readPredictionMap, RESIZE_NOTE } from '../eval/inputs.js';
import { type PairedName, pairByBaseName } from '../eval/pairing.js';
import { buildReport } from '../eval/report.js';
import { Scorer } from '../eval/scorer.js';
import { onInterrupt } from '../interrupt.js';
import type { NamedPath } from '../output-guard.js';
import { formatDuration, Progress } from '../progress.js';
import { type Say, sayer } from '../say.js';
import { checkPlannedOutputs } from '../writable.js';
import { isStdout, writeOutput, writeText } from '../write-output.js';

const OPTIONS = [
  { name: 'pred', type: 'string', meta: 'DIR', help: 'prediction maps to score: 8-bit gray PNGs (channel 1 is read, as MATLAB does)' },
  { name: 'images', type: 'string', meta: 'DIR', help: "images: segmented and scored when --pred is absent; with --pred, used only for the report's overlays" },
  { name: 'gt', type: 'string', meta: 'DIR', help: 'ground-truth masks (PNG or JPEG; gray > 128 is polyp)' },
  { name: 'json', type: 'string', meta: 'FILE', help: "write the dataset metrics as one JSON object ('-': standard output)" },
  { name: 'csv', type: 'string', meta: 'FILE', help: "write one row of scores per image ('-': standard output)" },
  {
    name: 'report',
    type: 'string',
    meta: 'FILE',
    help: "write a self-contained HTML report: metrics, Dice histogram, worst and best 6 images ('-': standard output)",
  },
  { name: 'resize', type: 'boolean', help: "resize maps whose size differs from their mask (bilinear; MATLAB's main.m uses bicubic)" },
  WEIGHTS_OPTION,
  { name: 'batch', type: 'int', meta: 'N', help: 'with --images: images per forward pass (default 1)' },
  {
    name: 'save-maps',
    type: 'string',
    meta: 'DIR',
    help: 'with --images: also write each map as DIR/<name>.png, as `pranet segment` would (an unreadable image is skipped and named)',
  },
  QUIET_OPTION,
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
  if (o.quiet && !OUTPUT_OPTIONS.some((k) => o[k] !== undefined) && o['save-maps'] === undefined) {
    throw new UsageError('--quiet prints no scores: name where they go (--json, --csv or --report; - for standard output)', 'eval');
  }
  return sources;
}

/** The files to score, paired by base name: [map, mask(, image)] with --pred, [image, mask] with --images. */
async function pairInputs(s: Sources): Promise<PairedName[]> {
  const gt = { what: 'mask', dir: s.gt, files: await listFolder(s.gt, 'GT mask') };
  if (s.pred === undefined) return pairByBaseName([{ what: 'image', dir: s.images, files: await listFolder(s.images, 'image') }, gt]);
  const sets = [{ what: 'map', dir: s.pred, files: await listFolder(s.pred, 'map') }, gt];
  if (s.images !== undefined) sets.push({ what: 'image', dir: s.images, files: await listFolder(s.images, 'image') });
  return pairByBaseName(sets);
}

/** Before any work: no output may land on an input or another output, and every output must be writable. */
function checkOutputs(o: EvalOptions, s: Sources, pairs: readonly PairedName[]): void {
  const outputs: NamedPath[] = OUTPUT_OPTIONS.flatMap((k) => (o[k] !== undefined ? [{ path: o[k], what: `--${k}` }] : []));
  const saveMaps = o['save-maps'];
  if (saveMaps !== undefined) outputs.push(...pairs.map((p) => ({ path: join(saveMaps, `${p.name}.png`), what: '--save-maps' })));
  const folders = (['pred', 'images', 'gt'] as const).flatMap((k) => (s[k] !== undefined ? [{ path: s[k], what: `the --${k} folder` }] : []));
  const outputFolders = saveMaps !== undefined ? [{ path: saveMaps, what: '--save-maps' }] : [];
  const weights = optionInputs(o.weights, o.tuning);
  checkPlannedOutputs(
    { inputs: [...pairs.flatMap((p) => p.paths.map((path) => ({ path, what: 'input' }))), ...weights], inputFolders: folders, outputs, outputFolders },
    'eval',
    (f) => f.what === '--save-maps',
  );
}

/** --pred: maps on disk; with --images too, the images only serve the report's overlays. */
async function scoreMaps(pairs: readonly PairedName[], withImages: boolean, scorer: Scorer, quiet: boolean): Promise<Map<string, string>> {
  const progress = pairs.length > 1 && !quiet ? new Progress(pairs.length, 'images') : undefined;
  for (const [i, { name, paths }] of pairs.entries()) {
    const [mapPath, gtPath] = paths as [string, string];
    scorer.add(name, await readPredictionMap(mapPath), mapPath, await readGroundTruth(gtPath), gtPath);
    progress?.update(i + 1);
  }
  return new Map(withImages ? pairs.map((p) => [p.name, p.paths[2]!]) : []);
}

/** An image (or its mask) that could not be read, by its pair's name. */
interface NotScored {
  name: string;
  error: string;
}

/**
 * --images: segments each image and scores its 8-bit map (what `pranet segment` writes), optionally saving it.
 * An image or mask that cannot be read is skipped, as `pranet segment` skips it; returns their names and errors.
 */
async function scoreImages(o: EvalOptions, pairs: readonly PairedName[], scorer: Scorer, keepImages: boolean, say: Say): Promise<NotScored[]> {
  const saveMaps = o['save-maps'];
  const batch = o.batch ?? 1;
  const model = await loadSegmenter(o.weights, { batch, backend: o.backend, tuning: tuningChoice(o.tuning) });
  const skipped: NotScored[] = [];
  let saved = 0;
  const summary = onInterrupt(() => (saveMaps !== undefined ? `wrote ${saved} of ${pairs.length} maps into ${saveMaps}` : undefined));
  try {
    const progress = pairs.length > 1 && !o.quiet ? new Progress(pairs.length, 'images') : undefined;
    for (let start = 0; start < pairs.length; start += batch) {
      // Both files of a pair are read first, so a map is saved only for an image that is also scored.
      const chunk: { name: string; imagePath: string; gtPath: string; image: RgbaImage; gt: GrayMap }[] = [];
      for (const { name, paths } of pairs.slice(start, start + batch)) {
        const [imagePath, gtPath] = paths as [string, string];
        try {
          chunk.push({ name, imagePath, gtPath, image: await readImageFile(imagePath), gt: await readGroundTruth(gtPath) });
        } catch (err) {
          skipped.push({ name, error: (err as Error).message });
        }
      }
      const results = chunk.length > 0 ? await model.segmentBatch(chunk.map((c) => c.image)) : [];
      for (const [i, r] of results.entries()) {
        const { name, imagePath, gtPath, image, gt } = chunk[i]!;
        if (saveMaps !== undefined) {
          mkdirSync(saveMaps, { recursive: true });
          await writeOutput(join(saveMaps, `${name}.png`), encodePng(r.mask, r.width, r.height));
          saved++;
        }
        scorer.add(name, { width: r.width, height: r.height, data: r.mask }, `the map of ${imagePath}`, gt, gtPath, keepImages ? image : undefined);
      }
      progress?.update(Math.min(pairs.length, start + batch));
    }
    progress?.finish();
    if (saveMaps !== undefined) say(`Saved ${saved} maps into ${saveMaps}`);
    return skipped;
  } finally {
    summary();
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
      'pranet eval --pred masks/ --gt TestDataset/Kvasir/masks --quiet --csv - > per-image.csv',
    ],
  },
  async run(o) {
    const sources = checkOptions(o);
    const { report } = o;
    const pairs = await pairInputs(sources);
    checkOutputs(o, sources, pairs);
    const say = sayer({ quiet: o.quiet, stdoutTaken: OUTPUT_OPTIONS.some((k) => isStdout(o[k])) });
    const scorer = new Scorer({ resize: o.resize, thumbnails: report !== undefined });
    const started = performance.now();
    const imagePaths = sources.pred !== undefined ? await scoreMaps(pairs, sources.images !== undefined, scorer, o.quiet) : new Map<string, string>();
    const skipped = sources.pred === undefined ? await scoreImages(o, pairs, scorer, report !== undefined, say) : [];
    for (const { error } of skipped) console.error(`pranet eval: skipped ${error}`);
    if (skipped.length === pairs.length) throw new Error(`none of the ${pairs.length} images in ${sources.images} could be read; nothing to score`);
    const metrics = scorer.summarize();
    const seconds = (performance.now() - started) / 1000;

    const summary = datasetSummary(metrics, o.resize ? scorer.resized > 0 : undefined);
    const notes = scorer.resized > 0 ? [`${scorer.resized} of ${metrics.n} maps differ in size from their masks: ${RESIZE_NOTE}.`] : [];
    if (skipped.length > 0) notes.push(`${skipped.length} of ${pairs.length} images could not be read and are not scored.`);
    const some = (names: string[]) => `${names.length} of ${metrics.n} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`;
    if (scorer.faintMasks.length > 0)
      notes.push(
        `${some(scorer.faintMasks)} masks have pixels but none above 128, so by main.m's rule they hold no polyp; masks labelled 0/1 must be scaled to 0/255.`,
      );
    if (scorer.onePixel.length > 0)
      notes.push(`${some(scorer.onePixel)} images have one pixel: main.m's E-measure divides by eps there, so meanEm and maxEm are about 1e15.`);
    const mapsFrom = sources.pred === undefined ? `the model's maps of ${sources.images}` : `maps in ${sources.pred}`;
    say(`Scored ${metrics.n} images (${mapsFrom} against masks in ${sources.gt}) in ${formatDuration(seconds)}:`);
    say(formatSummaryTable(summary));
    for (const n of notes) say(`Note: ${n}`);

    // Everything to write is made first, so a failure leaves no output behind.
    const outputs: [string, string][] = [];
    // The images left out are listed, so a summary of fewer images than the folder holds says so itself.
    const json = skipped.length > 0 ? { ...summary, notScored: skipped } : summary;
    if (o.json !== undefined) outputs.push([o.json, `${JSON.stringify(json, null, 2)}\n`]);
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
    for (const [path, text] of outputs) await writeText(path, text);
    const files = outputs.map(([p]) => p).filter((p) => !isStdout(p));
    if (files.length > 0) say(`Wrote ${files.join(', ')}`);
    return skipped.length > 0 ? 1 : 0;
  },
});
