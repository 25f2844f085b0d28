// The loaders' error classes (Node, browser and worker client alike), in a module of their own so the worker
// client (which must not pull the engine into the page's bundle) can rethrow a worker's errors as the same classes.

/** No usable WebGPU device (no navigator.gpu or no adapter in a browser, no Dawn backend in Node, or the device request failed). */
export class NoWebGpuError extends Error {
  override readonly name = 'NoWebGpuError';
}

/** The weights could not be downloaded or are not a model the engine can read. */
export class WeightsLoadError extends Error {
  override readonly name = 'WeightsLoadError';
  constructor(
    readonly source: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}
