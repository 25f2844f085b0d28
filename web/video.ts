// The demo page's video part: a video file or a camera, segmented while it plays. Each frame the browser
// presents (requestVideoFrameCallback where the browser has it, else a check per animation frame) is wrapped
// as a VideoFrame (a handle on the decoded picture, no copy) and offered to the engine with trySegment: when
// maxInFlight frames are already in the pipeline it is dropped and counted, never queued. The engine copies it
// GPU to GPU and sends back only the probability map; the page then draws that same frame on a canvas at its own
// size with the region on top (canvas compositing, so the frame's pixels are never read back to the CPU), and
// adds a column to the presence strip (or updates the frame's column, for a frame processed before). Paused, a
// step or a seek sends the frame shown with segment(), which waits for a free slot. The strip is also a slider
// (strip-keys.ts, strip-view.ts): a click or a key goes back to a column's frame. document.body.dataset.video
// tells scripts where it is: off -> loading -> playing <-> paused -> ended (or error), and window.pranetVideo
// gives the processed frames and counters.
import { DEFAULT_OVERLAY_STYLE, loadFrameSegmenter, type FrameResult, type FrameSegmenter } from '../src/browser.js';
import { drawStrip, STRIP_MAX_COLUMNS, type StripEntry } from './presence-strip.js';
import { stripKeyTarget, stripValueText } from './strip-keys.js';
import { stripWindow } from './strip-view.js';

export interface ProcessedFrame extends StripEntry {
  /** the engine's number for the frame (dropped frames count too) */
  index: number;
  /** the frame's time in the video, in seconds (a camera's: since the stream started) */
  mediaTime: number;
  areaFraction: number;
  /** pixels drawn as the region (tint and contour) at the threshold used when the frame was drawn */
  regionPixels: number;
  latencyMs: number;
}

/** What scripts and the browser tests can read, as window.pranetVideo. */
export interface VideoProbe {
  /** one entry per frame processed, in the order first processed (a frame processed again updates its entry) */
  readonly history: readonly ProcessedFrame[];
  /** results shown since the source was opened (frames processed again included) */
  readonly results: number;
  /** the history entry the latest result went to */
  readonly lastEntry: number | undefined;
  /** the engine's number for the frame on show */
  readonly shownIndex: number | undefined;
  /** frames handed to the engine whose result has not come back yet */
  readonly inFlight: number;
  /** frames dropped since the source was opened */
  readonly dropped: number;
  /** a video file's frame duration in seconds, from the times of the frames it presented (undefined until two were) */
  readonly frameDuration: number | undefined;
  /** the time of the frame the video presented last */
  readonly presentedTime: number | undefined;
  /** whether requestVideoFrameCallback drives the processing (else a check per animation frame) */
  readonly videoFrameCallbacks: boolean;
  /** what the frames go to the engine as (VideoFrames where the browser has them; the engine copies either to the GPU) */
  readonly framePath: 'VideoFrame' | 'ImageBitmap';
}

declare global {
  interface Window {
    pranetVideo?: VideoProbe;
  }
}

export type VideoState = 'off' | 'loading' | 'playing' | 'paused' | 'ended' | 'error';

export interface VideoDemoOptions {
  /** the model, as the still-image part loads it */
  weightsUrl: string;
  /** the network's input size (?size=) */
  size: () => number;
  /** shows an error above everything (the still-image part's message box) */
  showMessage: (title: string, detail: string) => void;
  hideMessage: () => void;
}

type Source = { kind: 'file'; name: string; url: string } | { kind: 'camera'; name: string; stream: MediaStream };
type Frame = VideoFrame | ImageBitmap;

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

