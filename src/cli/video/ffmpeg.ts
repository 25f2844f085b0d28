// Video files through ffmpeg and ffprobe (system tools found on PATH, not npm dependencies): probing a file,
// decoding it into raw RGBA frames through a pipe, and encoding raw RGBA frames into a new file, written under
// a temporary name and renamed only when complete. No temporary file per frame.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { trackTempFile } from '../../io/files-node.js';

export interface VideoInfo {
  /** the size of the decoded frames: as shown, after the stream's rotation (a phone clip held upright) */
  width: number;
  height: number;
  /** frames per second: the stream's average rate, or the frames' own where the stream's does not fit them */
  fps: number;
  /** frames in the stream, counted by ffprobe */
  frames: number;
  /** each frame's time in seconds from the first (variable-rate streams are not evenly spaced) */
  times: number[];
  /** the shape of a pixel, 'w/h', where it is not square (anamorphic PAL 16:9 is 64/45); the overlay keeps it */
  pixelAspect?: string;
  /** what ffprobe reported while decoding a file it could read (a damaged or truncated one): its last line */
  damage?: string;
}

/**
 * A path as ffmpeg's file protocol: a plain name with a colon ('pt:1.mkv') would be read as a protocol, and
 * one starting with '-' as an option.
 */
const ffmpegPath = (path: string): string => `file:${path}`;

const INSTALL = 'install ffmpeg (it brings ffprobe): on Debian/Ubuntu `apt-get install ffmpeg`, on macOS `brew install ffmpeg`';

/** Why ffmpeg and ffprobe cannot run here, or null when they can: both on PATH, ffmpeg 5.1 or newer (-fps_mode). */
export function whyNoFfmpeg(): string | null {
  for (const tool of ['ffprobe', 'ffmpeg']) {
    const r = spawnSync(tool, ['-version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} is not on PATH (${r.error?.message ?? `exit ${r.status}`}); ${INSTALL}`;
    // Release builds say "ffmpeg version 6.0-..."; builds from git ("N-111111-g...") are taken as new.
    const [major, minor] = (/^\S+ version n?(\d+)\.(\d+)/.exec(r.stdout)?.slice(1) ?? []).map(Number);
    if (major !== undefined && (major < 5 || (major === 5 && minor! < 1))) {
      return `${tool} ${major}.${minor} is too old: 5.1 or newer is needed (for -fps_mode); ${INSTALL}, or a static build from ffmpeg.org`;
    }
  }
  return null;
}

/** ffprobe's answer, waited for without blocking, so Ctrl-C stops the command as it does elsewhere. */
function probe(args: string[]): Promise<{ code: number | string | null; stdout: string; stderr: string; message?: string }> {
  return new Promise((resolve) => {
    // A line of about 50 bytes per frame: 64 MiB is over ten hours at 30 frames/s.
    execFile('ffprobe', args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number | string }).code ?? null) : 0, stdout, stderr, message: err?.message });
    });
  });
}

/**
 * A frame rate for frames at `times` (seconds). Matroska and WebM store no average rate (ffprobe's is a guess
 * from the first frames), nor does a stream without one: there the frames' own, if their times only go
 * forward. Other containers state theirs (a transport stream's clock may jump, which would skew a measured one).
 */
function frameRate(stated: number, times: number[], statesNone: boolean): number {
  const guessed = statesNone || !Number.isFinite(stated);
  const span = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
  const forward = times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]!));
  return guessed && forward && span > 0 ? (times.length - 1) / span : stated;
}

