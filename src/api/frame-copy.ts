// A browser frame (VideoFrame, <video>, ImageBitmap, canvas, OffscreenCanvas) into the frame pipeline's texture
// with copyExternalImageToTexture, and what the user is told when one cannot go. Measured in Chromium: every
// refusal throws at the call (SecurityError: cross-origin pixels; InvalidStateError: a closed or transferred
// source; OperationError: a video with no picture, a canvas without a context, a copy larger than the source),
// so each is named with the frame and a way out. The WebGPU spec also lets a browser report an unusable source
// as a validation error, which leaves the texture holding an earlier frame: each copy has its own error scope.

export type BrowserFrame = VideoFrame | HTMLVideoElement | ImageBitmap | HTMLCanvasElement | OffscreenCanvas;

const TYPE_NAMES = {
  VideoFrame: 'VideoFrame',
  HTMLVideoElement: '<video>',
  ImageBitmap: 'ImageBitmap',
  HTMLCanvasElement: '<canvas>',
  OffscreenCanvas: 'OffscreenCanvas',
};
type TypeName = keyof typeof TYPE_NAMES;

/** The browser image type `f` is (where this environment has it). */
export function browserFrameType(f: unknown): TypeName | undefined {
  return (Object.keys(TYPE_NAMES) as TypeName[]).find((name) => {
    const type = (globalThis as Record<string, unknown>)[name];
    return typeof type === 'function' && f instanceof type;
  });
}

export function browserFrameSize(f: BrowserFrame): [number, number] {
  const type = browserFrameType(f);
  if (type === 'VideoFrame') return [(f as VideoFrame).displayWidth, (f as VideoFrame).displayHeight];
  if (type === 'HTMLVideoElement') return [(f as HTMLVideoElement).videoWidth, (f as HTMLVideoElement).videoHeight];
  return [(f as ImageBitmap).width, (f as ImageBitmap).height];
}

/** "the <video> (640x480)" */
const named = (f: BrowserFrame): string => `the ${TYPE_NAMES[browserFrameType(f)!]} (${browserFrameSize(f).join('x')})`;

const READY_STATES = ['HAVE_NOTHING: nothing loaded yet', 'HAVE_METADATA: only its size and length are known'];

/**
 * Why the frame has no picture to copy, as the frame itself says. Asked when segment() is called and again at
 * the copy: a video may start seeking, a frame be closed, while it waits for a free slot.
 */
export function browserFrameProblem(f: BrowserFrame, index: number): string | undefined {
  const type = browserFrameType(f);
  const closed = 'close() was called on it, or it was transferred: close a frame only after its result has come back';
  // Neither can be made with a zero size, so zero means closed.
  if (type === 'VideoFrame' && (f as VideoFrame).codedWidth === 0) return `frame ${index}: the VideoFrame is closed (${closed})`;
  if (type === 'ImageBitmap' && (f as ImageBitmap).width === 0) return `frame ${index}: the ImageBitmap is closed (${closed})`;
  if (type === 'HTMLVideoElement') {
    const video = f as HTMLVideoElement;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
      const why = video.seeking ? 'it is seeking' : READY_STATES[video.readyState];
      return (
        `frame ${index}: the <video> has no picture to copy (readyState ${video.readyState}, ${why}); pass it once it shows a frame: ` +
        "from requestVideoFrameCallback, or after its 'loadeddata' or 'seeked' event"
      );
    }
  }
  return undefined;
}

/** The copy's validation error, if any, once the device has checked it (a browser may report an unusable source so). */
export interface CopyCheck {
  validated: Promise<GPUError | null>;
}

/**
 * How browsers refuse a <video> or VideoFrame they cannot copy to WebGPU at all, though they can make an
 * ImageBitmap of it: Chromium without GPU compositing (a software-rendered browser, the tests' SwiftShader)
 * throws OperationError ("Failed to copy content from video element"); Firefox's WebIDL takes neither type as a
 * source, a TypeError at the call; NotSupportedError is the DOM's name for a source a browser does not handle.
 */
const VIDEO_REFUSALS = new Set(['OperationError', 'TypeError', 'NotSupportedError']);

/** Copies browser frames into textures; remembers the source types this browser can only copy as ImageBitmaps. */
export class FrameCopier {
  /** Types refused so and then copied as an ImageBitmap: they go that way from then on (each failed try logs a console line). */
  private readonly viaBitmap = new Set<TypeName>();

  /** Copies `frame` into `texture`, which has the size the frame had when segment() was called. */
  async copy(device: GPUDevice, frame: BrowserFrame, texture: GPUTexture, index: number): Promise<CopyCheck> {
    const problem = browserFrameProblem(frame, index);
    if (problem) throw new Error(problem);
    const [width, height] = browserFrameSize(frame);
    if (width !== texture.width || height !== texture.height) {
      // A larger source would be copied cropped, without an error: the result would be of part of the frame.
      throw new Error(
        `frame ${index}: ${named(frame)} changed size after segment() was called (from ${texture.width}x${texture.height}); ` +
          'pass a snapshot (an ImageBitmap or VideoFrame), or leave the source unchanged until its result comes back',
      );
    }
    const type = browserFrameType(frame)!;
    if (this.viaBitmap.has(type)) return this.copyAsBitmap(device, frame, texture, index);
    try {
      return copyDirect(device, frame, texture);
    } catch (err) {
      const video = type === 'HTMLVideoElement' || type === 'VideoFrame';
      if (!video || !VIDEO_REFUSALS.has(errorName(err))) throw refused(err, frame, index);
      const check = await this.copyAsBitmap(device, frame, texture, index, err);
      this.viaBitmap.add(type);
      return check;
    }
  }

