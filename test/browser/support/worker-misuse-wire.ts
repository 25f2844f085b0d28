// What the worker-misuse test page (test/browser/harness/worker-misuse-page.ts) offers the tests, as
// window.workerMisuse: each scenario reports how its calls settled, so a call that hangs shows as 'pending'.

/** How one call ended within the page's deadline (a segmentation's value is its size, "WxH"). */
export type Outcome =
  | { state: 'resolved'; value?: unknown }
  | { state: 'rejected'; name: string; message: string; cls: string; source?: string | undefined }
  | { state: 'pending' };

/** The same call on the worker client and on the main-thread engine. */
export interface Both {
  worker: Outcome;
  main: Outcome;
}

export interface WorkerMisuse {
  /** Many calls at once, dispose() during calls, terminate() from outside, a worker given twice or not a Worker. */
  lifecycle(
    weightsUrl: string,
    size: number,
  ): Promise<{
    sizes: string[];
    sameAsOneByOne: boolean[];
    atDispose: { inFlight: Outcome[]; dispose: Outcome; again: Outcome; after: Outcome };
    terminated: { inFlight: Outcome; later: Outcome; dispose: Outcome };
    givenTwice: Outcome;
    firstAfterGivenTwice: Outcome;
    givenAfterDispose: Outcome;
    notAWorker: Outcome;
  }>;
  /** Worker scripts of an app's own around pranet-wgsl/worker: they throw, close(), chat, import it late, ignore it, speak another version. */
  hostScripts(
    weightsUrl: string,
    size: number,
  ): Promise<{
    throwsBefore: Outcome;
    throwsAfter: Outcome;
    hostError: { inFlight: Outcome; later: Outcome };
    withHostMessages: { calls: Outcome[]; echoes: number };
    closed: { inFlight: Outcome; later: Outcome; dispose: Outcome };
    lateImport: Outcome;
    deafWithTimeout: Outcome;
    abortedLoad: Outcome;
    /** a signal aborted after the load: the segmenter keeps working */
    abortAfterLoad: Outcome;
    /** load messages a host script saw for one load (the weights go once) */
    loadsSeen: number;
    /** weight bytes handed over elsewhere right after the call, to a worker that imports the engine late */
    weightsDetachedAfterCall: Outcome;
    /** a raw load (id 1, as every client's first) to a worker that holds a model */
    rawLoadOnLoaded: Outcome;
    otherVersion: Outcome;
    workerToOtherVersion: Outcome;
    noWebGpu: Outcome;
  }>;
  /** Bad inputs on the worker client and the main-thread engine; what a transfer leaves on the page. */
  inputs(
    weightsUrl: string,
    size: number,
  ): Promise<{
    img: Both;
    canvas: Both;
    getters: Both;
    extraField: Both;
    extraOption: Both;
    notArray: Both;
    set: Both;
    handedLength: number;
    detached: Both;
    closedBitmap: Both;
    refused: Both;
    refusedKeeps: number;
    poolKeeps: number;
    viewSame: boolean;
    /** a pool under pixels of a Uint8Array subclass whose slice() is a view (as Buffer's), sent without transfer */
    subclassPoolKeeps: number;
    huge: Both;
    garbageWeights: Both;
  }>;
}

declare global {
  interface Window {
    workerMisuse?: WorkerMisuse;
  }
}