/** Width, height, frame rate and frame count of the first video stream; a one-line error for anything else. */
export async function probeVideo(path: string): Promise<VideoInfo> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${path}: no such file`);
  // A pipe would be read up by the probe, and the decoder then wait for ever.
  if (!stat.isFile()) throw new Error(`${path}: not a regular file (a pipe, device or folder): give a video file`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new Error(`${path}: permission denied`);
  }
  const args = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'format=format_name:stream=width,height,sample_aspect_ratio,avg_frame_rate,r_frame_rate:stream_side_data=rotation:stream_tags=rotate:frame=best_effort_timestamp_time',
    '-of',
    'json=compact=1',
    ffmpegPath(path),
  ];
  const r = await probe(args);
  if (typeof r.code === 'string') throw new Error(`ffprobe cannot run (${r.message}); ${INSTALL}`);
  // "[h264 @ 0x55c5b2b9c580] Invalid NAL unit size": the decoder's address says nothing to a user.
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replaceAll(ffmpegPath(path), path).replace(/^\[[^\]]* @ 0x[0-9a-f]+\] */, ''));
  if (r.code !== 0) throw new Error(`${path}: not a video ffmpeg can read${lines.length ? ` (${lines.at(-1)})` : ''}`);
  const probed = JSON.parse(r.stdout) as {
    streams?: Record<string, unknown>[];
    frames?: { best_effort_timestamp_time?: string }[];
    format?: { format_name?: string };
  };
  const stream = probed.streams?.[0];
  if (!stream) throw new Error(`${path}: no video stream`);
  const rate = (v: unknown) => {
    const [n, d] = (typeof v === 'string' ? v : '').split('/').map(Number);
    return n && d ? n / d : NaN;
  };
  const stated = Number.isFinite(rate(stream.avg_frame_rate)) ? rate(stream.avg_frame_rate) : rate(stream.r_frame_rate);
  const stamps = (probed.frames ?? []).map((f) => Number(f.best_effort_timestamp_time));
  const times = stamps.map((t, i) => (Number.isFinite(t) && Number.isFinite(stamps[0]) ? t - stamps[0]! : i / stated));
  const fps = frameRate(stated, times, /matroska|webm/.test(probed.format?.format_name ?? ''));
  // ffmpeg turns frames upright by the stream's rotation (its default, autorotate): a quarter turn swaps the sides.
  const quarterTurn = Math.abs(Math.round(rotationOf(stream) / 90)) % 2 === 1;
  const [w, h] = [Number(stream.width), Number(stream.height)];
  const info: VideoInfo = { width: quarterTurn ? h : w, height: quarterTurn ? w : h, fps, frames: times.length, times };
  const [sn, sd] = (typeof stream.sample_aspect_ratio === 'string' ? stream.sample_aspect_ratio : '').split(':').map(Number);
  if (sn && sd && sn !== sd) info.pixelAspect = quarterTurn ? `${sd}/${sn}` : `${sn}/${sd}`;
  if (lines.length) info.damage = `${lines.at(-1)}${lines.length > 1 ? `, after ${lines.length - 1} more lines` : ''}`;
  if (!(info.width > 0 && info.height > 0 && info.frames > 0 && info.fps > 0))
    throw new Error(`${path}: ffprobe found no decodable frames (width ${info.width}, height ${info.height}, ${info.frames} frames, ${info.fps} fps)`);
  return info;
}

/** The stream's rotation in degrees: display-matrix side data (ffmpeg 5 and later), else the older 'rotate' tag. */
function rotationOf(stream: Record<string, unknown>): number {
  const side = (stream.side_data_list as { rotation?: unknown }[] | undefined)?.find((d) => typeof d.rotation === 'number');
  const tag = Number((stream.tags as { rotate?: unknown } | undefined)?.rotate);
  return typeof side?.rotation === 'number' ? side.rotation : Number.isFinite(tag) ? tag : 0;
}

/** Stops a child process quietly (for Ctrl-C and errors). */
const stop = (p: ChildProcess) => {
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
};

/** The frames of `path` as RGBA bytes, in order, read from ffmpeg's pipe as they are needed. */
export async function* decodeFrames(
  path: string,
  info: VideoInfo,
  onProcess?: (p: ChildProcess) => void,
): AsyncGenerator<{ width: number; height: number; data: Uint8Array }> {
  // passthrough: every decoded frame once, as ffprobe counted them (rawvideo would otherwise duplicate or drop
  // frames of a variable-rate stream to make a constant rate).
  const args = ['-v', 'error', '-nostdin', '-i', ffmpegPath(path), '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'];
  const ff = spawn('ffmpeg', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onProcess?.(ff);
  let stderr = '';
  ff.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => ff.on('close', (code) => resolve(code)));
  const frameBytes = 4 * info.width * info.height;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of ff.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        yield { width: info.width, height: info.height, data: new Uint8Array(pending.subarray(0, frameBytes)) };
        pending = pending.subarray(frameBytes);
      }
    }
    const code = await exited;
    if (code !== 0) throw new Error(`${path}: ffmpeg could not decode it (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
    if (pending.length) throw new Error(`${path}: the last frame is incomplete (${pending.length} of ${frameBytes} bytes)`);
  } finally {
    stop(ff);
  }
}

