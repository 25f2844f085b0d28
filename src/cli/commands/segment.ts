// `pranet segment`: images (files or folders) -> polyp masks at each image's size, optional overlays,
// thresholded masks and the raw logits.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { loadSegmenter, type SegmentTimings } from '../../index.js';
import { drawOverlay } from '../../io/overlay.js';
import { binarize } from '../../io/postprocess.js';
import { encodeNpy } from '../../io/npy.js';
import { encodePng, encodePngRgba } from '../../io/png-encode.js';
import { listImages, readImageFile } from '../../io/files-node.js';
import type { RgbaImage } from '../../io/rgba-image.js';
import { BACKEND_OPTION, defineCommand, optionInputs, QUIET_OPTION, TUNING_OPTION, tuningChoice, WEIGHTS_OPTION } from '../command.js';
import { onInterrupt } from '../interrupt.js';
import type { NamedPath } from '../output-guard.js';
import { formatDuration, Progress } from '../progress.js';
import { sayer } from '../say.js';
import { checkPlannedOutputs } from '../writable.js';
import { isStdout, writeOutput, writeText } from '../write-output.js';
import { UsageError } from '../args.js';
import { isVideoFile, videoOutputProblem } from '../video/ffmpeg.js';
import { frameOfMaskName, segmentVideo } from '../video/segment-video.js';

async function expandInputs(inputs: string[]): Promise<{ files: string[]; folders: string[] }> {
  const files: string[] = [];
  const folders: string[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw new Error(`${input}: no such file or folder`);
    if (statSync(input).isDirectory()) {
      const found = await listImages(input);
      if (found.length === 0) throw new Error(`${input}: no .png, .jpg or .jpeg images in this folder`);
      files.push(...found);
      folders.push(input);
    } else files.push(input);
  }
  return { files, folders };
}

/** Two inputs with the same base name (a.png, a.jpg) would write the same mask: refused before any work. */
function refuseSameOutput(files: readonly string[], maskPath: (file: string) => string): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    const out = maskPath(file);
    const other = seen.get(out);
    if (other !== undefined)
      throw new UsageError(`${other} and ${file} would both be written to ${out}; rename one or segment them into different folders`, 'segment');
    seen.set(out, file);
  }
}

/** What --json records for each image. */
interface ImageRecord {
  file: string;
  width: number;
  height: number;
  maxProbability: number;
  polypPresent: boolean;
  areaFraction: number;
  /** the stage times of the forward pass (and batch) that segmented it */
  imagesInBatch: number;
  batchTimingsMs: SegmentTimings;
}

/** Probabilities in [0, 1] -> 0..255, rounded. */
const toBytes = (p: Float32Array): Uint8Array => Uint8Array.from(p, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));

