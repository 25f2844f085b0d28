// `pranet segment clip.mp4`: every frame of a video through the frame pipeline (src/api/frames.ts), decoded and
// encoded by ffmpeg through pipes. Writes a CSV row per frame, optionally a mask PNG per frame and an overlay
// video. Ctrl-C stops cleanly: the overlay video and the CSV appear only when complete, each mask PNG is written
// whole, and the process exits 130.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadFrameSegmenter, type FrameResult, segmentFrames } from '../../index.js';
import { writeFileAtomic } from '../../io/files-node.js';
import { sayer } from '../say.js';
import { isStandardStream, isStdout, writeText } from '../write-output.js';
import { exitStatusOf, type StopSignal, takeInterrupts } from '../interrupt.js';
import { drawOverlay } from '../../io/overlay.js';
import { binarize, bytescale, minMaxNormalize } from '../../io/postprocess.js';
import { encodePng } from '../../io/png-encode.js';
import type { TuningChoice } from '../../tuning/resolve.js';
import { formatDuration, Progress } from '../progress.js';
import { decodeFrames, probeVideo, VideoWriter, whyNoFfmpeg } from './ffmpeg.js';

export interface VideoOptions {
  input: string;
  weights?: string;
  backend?: 'vulkan' | 'opengles' | 'opengl';
  tuning: TuningChoice;
  /** folder for a mask PNG per frame */
  masks?: string;
  overlayVideo?: string;
  framesCsv?: string;
  threshold?: number;
  raw: boolean;
  presence: number;
  /** no progress bar or summary */
  quiet: boolean;
}

/** The mask PNG of a frame, with the still-image command's meaning of --threshold and --raw. */
function frameMask(r: FrameResult, o: VideoOptions): Uint8Array {
  if (o.raw) return Uint8Array.from(r.probability, (v: number) => Math.round(255 * v));
  if (o.threshold !== undefined) return binarize(r.probability, o.threshold).map((v) => v * 255);
  return bytescale(minMaxNormalize(r.probability));
}

/** Frames are numbered from 1, as the mask files are; time_s is the frame's time from the first frame's. */
const csvRow = (r: FrameResult, time: number, frame: number) =>
  `${frame},${time.toFixed(6)},${r.maxProbability.toFixed(6)},${r.polypPresent ? 1 : 0},${r.areaFraction.toFixed(6)}`;

/** The mask file of frame `n` (from 1) in the -o folder. */
const frameMaskName = (n: number): string => `frame_${String(n).padStart(6, '0')}.png`;

