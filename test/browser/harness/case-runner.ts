// One frame case at a time through a FrameSegmenter: the frame, then a good frame (an ImageBitmap of the clip)
// whose map must equal the first good frame's, so a failed frame is seen to free its slot and leave nothing
// behind. What the engine did with the frame (copied it, or an ImageBitmap of it) comes from the CopyWatch.
import type { FrameInput, FrameSegmenter } from '../../../src/browser.js';
import type { FrameCaseResult } from '../support/wire.js';
import type { CopyWatch } from './copy-watch.js';

export const maxDiff = (a: Float32Array, b: Float32Array) => (a.length !== b.length ? Infinity : a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0));

const errorFields = (err: unknown): Pick<FrameCaseResult, 'error' | 'domException' | 'cause'> => {
  const cause = (err as { cause?: unknown }).cause;
  return {
    error: err instanceof Error || err instanceof DOMException ? err.message : String(err),
    domException: err instanceof DOMException,
    ...(cause instanceof Error || cause instanceof DOMException ? { cause: cause.name } : {}),
  };
};

export class CaseRunner {
  /** the index segment() gives the next frame */
  private next = 0;
  private reference: Float32Array | undefined;

  constructor(
    readonly frames: FrameSegmenter,
    private readonly good: ImageBitmap,
    private readonly watch: CopyWatch,
    readonly results: FrameCaseResult[],
  ) {}

  /** The good frame's map, first taken by start(). */
  get referenceMap(): Float32Array {
    if (!this.reference) throw new Error('CaseRunner.start() was not called');
    return this.reference;
  }

  async start(): Promise<this> {
    this.reference = await this.goodMap();
    return this;
  }

  private async goodMap(): Promise<Float32Array> {
    this.next++;
    return (await this.frames.segment(this.good)).probability;
  }

  /** Segments `frame` (`meanwhile` runs once it waits for the slot, which a good frame holds), then a good frame. */
  async run(name: string, frame: () => FrameInput, meanwhile?: () => void): Promise<FrameCaseResult> {
    const result: FrameCaseResult = { name, index: -1, afterDiff: NaN, inFlight: -1 };
    const mark = this.watch.mark();
    const holder = meanwhile ? this.goodMap() : undefined;
    const f = frame();
    if (f instanceof HTMLVideoElement) result.readyState = f.readyState;
    result.index = this.next++;
    const pending = this.frames.segment(f);
    meanwhile?.();
    await holder;
    try {
      result.mapDiff = maxDiff((await pending).probability, this.referenceMap);
    } catch (err) {
      Object.assign(result, errorFields(err));
    }
    Object.assign(result, this.watch.since(mark, f));
    result.inFlight = this.frames.inFlight;
    result.afterDiff = maxDiff(await this.goodMap(), this.referenceMap);
    this.results.push(result);
    return result;
  }
}