export const segment = defineCommand({
  spec: {
    name: 'segment',
    summary:
      "Segment polyps: writes an 8-bit mask PNG per image at the image's own size (PraNet's normalised map: the probability stretched to 0..255 per image, as the paper saves it; the probability itself with --raw; a binary mask of the probability with --threshold).",
    usage:
      'pranet segment <image|folder>... [-o FILE|DIR] [--weights FILE] [--overlay] [--threshold T | --raw] [--presence T] [--json FILE] [--batch N] [--save-logits FILE.npy]',
    positionals: [{ name: 'inputs', help: 'PNG/JPEG images or folders of them', required: true, many: true }],
    options: [
      {
        name: 'output',
        short: 'o',
        type: 'string',
        meta: 'PATH',
        help: 'mask file (one input image) or output folder; default: <name>.mask.png here, or ./masks for several images',
      },
      WEIGHTS_OPTION,
      {
        name: 'overlay',
        type: 'boolean',
        help: 'also write the image with the polyp tinted and outlined: <name>.overlay.png beside a single mask, or OUT/overlays/<name>.png for an output folder (so `pranet eval --pred OUT` reads masks only)',
      },
      {
        name: 'threshold',
        type: 'number',
        meta: 'T',
        help: "write a binary mask (255 where the probability >= T, T in [0, 1]); also the overlay's and areaFraction's threshold (default 0.5)",
      },
      { name: 'raw', type: 'boolean', help: 'write the probability itself (0..1 as 0..255, not stretched), so an image without a polyp stays dark' },
      { name: 'presence', type: 'number', meta: 'T', default: 0.5, help: 'a polyp is present when the highest probability reaches T' },
      {
        name: 'json',
        type: 'string',
        meta: 'FILE',
        help: "write one record per image: file, width, height, maxProbability, polypPresent, areaFraction, imagesInBatch, batchTimingsMs (its batch's stage times) ('-': standard output)",
      },
      {
        name: 'frames-csv',
        type: 'string',
        meta: 'FILE',
        help: "video input: one row per frame (frame, time_s, max_probability, polyp_present, area_fraction) ('-': standard output)",
      },
      { name: 'overlay-video', type: 'string', meta: 'FILE', help: 'video input: the video with the polyp tinted and outlined (.mp4 H.264 or .mkv lossless)' },
      { name: 'batch', type: 'int', meta: 'N', default: 1, help: 'images per forward pass' },
      { name: 'save-logits', type: 'string', meta: 'FILE', help: 'one input only: write lateral_map_2 (1x1x352x352 float32 logits) as .npy' },
      QUIET_OPTION,
      BACKEND_OPTION,
      TUNING_OPTION,
    ],
    examples: [
      'pranet segment polyp.jpg -o polyp.mask.png',
      'pranet segment images/ -o masks/ --overlay --json found.json   # masks/<name>.png, masks/overlays/<name>.png',
      'pranet segment images/ -o masks/ --quiet --json - | jq .',
      'pranet segment frame.png --raw --overlay             # the probability as the PNG; the overlay at 0.5',
      'pranet segment clip.mp4 --overlay-video overlay.mp4 --frames-csv frames.csv -o masks/',
      'pranet segment polyp.png --weights pranet19.pnw --save-logits logits.npy',
    ],
  },
  async run(o, inputs) {
    const { threshold, batch, output } = o;
    if (!(o.presence >= 0 && o.presence <= 1)) throw new UsageError(`--presence must be in [0, 1], got ${o.presence}`, 'segment');
    if (inputs.length === 1 && isVideoFile(inputs[0]!)) {
      for (const [name, given] of [
        ['overlay', o.overlay],
        ['json', o.json],
        ['save-logits', o['save-logits']],
        ['batch', batch !== 1],
      ] as const) {
        if (given) throw new UsageError(`--${name} is for images; a video takes -o DIR (a mask per frame), --overlay-video and --frames-csv`, 'segment');
      }
      const badVideo = o['overlay-video'] !== undefined ? videoOutputProblem(o['overlay-video']) : undefined;
      if (badVideo) throw new UsageError(badVideo, 'segment');
      if (output !== undefined && (/\.(png|jpe?g)$/i.test(output) || isVideoFile(output)))
        throw new UsageError(`-o ${output}: for a video, -o names the folder for a mask per frame (an overlay video is --overlay-video FILE)`, 'segment');
      if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be in [0, 1], got ${threshold}`, 'segment');
      if (o.raw && threshold !== undefined) throw new UsageError('give either --raw (the probability) or --threshold (a binary mask), not both', 'segment');
      if (!output && !o['overlay-video'] && !o['frames-csv'])
        throw new UsageError('a video needs an output: -o DIR, --overlay-video FILE or --frames-csv FILE', 'segment');
      const outputs: NamedPath[] = [
        ...(o['overlay-video'] !== undefined ? [{ path: o['overlay-video'], what: '--overlay-video' }] : []),
        ...(o['frames-csv'] !== undefined ? [{ path: o['frames-csv'], what: '--frames-csv' }] : []),
      ];
      const outputFolders = output !== undefined ? [{ path: output, what: '-o' }] : [];
      // The masks' names are not known before the frames are counted: one of them may not be another output.
      const masked = outputs.find(
        // lower case: a file system that ignores case would take FRAME_000002.PNG for the mask too
        (f) => output !== undefined && resolve(dirname(f.path)) === resolve(output) && frameOfMaskName(basename(f.path).toLowerCase()) !== undefined,
      );
      if (masked)
        throw new UsageError(
          `${masked.what} ${masked.path} is named as a frame's mask in -o ${output} (frame_NNNNNN.png), which would overwrite it`,
          'segment',
        );
      checkPlannedOutputs(
        { inputs: [{ path: inputs[0]!, what: 'input' }, ...optionInputs(o.weights, o.tuning)], outputs, outputFolders },
        'segment',
        () => true,
      );
      return segmentVideo({
        input: inputs[0]!,
        weights: o.weights,
        backend: o.backend,
        tuning: tuningChoice(o.tuning),
        masks: output,
        overlayVideo: o['overlay-video'],
        framesCsv: o['frames-csv'],
        threshold,
        raw: o.raw,
        presence: o.presence,
        quiet: o.quiet,
      });
    }
    if (o['overlay-video'] || o['frames-csv']) throw new UsageError('--overlay-video and --frames-csv take one video input', 'segment');
    const video = inputs.find(isVideoFile);
    if (video !== undefined) throw new UsageError(`${video} is a video: a video is segmented on its own (one input), images may come many at once`, 'segment');
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be in [0, 1], got ${threshold}`, 'segment');
    if (o.raw && threshold !== undefined) throw new UsageError('give either --raw (the probability) or --threshold (a binary mask), not both', 'segment');
    if (batch < 1) throw new UsageError(`--batch must be at least 1, got ${batch}`, 'segment');
    const { files, folders } = await expandInputs(inputs);
    const fromFolder = folders.length > 0;
    const single = files.length === 1 && !fromFolder;
    if (o['save-logits'] && !single) throw new UsageError('--save-logits takes exactly one input image', 'segment');
    const outExt = output === undefined ? '' : extname(output).toLowerCase();
    // /dev/null or a pipe takes a mask as a file does (to time a run, or to pass the PNG on).
    const intoStream = output !== undefined && isDeviceOrPipe(output);
    if (['.png', '.jpg', '.jpeg'].includes(outExt) || intoStream) {
      // -o names a file: only one image can go there, and masks are PNG (a JPEG would blur the mask).
      if (!single)
        throw new UsageError(
          `-o ${output} names a file, but there are ${fromFolder ? 'images from a folder' : `${files.length} images`}; give a folder`,
          'segment',
        );
      if (outExt !== '.png' && !intoStream) throw new UsageError(`-o ${output}: masks are written as PNG; use a .png name`, 'segment');
    }
    const intoFile = single && (output === undefined || outExt === '.png' || intoStream);
    const outDir = intoFile ? undefined : (output ?? 'masks');
    const overlayDir = outDir === undefined ? undefined : join(outDir, 'overlays');
    const stem = (file: string) => basename(file, extname(file));
    const maskPath = (file: string) => (intoFile ? (output ?? `${stem(file)}.mask.png`) : join(outDir!, `${stem(file)}.png`));
    // Overlays of a folder go into a folder of their own, so the masks' folder holds masks only.
    const overlayPath = (file: string) => (intoFile ? maskPath(file).replace(/(\.mask)?\.png$/i, '') + '.overlay.png' : join(overlayDir!, `${stem(file)}.png`));
    refuseSameOutput(files, maskPath);

    // Every output is checked before any work: none may land on an input or on another output, and each must be writable.
    const outputs: NamedPath[] = files.flatMap((file) => [
      { path: maskPath(file), what: intoFile && output !== undefined ? '-o' : `the mask of ${file}` },
      ...(o.overlay ? [{ path: overlayPath(file), what: `the overlay of ${file}` }] : []),
    ]);
    if (o['save-logits'] !== undefined) outputs.push({ path: o['save-logits'], what: '--save-logits' });
    if (o.json !== undefined) outputs.push({ path: o.json, what: '--json' });
    const outputFolders: NamedPath[] = [];
    if (outDir !== undefined) outputFolders.push({ path: outDir, what: output === undefined ? 'the output folder' : '-o' });
    if (overlayDir !== undefined && o.overlay) outputFolders.push({ path: overlayDir, what: 'the overlay folder' });
    checkPlannedOutputs(
      {
        inputs: [...files.map((path) => ({ path, what: 'input' })), ...optionInputs(o.weights, o.tuning)],
        inputFolders: folders.map((path) => ({ path, what: 'the input folder' })),
        outputs,
        outputFolders,
      },
      'segment',
      () => true,
    );
    const say = sayer({ quiet: o.quiet, stdoutTaken: isStdout(o.json) || isStdout(o['save-logits']) });

    // One image: decode it before paying for the model, so a bad file fails at once.
    const first = single ? await readImageFile(files[0]!) : undefined;
    const model = await loadSegmenter(o.weights, { batch, backend: o.backend, tuning: tuningChoice(o.tuning) });
    const failures: string[] = [];
    const records: ImageRecord[] = [];
    let written = 0;
    const summary = onInterrupt(() => (outDir !== undefined ? `wrote the masks of ${written} of ${files.length} images into ${outDir}` : undefined));
    try {
      const progress = files.length > 1 && !o.quiet ? new Progress(files.length, 'images') : undefined;
      for (let start = 0; start < files.length; start += batch) {
        const chunk: { file: string; image: RgbaImage }[] = [];
        for (const file of files.slice(start, start + batch)) {
          try {
            chunk.push({ file, image: first ?? (await readImageFile(file)) });
          } catch (err) {
            if (single) throw err;
            failures.push((err as Error).message);
          }
        }
        const options = { logits: o['save-logits'] !== undefined, presenceThreshold: o.presence, maskThreshold: threshold ?? 0.5 };
        const results =
          chunk.length > 0
            ? await model.segmentBatch(
                chunk.map((c) => c.image),
                options,
              )
            : [];
        for (const [i, r] of results.entries()) {
          const { file, image } = chunk[i]!;
          const mask = o.raw ? toBytes(r.probability) : threshold === undefined ? r.mask : binarize(r.probability, threshold).map((v) => v * 255);
          const { maxProbability, polypPresent, areaFraction } = r;
          records.push({
            file,
            width: r.width,
            height: r.height,
            maxProbability,
            polypPresent,
            areaFraction,
            imagesInBatch: results.length,
            batchTimingsMs: model.lastTimings,
          });
          // Every output of an image is encoded before the first is written, and folders are made only now,
          // so a failure leaves neither half of an image's outputs nor empty folders behind.
          const files: [string, Uint8Array][] = [[maskPath(file), encodePng(mask, r.width, r.height)]];
          if (o.overlay) {
            const ov = drawOverlay(image, r.probability, threshold ?? 0.5);
            files.push([overlayPath(file), encodePngRgba(ov.data, ov.width, ov.height)]);
          }
          if (o['save-logits'] !== undefined) files.push([o['save-logits'], encodeNpy(r.logits!, [1, 1, 352, 352])]);
          for (const [path, bytes] of files) {
            mkdirSync(dirname(path), { recursive: true });
            await writeOutput(path, bytes);
          }
          written++;
          if (single) say(`${file} -> ${maskPath(file)}${o.overlay ? `, ${overlayPath(file)}` : ''}${o['save-logits'] ? `, ${o['save-logits']}` : ''}`);
        }
        progress?.update(Math.min(files.length, start + batch));
      }
      if (progress) {
        progress.finish();
        const done = files.length - failures.length;
        say(
          `segmented ${done} of ${files.length} images into ${outDir} in ${formatDuration(progress.seconds)} (${(done / progress.seconds).toFixed(2)} images/s)`,
        );
      }
      for (const f of failures) console.error(`pranet segment: skipped ${f}`);
      if (o.json !== undefined) {
        mkdirSync(dirname(o.json), { recursive: true });
        await writeText(o.json, `${JSON.stringify(records, null, 2)}\n`);
        if (!isStdout(o.json))
          say(`wrote ${o.json} (${records.length} image${records.length === 1 ? '' : 's'}, ${records.filter((r) => r.polypPresent).length} with a polyp)`);
      }
      return failures.length > 0 ? 1 : 0;
    } finally {
      summary();
      await model.dispose();
    }
  },
});

/** Whether `path` is a character device or a FIFO (never a folder for -o). */
function isDeviceOrPipe(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isCharacterDevice() || st.isFIFO();
  } catch {
    return false; // nothing there (or a path through a file): the output checks name the problem
  }
}