const DEFAULT_THRESHOLD = '0.5';
/** Frame times closer than this are the same frame (far below any video's frame duration). */
const sameFrame = (a: number, b: number) => Math.abs(a - b) < 1e-4;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** 83.25 s as 1:23.25 */
function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${(s - 60 * m).toFixed(2).padStart(5, '0')}`;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Whether a dropped or chosen file is a video (by type, or by extension where the browser gives no type). */
export const isVideoFile = (f: File) => f.type.startsWith('video/') || /\.(webm|mp4|m4v|mkv|mov|ogv)$/i.test(f.name);

/**
 * The region of `probability` at threshold t as an overlay layer (RGBA, transparent outside): the tint at the
 * overlay's alpha inside, the opaque contour colour on its edge (a region pixel with a 4-neighbour outside), as
 * drawOverlay draws them. Returns the number of region pixels.
 */
function regionLayer(probability: Float32Array, w: number, h: number, t: number, px: Uint8ClampedArray): number {
  px.fill(0);
  const { tint, tintAlpha, contour } = DEFAULT_OVERLAY_STYLE;
  const alpha = Math.round(tintAlpha * 255);
  const inside = (i: number) => probability[i]! >= t;
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!inside(i)) continue;
      count++;
      const edge = (x > 0 && !inside(i - 1)) || (x < w - 1 && !inside(i + 1)) || (y > 0 && !inside(i - w)) || (y < h - 1 && !inside(i + w));
      const o = 4 * i;
      const rgb = edge ? contour : tint;
      px[o] = rgb[0];
      px[o + 1] = rgb[1];
      px[o + 2] = rgb[2];
      px[o + 3] = edge ? 255 : alpha;
    }
  }
  return count;
}

/** The pixels regionLayer would mark at threshold t (none when the frame's highest probability is under it, as render draws). */
function regionCount(probability: Float32Array, maxProbability: number, t: number): number {
  if (maxProbability < t) return 0;
  let count = 0;
  for (const p of probability) if (p >= t) count++;
  return count;
}

export class VideoDemo {
  private readonly ui = {
    file: element<HTMLInputElement>('video-file'),
    camera: element<HTMLButtonElement>('camera'),
    body: element<HTMLElement>('video-body'),
    busy: element<HTMLElement>('video-busy'),
    status: element<HTMLElement>('video-status'),
    canvas: element<HTMLCanvasElement>('video-canvas'),
    strip: element<HTMLCanvasElement>('presence-strip'),
    stripCursor: element<HTMLElement>('strip-cursor'),
    video: element<HTMLVideoElement>('video'),
    play: element<HTMLButtonElement>('video-play'),
    step: element<HTMLButtonElement>('video-step'),
    close: element<HTMLButtonElement>('video-close'),
    threshold: element<HTMLInputElement>('video-threshold'),
    thresholdValue: element<HTMLOutputElement>('video-threshold-value'),
    area: element<HTMLElement>('video-area'),
    processed: element<HTMLElement>('video-processed'),
    fps: element<HTMLElement>('video-fps'),
    latency: element<HTMLElement>('video-latency'),
    dropped: element<HTMLElement>('video-dropped'),
    found: element<HTMLElement>('video-found'),
  };
  private readonly layer = document.createElement('canvas');
  private layerPixels: ImageData | undefined;

  private segmenter: Promise<FrameSegmenter> | undefined;
  private engine: FrameSegmenter | undefined;
  private source: Source | undefined;
  /** bumped by close(): callbacks and results of an earlier source see a different number and stop */
  private generation = 0;
  private enabled = false;
  private state: VideoState = 'off';
  /** the user paused (a camera step plays for one frame without clearing it) */
  private paused = false;
  /** the next frame presented is processed even though the video is paused (after a step or a seek) */
  private wantFrame = false;
  private callbackHandle: number | undefined;
  private animationHandle: number | undefined;

  private history: ProcessedFrame[] = [];
  private results = 0;
  private lastEntry: number | undefined;
  /** the history entry the strip's slider is on: the latest frame, or the one a click or key went back to */
  private stripSelected: number | undefined;
  /** the strip chose the frame: results keep the slider where it is (until play, a step or another source) */
  private stripDriven = false;
  private shown: { frame: Frame; result: FrameResult; mediaTime: number } | undefined;
  private inFlight = 0;
  private droppedAtOpen = 0;
  /** performance.now() when each recent result came back */
  private arrivals: number[] = [];
  private frameDuration: number | undefined;
  private presentedTime: number | undefined;
  /** how frames go to the engine: VideoFrames where the browser has them, else ImageBitmaps */
  private readonly framePath: 'VideoFrame' | 'ImageBitmap' = typeof VideoFrame === 'function' ? 'VideoFrame' : 'ImageBitmap';

  constructor(private readonly opts: VideoDemoOptions) {
    const ui = this.ui;
    ui.file.addEventListener('change', () => {
      const file = ui.file.files?.[0];
      if (file) this.openFile(file);
      ui.file.value = ''; // choosing the same file again opens it again
    });
    ui.camera.addEventListener('click', () => this.run(() => this.openCamera()));
    ui.play.addEventListener('click', () => this.togglePlay());
    ui.step.addEventListener('click', () => this.step());
    ui.close.addEventListener('click', () => void this.close());
    ui.threshold.addEventListener('input', () => {
      ui.thresholdValue.textContent = this.threshold().toFixed(2);
      this.render();
    });
    ui.strip.addEventListener('click', (e) => this.seekToColumn(e));
    ui.strip.addEventListener('keydown', (e) => this.onStripKey(e));
    ui.strip.addEventListener('focus', () => this.updateStrip(true));
    const video = ui.video;
    video.addEventListener('seeking', () => {
      if (!video.paused || !this.source) return;
      this.wantFrame = true; // a paused video shows the frame it seeks to with its result
      if (this.state === 'ended') {
        this.paused = true;
        this.setState('paused');
      }
    });
    video.addEventListener('ended', () => this.setState('ended'));
    video.addEventListener('error', () => {
      if (this.source?.kind !== 'file') return;
      const e = video.error;
      this.fail(
        `Could not play ${this.source.name}`,
        `${e?.message || `media error ${e?.code ?? '?'}`}\n\nThis browser could not decode the file. Browsers play WebM (VP8, VP9, AV1) and most play MP4 with H.264; ` +
          'other formats can be converted, e.g. ffmpeg -i in.avi -c:v libvpx-vp9 out.webm.',
      );
    });
    window.pranetVideo = this.probe();
    this.setState('off');
  }

  private probe(): VideoProbe {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the probe's getters read the demo's fields
    const demo = this;
    return {
      get history() {
        return demo.history;
      },
      get results() {
        return demo.results;
      },
      get lastEntry() {
        return demo.lastEntry;
      },
      get shownIndex() {
        return demo.shown?.result.index;
      },
      get inFlight() {
        return demo.inFlight;
      },
      get dropped() {
        return demo.droppedNow();
      },
      get frameDuration() {
        return demo.frameDuration;
      },
      get presentedTime() {
        return demo.presentedTime;
      },
      get framePath() {
        return demo.framePath;
      },
      get videoFrameCallbacks() {
        return typeof HTMLVideoElement.prototype.requestVideoFrameCallback === 'function';
      },
    };
  }

  /** Allows opening a video or a camera (once a model is ready); disallowing closes what is open. */
  setEnabled(allowed: boolean): void {
    this.enabled = allowed;
    if (!allowed && this.source) void this.close();
    this.updateControls();
  }

  /** Closes the source and frees the engine, so that the next video loads the model again (after tuning). */
  async unload(): Promise<void> {
    await this.close();
    const s = this.segmenter;
    this.segmenter = undefined;
    this.engine = undefined;
    if (s) await s.then((seg) => seg.dispose()).catch(() => undefined);
  }

  /** Opens a chosen or dropped video file (ignored while no model is ready). */
  openFile(file: File): void {
    if (!this.enabled) return;
    this.run(() => this.open({ kind: 'file', name: file.name, url: URL.createObjectURL(file) }));
  }

  private run(work: () => Promise<void>): void {
    // A file the browser cannot decode has already been explained by the element's 'error' event; play()'s
    // rejection that follows must not replace that message with a generic one.
    work().catch((err: unknown) => {
      if (this.state !== 'error') this.fail('Could not open the video', errorText(err));
    });
  }

  private threshold(): number {
    return Number(this.ui.threshold.value);
  }

  private setState(s: VideoState): void {
    this.state = s;
    document.body.dataset.video = s;
    this.updateControls();
    this.showStatus();
    this.updateStrip(); // a pause or the end gives a focused strip its value again
  }

  private updateControls(): void {
    const ui = this.ui;
    const loading = this.state === 'loading';
    ui.file.disabled = ui.camera.disabled = !this.enabled || loading;
    const open = this.source !== undefined && !loading && this.state !== 'error';
    ui.play.disabled = !open;
    ui.step.disabled = !open || this.state === 'ended';
    ui.close.disabled = this.source === undefined;
    ui.play.textContent = this.state === 'playing' ? 'Pause' : this.state === 'ended' ? 'Play again' : 'Play';
    ui.busy.hidden = !loading;
  }

  private async model(): Promise<FrameSegmenter> {
    this.segmenter ??= loadFrameSegmenter(this.opts.weightsUrl, {
      size: this.opts.size(),
      onProgress: (loaded, total) => {
        this.ui.status.textContent = `Preparing the network for video: ${(loaded / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''} downloaded…`;
      },
    });
    try {
      this.engine = await this.segmenter;
      return this.engine;
    } catch (err) {
      this.segmenter = undefined;
      throw err;
    }
  }

  private async openCamera(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('this browser gives this page no camera (navigator.mediaDevices is missing: the page must be opened over https or from localhost)');
    }
    await this.close();
    const gen = this.generation;
    this.ui.body.hidden = false;
    this.setState('loading');
    this.ui.status.textContent = 'Asking for the camera…';
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (err) {
      const name = err instanceof DOMException ? err.name : '';
      throw new Error(
        name === 'NotAllowedError'
          ? 'the camera was not allowed: allow it for this page in the browser (the camera icon in the address bar), then try again'
          : name === 'NotFoundError'
            ? 'no camera was found on this computer'
            : `the camera could not be opened: ${errorText(err)}`,
        { cause: err },
      );
    }
    if (gen !== this.generation) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    const label = stream.getVideoTracks()[0]?.label;
    await this.start(gen, { kind: 'camera', name: label ? `the camera (${label})` : 'the camera', stream });
  }

  private async open(source: Source): Promise<void> {
    await this.close();
    const gen = this.generation;
    this.ui.body.hidden = false;
    this.setState('loading');
    await this.start(gen, source);
  }

  /** Attaches the source, loads the model if needed, and plays. */
  private async start(gen: number, source: Source): Promise<void> {
    this.source = source;
    this.opts.hideMessage();
    this.ui.threshold.value = DEFAULT_THRESHOLD; // as for each still image: each video starts at the default
    this.ui.thresholdValue.textContent = this.threshold().toFixed(2);
    const video = this.ui.video;
    if (source.kind === 'file') video.src = source.url;
    else video.srcObject = source.stream;
    this.ui.status.textContent = 'Preparing the network for video…';
    const seg = await this.model();
    if (gen !== this.generation) return;
    this.droppedAtOpen = seg.dropped;
    this.paused = false;
    this.schedule(gen);
    await video.play();
    if (gen !== this.generation) return;
    this.setState('playing');
  }

  /** Stops the source and forgets its frames (the model stays loaded). */
  async close(): Promise<void> {
    this.generation++;
    const hadFocus = this.ui.body.contains(document.activeElement);
    const video = this.ui.video;
    if (this.callbackHandle !== undefined && typeof video.cancelVideoFrameCallback === 'function') video.cancelVideoFrameCallback(this.callbackHandle);
    if (this.animationHandle !== undefined) cancelAnimationFrame(this.animationHandle);
    this.callbackHandle = this.animationHandle = undefined;
    video.pause();
    const source = this.source;
    this.source = undefined;
    if (source?.kind === 'camera') for (const t of source.stream.getTracks()) t.stop();
    video.removeAttribute('src');
    video.srcObject = null;
    video.load();
    if (source?.kind === 'file') URL.revokeObjectURL(source.url);
    this.shown?.frame.close();
    this.shown = undefined;
    this.history = [];
    this.results = 0;
    this.lastEntry = undefined;
    this.stripSelected = undefined;
    this.stripDriven = false;
    this.arrivals = [];
    this.frameDuration = this.presentedTime = undefined;
    this.wantFrame = false;
    this.paused = false;
    this.ui.canvas.width = this.ui.canvas.height = 1;
    this.updateStrip();
    this.ui.area.textContent = '';
    this.ui.body.hidden = true;
    this.setState('off');
    this.showStats();
    // Focus on a control that was just hidden would fall to the page's body: it goes where another video is opened.
    if (hadFocus) (this.ui.file.disabled ? this.ui.camera : this.ui.file).focus();
    await Promise.resolve();
  }

  private fail(title: string, detail: string): void {
    this.opts.showMessage(title, detail);
    this.setState('error');
    this.ui.status.textContent = `${title}.`;
  }

  // ---- frames ----

  /** Asks for the next presented frame. */
  private schedule(gen: number): void {
    const video = this.ui.video;
    if (typeof video.requestVideoFrameCallback === 'function') {
      this.callbackHandle = video.requestVideoFrameCallback((_now, meta) => this.onFrame(gen, meta.mediaTime));
    } else {
      // Without requestVideoFrameCallback: look once per animation frame whether the picture moved on.
      let seen = -1;
      const check = () => {
        if (gen !== this.generation) return;
        this.animationHandle = requestAnimationFrame(check);
        if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && (video.currentTime !== seen || this.wantFrame)) {
          seen = video.currentTime;
          this.onFrame(gen, seen, false);
        }
      };
      check();
    }
  }

  private onFrame(gen: number, mediaTime: number, reschedule = true): void {
    if (gen !== this.generation || !this.source) return;
    if (reschedule) this.schedule(gen);
    if (this.presentedTime !== undefined && this.source.kind === 'file') {
      const d = mediaTime - this.presentedTime;
      if (d > 1e-4 && (this.frameDuration === undefined || d < this.frameDuration)) this.frameDuration = d;
    }
    this.presentedTime = mediaTime;
    const forced = this.wantFrame;
    if (!forced && (this.paused || this.ui.video.paused)) return;
    this.wantFrame = false;
    if (forced && this.paused && this.source.kind === 'camera') this.ui.video.pause(); // a camera step: this one frame
    const video = this.ui.video;
    if (this.framePath === 'VideoFrame') {
      let frame: VideoFrame;
      try {
        frame = new VideoFrame(video, { timestamp: Math.round(mediaTime * 1e6) });
      } catch {
        return; // no picture yet
      }
      this.submit(gen, frame, mediaTime, forced);
      return;
    }
    const seg = this.engine!;
    if (!forced && seg.inFlight >= seg.maxInFlight) {
      // The engine is full, so this drops the frame and counts it (undefined comes back) without taking a picture first.
      seg.trySegment(video)?.catch(() => undefined);
      this.showStats();
      return;
    }
    createImageBitmap(video).then(
      (bitmap) => (gen === this.generation ? this.submit(gen, bitmap, mediaTime, forced) : bitmap.close()),
      () => undefined,
    );
  }

  /** Hands a frame to the engine: dropped (and counted) when it is busy, unless `forced`. */
  private submit(gen: number, frame: Frame, mediaTime: number, forced: boolean): void {
    const seg = this.engine!;
    const pending = forced ? seg.segment(frame) : seg.trySegment(frame);
    if (!pending) {
      frame.close();
      this.showStats();
      return;
    }
    this.inFlight++;
    pending
      .then(
        (result) => {
          if (gen === this.generation) this.show(result, frame, mediaTime);
          else frame.close();
        },
        (err: unknown) => {
          frame.close();
          if (gen === this.generation) this.fail('The engine could not segment a video frame', errorText(err));
        },
      )
      .finally(() => {
        this.inFlight--;
        if (gen === this.generation) this.showStats();
      });
  }

  /**
   * A frame's result: drawn unless a later call's result is on show already (the engine may finish a later
   * frame first), and recorded in the strip: a new column, or the frame's own column if it was processed
   * before (a step back or a key on the strip goes to a frame already processed).
   */
  private show(result: FrameResult, frame: Frame, mediaTime: number): void {
    const newest = !this.shown || result.index > this.shown.result.index;
    let regionPixels: number;
    if (newest) {
      this.shown?.frame.close();
      this.shown = { frame, result, mediaTime };
      regionPixels = this.render();
    } else {
      frame.close();
      regionPixels = regionCount(result.probability, result.maxProbability, this.threshold());
    }
    const entry: ProcessedFrame = {
      index: result.index,
      mediaTime,
      maxProbability: result.maxProbability,
      polypPresent: result.polypPresent,
      areaFraction: result.areaFraction,
      regionPixels,
      latencyMs: result.timings.latencyMs,
    };
    let at = this.entryOf(mediaTime);
    if (at === undefined) at = this.history.push(entry) - 1;
    else if (result.index > this.history[at]!.index) this.history[at] = entry;
    this.results++;
    this.lastEntry = at;
    if (!this.stripDriven && newest) this.stripSelected = at;
    const now = performance.now();
    this.arrivals.push(now);
    while (this.arrivals.length > 2 && now - this.arrivals[0]! > 5000) this.arrivals.shift();
    this.updateStrip();
    this.showStats();
    this.showStatus();
  }

  /** The history entry of the frame at `mediaTime`, if it was processed before. */
  private entryOf(mediaTime: number): number | undefined {
    for (let i = this.history.length - 1; i >= 0; i--) if (sameFrame(this.history[i]!.mediaTime, mediaTime)) return i;
    return undefined;
  }

  /** Draws the shown frame and its region at the slider's threshold; returns the region's pixel count. */
  private render(): number {
    const ui = this.ui;
    ui.thresholdValue.textContent = this.threshold().toFixed(2);
    if (!this.shown) return 0;
    const { frame, result, mediaTime } = this.shown;
    const { width: w, height: h } = result;
    const t = this.threshold();
    if (ui.canvas.width !== w || ui.canvas.height !== h) {
      ui.canvas.width = w;
      ui.canvas.height = h;
    }
    const ctx = ui.canvas.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw on a 2D canvas');
    ctx.drawImage(frame, 0, 0, w, h);
    let inside = 0;
    if (result.maxProbability >= t) {
      if (this.layer.width !== w || this.layer.height !== h || !this.layerPixels) {
        this.layer.width = w;
        this.layer.height = h;
        this.layerPixels = new ImageData(w, h);
      }
      inside = regionLayer(result.probability, w, h, t, this.layerPixels.data);
      this.layer.getContext('2d')!.putImageData(this.layerPixels, 0, 0);
      ctx.drawImage(this.layer, 0, 0);
    }
    const at = this.source?.kind === 'file' ? `Frame at ${clock(mediaTime)}` : 'Frame';
    const highest = `highest probability ${result.maxProbability.toFixed(2)}`;
    ui.area.textContent =
      inside === 0
        ? `${at}: no polyp found at threshold ${t.toFixed(2)} (${highest}).`
        : `${at}: predicted polyp at threshold ${t.toFixed(2)}: ${((100 * inside) / (w * h)).toFixed(1)}% of the frame (${inside} pixels; ${highest}).`;
    ui.canvas.setAttribute(
      'aria-label',
      `The processed video frame with the pixels whose probability reaches ${t.toFixed(2)} tinted green and outlined in yellow`,
    );
    return inside;
  }

  private droppedNow(): number {
    return this.engine ? this.engine.dropped - this.droppedAtOpen : 0;
  }

  private showStats(): void {
    const ui = this.ui;
    const n = this.history.length;
    ui.processed.textContent = `${n} frame${n === 1 ? '' : 's'}${this.inFlight ? ` (${this.inFlight} in the engine)` : ''}`;
    const a = this.arrivals;
    ui.fps.textContent =
      a.length >= 2 && a[a.length - 1]! > a[0]!
        ? `${((1000 * (a.length - 1)) / (a[a.length - 1]! - a[0]!)).toFixed(1)} frames/s (the last ${a.length} results)`
        : '–';
    const last = this.shown?.result.timings;
    const recent = this.history.slice(-30).map((f) => f.latencyMs);
    ui.latency.textContent = last
      ? `${last.latencyMs.toFixed(0)} ms (upload ${last.uploadMs.toFixed(1)} ms, GPU ${last.gpuMs.toFixed(0)} ms, read-back ${last.readbackMs.toFixed(1)} ms); ` +
        `median ${median(recent).toFixed(0)} ms over the last ${recent.length}`
      : '–';
    const dropped = this.droppedNow();
    ui.dropped.textContent = `${dropped} frame${dropped === 1 ? '' : 's'}${dropped ? ' (the engine was still busy with earlier frames)' : ''}`;
    const found = this.history.filter((f) => f.polypPresent).length;
    ui.found.textContent = n ? `${found} of ${n} processed frames (highest probability 0.50 or more)` : '–';
  }

  private showStatus(): void {
    const s = this.source;
    if (!s || this.state === 'loading' || this.state === 'error') return;
    const video = this.ui.video;
    const size = video.videoWidth ? `${video.videoWidth} x ${video.videoHeight}` : '';
    const cameraRate = s.kind === 'camera' ? s.stream.getVideoTracks()[0]?.getSettings().frameRate : undefined;
    const perSecond = cameraRate ?? (this.frameDuration ? 1 / this.frameDuration : undefined);
    const rate = perSecond ? `${perSecond.toFixed(1)} frames/s` : '';
    const facts = [size, s.kind === 'file' && Number.isFinite(video.duration) ? clock(video.duration) : '', rate].filter(Boolean).join(', ');
    const what = `${s.name}${facts ? ` (${facts})` : ''}`;
    const where = this.presentedTime !== undefined && s.kind === 'file' ? ` at ${clock(this.presentedTime)}` : '';
    this.ui.status.textContent =
      this.state === 'playing'
        ? `Playing ${what}: each frame goes to the engine when it is free, the others are dropped.`
        : this.state === 'paused'
          ? `Paused ${what}${where}. Step one frame, or move the threshold.`
          : this.state === 'ended'
            ? `${what} has ended.`
            : '';
  }

  // ---- controls ----

  private togglePlay(): void {
    const video = this.ui.video;
    if (!this.source) return;
    if (this.state === 'playing') {
      this.paused = true;
      video.pause();
      this.setState('paused');
    } else {
      this.paused = false;
      this.wantFrame = false;
      this.stripDriven = false;
      this.setState('playing');
      video.play().catch((err: unknown) => this.fail('Could not play the video', errorText(err)));
    }
  }

  /** Pauses, then processes the next frame: a file seeks one frame on, a camera plays for one frame. */
  private step(): void {
    const video = this.ui.video;
    const s = this.source;
    if (!s) return;
    this.stripDriven = false;
    if (this.state === 'playing') {
      this.paused = true;
      video.pause();
      this.setState('paused');
    }
    if (s.kind === 'camera') {
      this.wantFrame = true;
      video.play().catch((err: unknown) => this.fail('Could not take a frame from the camera', errorText(err)));
      return;
    }
    const d = this.frameDuration ?? 1 / 30;
    const from = this.presentedTime ?? video.currentTime;
    // The middle of the next frame: lands on it whatever the rounding of the frames' times.
    const to = from + 1.5 * d;
    if (Number.isFinite(video.duration) && to >= video.duration) {
      this.ui.status.textContent = 'This is the last frame.';
      return;
    }
    this.wantFrame = true;
    video.currentTime = to;
  }

  /**
   * Draws the strip and the focused strip's column marker, and sets its slider's value and description. A
   * screen reader announces a focused slider's every change of value: while the video plays, the value is
   * kept until the user moves the slider, playback pauses or ends, or focus comes back (`announce`).
   */
  private updateStrip(announce = false): void {
    const { strip, stripCursor } = this.ui;
    const total = this.history.length;
    const { offset, count, column } = stripWindow(total, this.stripSelected, STRIP_MAX_COLUMNS);
    drawStrip(strip, this.history.slice(offset, offset + count));
    const seekable = this.source?.kind === 'file' && count > 0;
    strip.tabIndex = seekable ? 0 : -1;
    strip.setAttribute('aria-disabled', String(!seekable));
    stripCursor.hidden = column === undefined;
    stripCursor.style.left = `${(100 * (column ?? 0)) / Math.max(1, count)}%`;
    stripCursor.style.width = `${100 / Math.max(1, count)}%`;
    if (!announce && this.state === 'playing' && document.activeElement === strip) return;
    const selected = this.stripSelected;
    const entry = selected === undefined ? undefined : this.history[selected];
    const set = (name: string, value: string) => strip.setAttribute(`aria-${name}`, value);
    set('valuemin', total ? '1' : '0');
    set('valuemax', String(total));
    set('valuenow', String(selected === undefined ? 0 : selected + 1));
    set(
      'valuetext',
      entry ? stripValueText(selected!, total, entry, this.source?.kind === 'file' ? clock(entry.mediaTime) : undefined) : 'No frame processed yet',
    );
  }

  /** A click on the strip: a video file goes back (paused) to that column's frame. */
  private seekToColumn(e: MouseEvent): void {
    const { offset, count } = stripWindow(this.history.length, this.stripSelected, STRIP_MAX_COLUMNS);
    if (count === 0) return;
    const rect = this.ui.strip.getBoundingClientRect();
    const column = Math.min(count - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * count)));
    this.seekToEntry(offset + column);
  }

  /** A key on the focused strip (strip-keys.ts says which frame it goes to); other keys are left to the browser. */
  private onStripKey(e: KeyboardEvent): void {
    if (this.source?.kind !== 'file' || e.altKey || e.ctrlKey || e.metaKey) return;
    const to = stripKeyTarget(e.key, e.shiftKey, this.stripSelected ?? this.history.length - 1, this.history);
    if (to === undefined) return;
    e.preventDefault(); // the page must not scroll
    this.seekToEntry(to);
  }

  /** Puts the strip's slider on a history entry, and a video file goes back (paused) to its frame. */
  private seekToEntry(index: number): void {
    const entry = this.history[index];
    if (this.source?.kind !== 'file' || !entry) return;
    this.stripSelected = index;
    this.stripDriven = true;
    const video = this.ui.video;
    const wasPaused = this.state === 'paused';
    if (this.state === 'playing') {
      this.paused = true;
      video.pause();
      this.setState('paused');
    } else if (this.state === 'ended') {
      this.paused = true;
      this.setState('paused');
    }
    this.updateStrip(true);
    // Already on show and nothing pending: no seek (a seek to the picture shown presents no new frame to process).
    const onShow = this.shown !== undefined && sameFrame(this.shown.mediaTime, entry.mediaTime);
    if (wasPaused && onShow && !video.seeking && !this.wantFrame && this.inFlight === 0) return;
    this.wantFrame = true;
    video.currentTime = entry.mediaTime + 0.25 * (this.frameDuration ?? 1 / 30);
  }
}
