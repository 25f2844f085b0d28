// pranet-wgsl for browsers: the same engine as ./index.ts (kernels, graph, model, Segmenter); only the device
// (navigator.gpu) and file access (fetch, the browser's own image decoder) differ. Nothing here may import
// Node modules: tools/build/bundle-web.mjs fails the build if any reach the bundle.
import { NoWebGpuError, WeightsLoadError } from './api/errors.js';
import { Segmenter, type SegmenterOptions } from './api/segmenter.js';
import { createBrowserGpu } from './gpu/browser-device.js';
import type { GpuContext } from './gpu/context.js';
import { loadWeights, type LoadedWeights } from './models/load-weights.js';
import type { ProgressCallback } from './weights/fetch-bytes.js';
import { sourceName, type WeightFileSource } from './weights/load-weight-file.js';
import { PipelineCache } from './gpu/pipelines.js';
import { FrameSegmenter, type FrameSegmenterOptions } from './api/frames.js';
import type { TuningChoice } from './tuning/resolve.js';
import { mergeTables } from './tuning/table.js';
import { readBrowserTable, resolveBrowserTuning, storeBrowserTable } from './tuning/store-browser.js';
import { tune, type TuneOptions, type TuneResult } from './tuning/tune.js';

export {
  Segmenter,
  type RgbaPixels,
  type SegmentInput,
  type Segmentation,
  type SegmentOptions,
  type SegmenterOptions,
  type SegmentTimings,
} from './api/segmenter.js';
export { FrameSegmenter, segmentFrames, type FrameInput, type FrameResult, type FrameSegmenterOptions, type FrameTimings } from './api/frames.js';
export { DEFAULT_WEIGHTS_FILE } from './api/default-weights.js';
export { NoWebGpuError, WeightsLoadError } from './api/errors.js';
export type { GpuContext, AdapterSummary } from './gpu/context.js';
export { createBrowserGpu } from './gpu/browser-device.js';
export { weightsFromBytes, type LoadedWeights } from './models/load-weights.js';
export { describeConfig, type PraNetConfig } from './models/pranet-config.js';
export { convertCheckpoint, type ConvertResult } from './models/convert.js';
export { imageToRgba, type BrowserImageSource } from './io/image-browser.js';
export { DEFAULT_OVERLAY_STYLE, drawOverlay, type OverlayStyle } from './io/overlay.js';
export { binarize } from './io/postprocess.js';
export { methodText, type ProfileSummary, type GroupSummary, type KernelRow } from './profile/kernel-profile.js';
export type { RgbaImage } from './io/rgba-image.js';
export type { ProgressCallback } from './weights/fetch-bytes.js';
export type { WeightFileSource } from './weights/load-weight-file.js';

export interface BrowserLoadOptions extends SegmenterOptions {
  /** called as the weight file downloads; `total` is undefined when the server sends no length */
  onProgress?: ProgressCallback;
  /**
   * How convs are tiled on this device: 'auto' (default) uses the table tuneThisDevice stored in IndexedDB for
   * this adapter and engine version, or the defaults for the adapter's class; 'none' the defaults; or a table.
   */
  tuning?: TuningChoice;
}

/**
 * A device, then the weights and the tiling policy for that device: what both loaders start from. The device
 * comes first so a browser without WebGPU fails before a large download.
 */
async function deviceAndWeights(
  url: WeightFileSource,
  opts: BrowserLoadOptions,
): Promise<{ gpu: GpuContext; loaded: LoadedWeights; tiling: Pick<SegmenterOptions, 'tiling' | 'tilingDescription'> }> {
  let gpu: GpuContext;
  try {
    gpu = await createBrowserGpu();
  } catch (err) {
    throw new NoWebGpuError((err as Error).message, { cause: err });
  }
  try {
    let loaded: LoadedWeights;
    try {
      loaded = await loadWeights(url, opts.onProgress);
    } catch (err) {
      const source = sourceName(url, 'weight bytes');
      // fetch() rejects with a bare "Failed to fetch" for network errors: name the file.
      const message = (err as Error).message;
      throw new WeightsLoadError(source, message.includes(source) ? message : `${source}: ${message}`, { cause: err });
    }
    if (opts.tiling) return { gpu, loaded, tiling: { tiling: opts.tiling, tilingDescription: 'the given tiling policy' } };
    const tuning = await resolveBrowserTuning(opts.tuning ?? 'auto', gpu.adapter);
    return { gpu, loaded, tiling: { tiling: tuning.policy, tilingDescription: tuning.description } };
  } catch (err) {
    gpu.destroy();
    throw err;
  }
}

/**
 * Opens a WebGPU device, then downloads the weights from `url` (relative URLs resolve against the page; an
 * ArrayBuffer or Uint8Array, e.g. from a dropped file, is used as is) and compiles the network. Call dispose()
 * when done.
 */
export async function loadSegmenter(url: WeightFileSource, opts: BrowserLoadOptions = {}): Promise<Segmenter> {
  const { gpu, loaded, tiling } = await deviceAndWeights(url, opts);
  return Segmenter.create(gpu, loaded, { ...opts, ...tiling }, true).catch((err: unknown) => {
    gpu.destroy();
    throw err;
  });
}

/**
 * Loads a model for video frames (a playing <video>, VideoFrames from a camera, ImageBitmaps, canvases or RGBA
 * pixels; see FrameSegmenter): frames go GPU to GPU. Call dispose() when done.
 */
export async function loadFrameSegmenter(url: WeightFileSource, opts: BrowserLoadOptions & FrameSegmenterOptions = {}): Promise<FrameSegmenter> {
  const { gpu, loaded, tiling } = await deviceAndWeights(url, opts);
  return FrameSegmenter.create(gpu, loaded, { ...opts, ...tiling }, true).catch((err: unknown) => {
    gpu.destroy();
    throw err;
  });
}

/**
 * Tunes conv tilings for this browser's GPU (see pranet tune): opens a device, loads the weights, measures,
 * and stores the winning table in IndexedDB, where loadSegmenter's `tuning: 'auto'` finds it. Takes seconds on
 * a GPU and minutes on a software adapter; `onProgress` reports each conv and each round of whole passes.
 */
export async function tuneThisDevice(
  url: WeightFileSource,
  opts: Omit<TuneOptions, 'model'> & { model?: string } = {},
): Promise<TuneResult & { where: string }> {
  const gpu = await createBrowserGpu();
  try {
    const loaded = await loadWeights(url);
    const result = await tune(gpu, new PipelineCache(gpu), loaded, { ...opts, model: opts.model ?? loaded.source });
    // Beside what earlier tunings found for other convs; a stored record that cannot be read is replaced.
    const stored = await readBrowserTable(gpu.adapter).catch(() => undefined);
    const table = mergeTables(stored?.table, result.table, gpu.adapter);
    return { ...result, table, where: await storeBrowserTable(table, gpu.adapter) };
  } finally {
    gpu.destroy();
  }
}