/** The frame a mask file name is of, if it is one (frame_000012.png: 12). */
export const frameOfMaskName = (name: string): number | undefined => {
  const m = /^frame_(\d{6,})\.png$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

/** Frame masks in `dir` numbered past `frames` (left by an earlier run of a longer clip), by name. */
function staleMasks(dir: string, frames: number): string[] {
  return readdirSync(dir)
    .filter((name) => (frameOfMaskName(name) ?? 0) > frames)
    .sort();
}

export async function segmentVideo(o: VideoOptions): Promise<number> {
  const missing = whyNoFfmpeg();
  if (missing) throw new Error(`a video needs ffmpeg and ffprobe: ${missing}`);
  // ffprobe reads the whole file to count its frames (a minute for a long procedure): a terminal is told so.
  const tty = !o.quiet && process.stderr.isTTY;
  if (tty) process.stderr.write(`reading ${o.input} to count its frames...`);
  const info = await probeVideo(o.input).finally(() => tty && process.stderr.write('\r\x1b[K'));
  const segmenter = await loadFrameSegmenter(o.weights, {
    backend: o.backend,
    tuning: o.tuning,
    presenceThreshold: o.presence,
    maskThreshold: o.threshold ?? 0.5,
  });
  const writer = o.overlayVideo ? (mkdirSync(dirname(o.overlayVideo), { recursive: true }), new VideoWriter(o.overlayVideo, info)) : undefined;
  const rows = ['frame,time_s,max_probability,polyp_present,area_fraction'];
  const progress = o.quiet ? undefined : new Progress(info.frames, 'frames');
  const started = performance.now();
  const say = sayer({ quiet: o.quiet, stdoutTaken: isStdout(o.framesCsv) });
  // Frames wait here for their results (which come in order), for the overlay.
  const frames: Uint8Array[] = [];
  // Ctrl-C stops after the frame in hand (the decoder is stopped at once: it may be waiting on a slow file);
  // a second one during the clean-up does not cut it short.
  let interrupted: StopSignal | undefined;
  let decoder: ChildProcess | undefined;
  const release = takeInterrupts((signal) => {
    interrupted ??= signal;
    decoder?.kill('SIGKILL');
  });
  let done = 0;
  let present = 0;
  try {
    if (o.masks) mkdirSync(o.masks, { recursive: true });
    async function* source() {
      for await (const f of decodeFrames(o.input, info, (p) => (decoder = p))) {
        if (interrupted) return;
        frames.push(f.data);
        yield f;
      }
    }
    try {
      for await (const r of segmentFrames(segmenter, source())) {
        const pixels = frames.shift()!;
        const frame = done + 1;
        rows.push(csvRow(r, info.times[frame - 1] ?? (frame - 1) / info.fps, frame));
        present += Number(r.polypPresent);
        if (o.masks) await writeFileAtomic(join(o.masks, frameMaskName(frame)), encodePng(frameMask(r, o), r.width, r.height));
        if (writer) await writer.write(drawOverlay({ width: r.width, height: r.height, data: pixels }, r.probability, o.threshold ?? 0.5).data);
        done = frame;
        progress?.update(done);
        if (interrupted) break;
      }
    } catch (err) {
      if (!interrupted) throw err; // Ctrl-C in a terminal also stops the ffmpeg children: that is no decoding error
    }
    const stopped = (signal: StopSignal) => {
      writer?.abort();
      console.error(
        `\npranet segment: interrupted (${signal}) after ${done} of ${info.frames} frames${o.masks ? `; ${done} masks are in ${o.masks}` : ''}; no overlay video or CSV was written`,
      );
      return exitStatusOf(signal);
    };
    if (interrupted) return stopped(interrupted);
    if (done !== info.frames) throw new Error(`${o.input}: ffprobe counted ${info.frames} frames but ${done} were decoded`);
    try {
      await writer?.finish();
    } catch (err) {
      // Ctrl-C in a terminal also stops the encoder while it finishes: that is the interruption, not its error.
      if (interrupted) return stopped(interrupted);
      throw err;
    }
    if (interrupted) return stopped(interrupted);
    if (o.framesCsv) {
      if (!isStandardStream(o.framesCsv)) mkdirSync(dirname(o.framesCsv), { recursive: true });
      await writeText(o.framesCsv, `${rows.join('\n')}\n`);
    }
    writer?.commit(); // last: a run whose CSV could not be written leaves no overlay video either
    const wrote = [o.framesCsv, o.overlayVideo, o.masks && `${done} masks in ${o.masks}`].filter(Boolean).join(', ');
    const seconds = (performance.now() - started) / 1000;
    say(
      `segmented ${done} frames (${info.width}x${info.height}, ${info.fps.toFixed(2)} fps) in ${formatDuration(seconds)} (${(done / seconds).toFixed(2)} frames/s); a polyp in ${present}${wrote ? `; wrote ${wrote}` : ''}`,
    );
    const stale = o.masks ? staleMasks(o.masks, done) : [];
    if (stale.length > 0) {
      console.error(
        `pranet segment: note: ${o.masks} also holds ${stale.length} frame mask${stale.length > 1 ? 's' : ''} beyond this clip's ${done} ` +
          `(${stale.slice(0, 2).join(', ')}${stale.length > 2 ? ', ...' : ''}), from an earlier, longer run: they are not of ${o.input}`,
      );
    }
    if (info.damage === undefined) return 0;
    // Frames ffmpeg could only partly decode give results of what it could: said, and a failing exit status.
    console.error(
      `pranet segment: warning: ${o.input} is damaged or incomplete: ffmpeg reported "${info.damage}" while decoding it; ` +
        'the results of the damaged frames are of what it could decode',
    );
    return 1;
  } catch (err) {
    writer?.abort();
    throw err;
  } finally {
    release();
    await segmenter.dispose();
  }
}