  /**
   * Copies an ImageBitmap of `frame` (closed once copied); `directError` is the direct copy's refusal, if this
   * frame was tried (if not, and no ImageBitmap can be made, the frame itself is tried before giving up).
   */
  private async copyAsBitmap(device: GPUDevice, frame: BrowserFrame, texture: GPUTexture, index: number, directError?: unknown): Promise<CopyCheck> {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(frame);
    } catch (err) {
      if (directError !== undefined) throw noBitmap(err, frame, index, directError);
      // A type refused before: the frame itself may still go (nothing is lost trying), and if not, its refusal
      // says why this frame fails (a cross-origin <video>'s SecurityError) where the ImageBitmap's may not.
      try {
        return copyDirect(device, frame, texture);
      } catch (direct) {
        throw noBitmap(err, frame, index, direct);
      }
    }
    try {
      if (bitmap.width !== texture.width || bitmap.height !== texture.height) {
        throw new Error(`an ImageBitmap of it is ${bitmap.width}x${bitmap.height}, not the frame's ${texture.width}x${texture.height}`);
      }
      return copyDirect(device, bitmap, texture);
    } catch (err) {
      throw refused(err, frame, index, true);
    } finally {
      bitmap.close();
    }
  }
}

function copyDirect(device: GPUDevice, source: BrowserFrame, texture: GPUTexture): CopyCheck {
  device.pushErrorScope('validation');
  try {
    device.queue.copyExternalImageToTexture({ source }, { texture }, [texture.width, texture.height]);
  } catch (err) {
    device.popErrorScope().catch(() => undefined);
    throw err;
  }
  return { validated: device.popErrorScope() };
}

const errorName = (err: unknown): string => (err instanceof Error || err instanceof DOMException ? err.name : '');
const errorText = (err: unknown): string => (err instanceof Error || err instanceof DOMException ? `${err.name}: ${err.message}` : String(err));

const SECURITY_HINT =
  "it holds another origin's pixels (a video or image from another site without CORS): serve it from this page's origin, or with CORS " +
  '(crossorigin="anonymous" on the <video> or <img>, and an Access-Control-Allow-Origin header from its server)';

const BYTES_HINT = 'pass its RGBA bytes instead ({ width, height, data }: draw it on a canvas and read them with getImageData)';

/** The browser's refusal of a frame (`asBitmap`: of an ImageBitmap the engine made of it), with what to do. */
function refused(err: unknown, frame: BrowserFrame, index: number, asBitmap = false): Error {
  const name = errorName(err);
  const type = browserFrameType(frame);
  const hint =
    name === 'SecurityError'
      ? SECURITY_HINT
      : name === 'InvalidStateError'
        ? 'it was closed or handed over (an ImageBitmap or VideoFrame after close() or a transfer, a canvas after transferControlToOffscreen()): ' +
          'pass frames that are open, and close them after their result comes back'
        : type === 'HTMLCanvasElement' || type === 'OffscreenCanvas'
          ? 'a canvas needs a rendering context with the frame drawn on it (getContext("2d") and drawImage, for example)'
          : asBitmap
            ? BYTES_HINT
            : 'pass an ImageBitmap of the frame (createImageBitmap) or its RGBA bytes instead';
  const how = asBitmap ? ' as an ImageBitmap' : '';
  return new Error(`frame ${index}: the browser would not copy ${named(frame)} to the GPU${how} (${errorText(err)}); ${hint}`, { cause: err });
}

/** A <video> or VideoFrame the browser would neither copy (`directError`) nor make an ImageBitmap of (`err`). */
function noBitmap(err: unknown, frame: BrowserFrame, index: number, directError: unknown): Error {
  const hint = [err, directError].some((e) => errorName(e) === 'SecurityError') ? SECURITY_HINT : BYTES_HINT;
  return new Error(
    `frame ${index}: the browser would not copy ${named(frame)} to the GPU (${errorText(directError)}) nor make an ImageBitmap of it (${errorText(err)}); ${hint}`,
    { cause: directError },
  );
}

/** The error for a copy the device found invalid: its texture still holds an earlier frame, so no result is given. */
export function invalidCopy(error: GPUError, frame: BrowserFrame, index: number): Error {
  return new Error(
    `frame ${index}: the browser could not copy ${named(frame)} to the GPU (${error.message.split('\n')[0]}), so it has no result ` +
      "(the network would have seen an earlier frame's pixels); pass an ImageBitmap of the frame (createImageBitmap) or its RGBA bytes instead",
  );
}
