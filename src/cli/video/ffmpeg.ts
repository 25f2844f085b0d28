// Video files through ffmpeg and ffprobe (system tools found on PATH, not npm dependencies): probing a file,
// decoding it into raw RGBA frames through a pipe, and encoding raw RGBA frames into a new file, written under
// a temporary name and renamed only when complete. No temporary file per frame.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { trackTempFile } from '../../io/files-node.js';

export interface VideoInfo {
  /** the size of the decoded frames: as shown, after the stream's rotation (a phone clip held upright) */
  width: number;
  height: number;
  /** frames per second (the stream's average rate) */
  fps: number;
  /** frames in the stream, counted by ffprobe */
  frames: number;
  /** each frame's time in seconds from the first (variable-rate streams are not evenly spaced) */
  times: number[];
}

/**
 * A path as ffmpeg's file protocol: a plain name with a colon ('pt:1.mkv') would be read as a protocol, and
 * one starting with '-' as an option.
 */
const ffmpegPath = (path: string): string => `file:${path}`;

const INSTALL = 'install ffmpeg (it brings ffprobe): on Debian/Ubuntu `apt-get install ffmpeg`, on macOS `brew install ffmpeg`';

/** Why ffmpeg and ffprobe cannot run here, or null when they can. */
export function whyNoFfmpeg(): string | null {
  for (const tool of ['ffprobe', 'ffmpeg']) {
    const r = spawnSync(tool, ['-version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} is not on PATH (${r.error?.message ?? `exit ${r.status}`}); ${INSTALL}`;
  }
  return null;
}

/** Width, height, frame rate and frame count of the first video stream; a one-line error for anything else. */
export function probeVideo(path: string): VideoInfo {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  const args = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'stream=width,height,avg_frame_rate,r_frame_rate:stream_side_data=rotation:stream_tags=rotate:frame=best_effort_timestamp_time',
    '-of',
    'json=compact=1',
    ffmpegPath(path),
  ];
  // A line of about 50 bytes per frame: 64 MiB is over ten hours at 30 frames/s.
  const r = spawnSync('ffprobe', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`ffprobe cannot run (${r.error.message}); ${INSTALL}`);
  const why = r.stderr.trim().split('\n').pop() ?? '';
  if (r.status !== 0) throw new Error(`${path}: not a video ffmpeg can read${why ? ` (${why})` : ''}`);
  const probed = JSON.parse(r.stdout) as { streams?: Record<string, unknown>[]; frames?: { best_effort_timestamp_time?: string }[] };
  const stream = probed.streams?.[0];
  if (!stream) throw new Error(`${path}: no video stream`);
  const rate = (v: unknown) => {
    const [n, d] = (typeof v === 'string' ? v : '').split('/').map(Number);
    return n && d ? n / d : NaN;
  };
  const fps = Number.isFinite(rate(stream.avg_frame_rate)) ? rate(stream.avg_frame_rate) : rate(stream.r_frame_rate);
  const stamps = (probed.frames ?? []).map((f) => Number(f.best_effort_timestamp_time));
  const times = stamps.map((t, i) => (Number.isFinite(t) && Number.isFinite(stamps[0]) ? t - stamps[0]! : i / fps));
  // ffmpeg turns frames upright by the stream's rotation (its default, autorotate): a quarter turn swaps the sides.
  const quarterTurn = Math.abs(Math.round(rotationOf(stream) / 90)) % 2 === 1;
  const [w, h] = [Number(stream.width), Number(stream.height)];
  const info = { width: quarterTurn ? h : w, height: quarterTurn ? w : h, fps, frames: times.length, times };
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

/** Encoder arguments by output extension: H.264 for .mp4 (viewable anywhere), lossless FFV1 for .mkv. */
function codecArgs(path: string): string[] {
  const ext = extname(path).toLowerCase();
  // yuv420p needs an even width and height: an odd one gets a black column or row.
  if (ext === '.mp4') return ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', '-movflags', '+faststart'];
  if (ext === '.mkv') return ['-c:v', 'ffv1', '-pix_fmt', 'bgr0'];
  throw new Error(`${path}: video outputs are .mp4 (H.264) or .mkv (lossless FFV1)`);
}

/** Checks an output video's name before any work. */
export function checkVideoOutput(path: string): void {
  codecArgs(path);
}

/** Writes RGBA frames into a video file; the file appears only when finish() succeeds. */
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
      ...codecArgs(path),
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

  async finish(): Promise<void> {
    this.ff.stdin!.end();
    const code = await this.exited;
    this.untrack();
    if (code !== 0) {
      rmSync(this.temp, { force: true });
      throw new Error(`${this.path}: ffmpeg could not encode the video (exit ${code}): ${this.stderr.trim().split('\n').pop() ?? ''}`);
    }
    renameSync(this.temp, this.path);
  }

  /** Stops and removes the partial file (Ctrl-C, errors). */
  abort(): void {
    stop(this.ff);
    rmSync(this.temp, { force: true });
    this.untrack();
  }
}

/** Video inputs are told from images by their extension. */
export const isVideoFile = (path: string): boolean => ['.mp4', '.mkv', '.avi', '.mov', '.webm', '.m4v', '.mpg', '.mpeg'].includes(extname(path).toLowerCase());
