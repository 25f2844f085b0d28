// What the worker test page (test/browser/harness/worker-page.ts) offers the tests, as window.workerHarness.
import type { SegmentTimings } from '../../../src/api/segmenter.js';
import type { AdapterSummary } from '../../../src/gpu/context.js';
import type { PraNetConfig } from '../../../src/models/pranet-config.js';
import type { WireImage } from './wire.js';

/** A Segmentation with its arrays as base64 of their bytes. */
export interface WireSegmentation {
  width: number;
  height: number;
  logits: string;
  probability: string;
  normalized: string;
  mask: string;
  maxProbability: number;
  polypPresent: boolean;
  areaFraction: number;
}

export interface SegmenterFacts {
  adapter: AdapterSummary;
  config: PraNetConfig;
  source: string;
  batchSize: number;
}

export interface Stall {
  /** how long the segment() call took */
  ms: number;
  /** the longest time between two ticks of the page's 4 ms timer meanwhile */
  maxGapMs: number;
  ticks: number;
  /**
   * the longest task the page's main thread ran meanwhile (Long Tasks API: tasks over 50 ms; 0 when none): what
   * blocks the page itself, where a timer gap also counts the time the OS gave other processes
   */
  longestTaskMs: number;
}

export interface WorkerHarness {
  /**
   * Loads `weightsUrl` at `size` on the page and in a worker (the default worker, ./worker.js next to the page's
   * script) and segments `image` with both (logits too); then in the worker the same pixels as an ImageBitmap,
   * copied and transferred, and as a transferred buffer.
   */
  compare(
    weightsUrl: string,
    size: number,
    image: WireImage,
  ): Promise<{
    main: WireSegmentation;
    worker: WireSegmentation;
    bitmapCopied: string;
    bitmapHanded: string;
    widthAfterCopy: number;
    widthAfterTransfer: number;
    bufferAfterTransfer: number;
    progress: [number, number | undefined][];
    mainInfo: SegmenterFacts;
    workerInfo: SegmenterFacts;
    workerTimings: SegmentTimings;
  }>;
  /** The messages of the calls that must fail: a missing weight file, a worker script that does not exist, bad pixels, a call after dispose. */
  errors(
    weightsUrl: string,
    size: number,
  ): Promise<{
    missing: { name: string; isWeightsLoadError: boolean; message: string; source: string };
    badScript: string;
    badPixelsMain: string;
    badPixelsWorker: string;
    unsendable: string;
    afterDispose: string;
  }>;
  /** Segments a synthetic `width` x `height` image twice (the first compiles) and times the page's timer during the second. */
  stall(weightsUrl: string, size: number, width: number, height: number, where: 'worker' | 'main'): Promise<Stall>;
}

declare global {
  interface Window {
    workerHarness?: Promise<WorkerHarness>;
  }
}
