// What the engine did with a browser frame, seen from outside: every copyExternalImageToTexture call (given the
// frame itself or an ImageBitmap the engine made of it, and whether it threw) and every ImageBitmap made while
// watching. Can also act as Firefox, whose WebIDL takes no <video> or VideoFrame as a copy's source (a TypeError
// at the call), for the queues it is told to.

export interface CopyCall {
  source: unknown;
  /** the name of what the call threw */
  threw?: string;
}

/** Firefox's message for a source its WebIDL union does not take. */
const FIREFOX_TYPE_ERROR =
  "GPUQueue.copyExternalImageToTexture: 'source' member of GPUCopyExternalImageSourceInfo could not be converted to any of: " +
  'ImageBitmap, HTMLImageElement, HTMLCanvasElement, OffscreenCanvas.';

export class CopyWatch {
  readonly calls: CopyCall[] = [];
  readonly bitmaps: ImageBitmap[] = [];
  /** queues that refuse <video> and VideoFrame sources as Firefox does */
  readonly firefox = new Set<GPUQueue>();
  /** a rejection for the next createImageBitmap calls (one each), as a browser that cannot make one */
  readonly bitmapFailures: Error[] = [];
  private readonly restore: () => void;

  constructor() {
    const proto = GPUQueue.prototype;
    const copy = Object.getOwnPropertyDescriptor(proto, 'copyExternalImageToTexture')!;
    const own = Object.getOwnPropertyDescriptor(window, 'createImageBitmap'); // WebIDL puts a [Global]'s operations on the object itself
    const make = window.createImageBitmap.bind(window);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the replaced methods report here
    const watch = this;
    proto.copyExternalImageToTexture = function (this: GPUQueue, source, destination, size) {
      const call: CopyCall = { source: source.source };
      watch.calls.push(call);
      try {
        if (watch.firefox.has(this) && (source.source instanceof HTMLVideoElement || source.source instanceof VideoFrame)) {
          throw new TypeError(FIREFOX_TYPE_ERROR);
        }
        return (copy.value as GPUQueue['copyExternalImageToTexture']).call(this, source, destination, size);
      } catch (err) {
        call.threw = (err as Error).name;
        throw err;
      }
    };
    window.createImageBitmap = (async (...args: Parameters<typeof make>) => {
      const failure = watch.bitmapFailures.shift();
      if (failure) throw failure;
      const bitmap = await make(...args);
      watch.bitmaps.push(bitmap);
      return bitmap;
    }) as typeof make;
    this.restore = () => {
      Object.defineProperty(proto, 'copyExternalImageToTexture', copy);
      if (own) Object.defineProperty(window, 'createImageBitmap', own);
      else delete (window as Partial<Window>).createImageBitmap;
    };
  }

  /** What happened since `mark()` was called, for `frame`: copies of it, copies refused, bitmaps made and left open. */
  since(mark: { calls: number; bitmaps: number }, frame: unknown) {
    const direct = this.calls.slice(mark.calls).filter((c) => c.source === frame);
    const made = this.bitmaps.slice(mark.bitmaps);
    return {
      directCopies: direct.length,
      directRefused: direct.filter((c) => c.threw !== undefined).length,
      bitmapsMade: made.length,
      bitmapsOpen: made.filter((b) => b.width !== 0).length,
    };
  }

  mark() {
    return { calls: this.calls.length, bitmaps: this.bitmaps.length };
  }

  stop(): void {
    this.restore();
  }
}