/**
 * Encoder arguments by output extension: H.264 for .mp4 (viewable anywhere), lossless FFV1 for .mkv; pixels of
 * the input's shape (`pixelAspect`), so an anamorphic clip plays as wide as its input.
 */
function codecArgs(path: string, pixelAspect = '1'): string[] {
  const ext = extname(path).toLowerCase();
  const sar = `setsar=${pixelAspect}`;
  // yuv420p needs an even width and height: an odd one gets a black column or row.
  if (ext === '.mp4') return ['-vf', `pad=ceil(iw/2)*2:ceil(ih/2)*2,${sar}`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', '-movflags', '+faststart'];
  if (ext === '.mkv') return ['-vf', sar, '-c:v', 'ffv1', '-pix_fmt', 'bgr0'];
  throw new Error(videoOutputProblem(path));
}

/** What is wrong with an output video's name (checked before any work), if anything. */
export function videoOutputProblem(path: string): string | undefined {
  return ['.mp4', '.mkv'].includes(extname(path).toLowerCase()) ? undefined : `${path}: video outputs are .mp4 (H.264) or .mkv (lossless FFV1)`;
}

/** Writes RGBA frames into a video file; the file appears only when commit() is called after finish(). */
export class VideoWriter {
  private readonly ff: ChildProcess;
  private readonly temp: string;
  private stderr = '';
  private readonly exited: Promise<number | null>;
  /** Ctrl-C removes the partial file (cli/interrupt.ts) */
  private readonly untrack: () => void;

  constructor(
    private readonly path: string,
    info: VideoInfo,
  ) {
    this.temp = join(dirname(path), `.${Date.now()}.${process.pid}.partial${extname(path)}`);
    this.untrack = trackTempFile(this.temp);
    const args = [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${info.width}x${info.height}`,
      '-r',
      String(info.fps),
      '-i',
      '-',
      ...codecArgs(path, info.pixelAspect),
      ffmpegPath(this.temp),
    ];
    this.ff = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.ff.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.exited = new Promise((resolve) => this.ff.on('close', (code) => resolve(code)));
    this.ff.stdin!.on('error', () => undefined); // a dead encoder is reported by finish()
  }

  /** Writes one frame, waiting while ffmpeg's pipe is full; fails if ffmpeg has stopped. */
  async write(rgba: Uint8Array): Promise<void> {
    if (this.ff.stdin!.write(rgba)) return;
    const stopped = this.exited.then((code) => {
      throw new Error(`${this.path}: ffmpeg stopped encoding (exit ${code}): ${this.stderr.trim().split('\n').pop() ?? ''}`);
    });
    await Promise.race([new Promise<void>((resolve) => this.ff.stdin!.once('drain', resolve)), stopped]);
  }

  /** Ends the encoding; the video stays under its temporary name until commit() (or abort()). */
  async finish(): Promise<void> {
    this.ff.stdin!.end();
    const code = await this.exited;
    if (code !== 0) {
      this.abort();
      throw new Error(`${this.path}: ffmpeg could not encode the video (exit ${code}): ${this.stderr.trim().split('\n').pop() ?? ''}`);
    }
  }

  /** Puts the finished video in place: last, once every other output of the run is written. */
  commit(): void {
    renameSync(this.temp, this.path);
    this.untrack();
  }

  /** Stops and removes the partial file (Ctrl-C, errors). */
  abort(): void {
    stop(this.ff);
    rmSync(this.temp, { force: true });
    this.untrack();
  }
}

/** Video inputs are told from images by their extension: the containers cameras, recorders and phones write. */
const VIDEO_EXTENSIONS = [
  '.mp4',
  '.mkv',
  '.avi',
  '.mov',
  '.webm',
  '.m4v',
  '.mpg',
  '.mpeg',
  '.ts',
  '.mts',
  '.m2ts',
  '.wmv',
  '.flv',
  '.3gp',
  '.ogv',
  '.mxf',
  '.vob',
];
export const isVideoFile = (path: string): boolean => VIDEO_EXTENSIONS.includes(extname(path).toLowerCase());
