// pranet-wgsl for Node: PraNet polyp segmentation on WebGPU (Dawn). The same engine runs in browsers
// through ./browser.js; only device creation and file access differ.
import { fileURLToPath } from 'node:url';
import { DEFAULT_WEIGHTS_FILE } from './api/default-weights.js';
import { NoWebGpuError, WeightsLoadError } from './api/errors.js';
import { Segmenter, type SegmenterOptions } from './api/segmenter.js';
import { FrameSegmenter, type FrameSegmenterOptions } from './api/frames.js';
import { createNodeGpu, type NodeGpuOptions } from './gpu/node-device.js';
import { loadWeights, type LoadedWeights } from './models/load-weights.js';
import type { GpuContext } from './gpu/context.js';
import type { ProgressCallback, WeightFileSource } from './weights/index.js';
import { sourceName } from './weights/load-weight-file.js';
import type { TuningChoice } from './tuning/resolve.js';
import { resolveNodeTuning } from './tuning/store-node.js';

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
export { NoWebGpuError, WeightsLoadError } from './api/errors.js';
export type { GpuContext, AdapterSummary } from './gpu/context.js';
export { tune, type TuneOptions, type TuneResult, type ConvMeasurement } from './tuning/tune.js';
export { parseTuningTable, describeTable, mergeTables, type TuningTable } from './tuning/table.js';
export { readStoredTable, readTableFile, resolveNodeTuning, storeTable, tablePath, tuningDir } from './tuning/store-node.js';
export type { TuningChoice, ResolvedTuning } from './tuning/resolve.js';
export { forcedTiling, type TilingPolicy } from './kernels/tiling-policy.js';
export type { ConvTiling } from './kernels/conv2d.js';
export { createNodeGpu, type NodeGpuOptions } from './gpu/node-device.js';
export { loadWeights, weightsFromBytes, type LoadedWeights } from './models/load-weights.js';
export { convertCheckpoint, convertStateDict, type ConvertResult } from './models/convert.js';
export { describeConfig, type PraNetConfig } from './models/pranet-config.js';
export { decodeImage, encodePng, encodePngRgba, drawOverlay, binarize, encodeNpy, decodeNpy, type RgbaImage } from './io/index.js';
export { readImageFile, listImages, writeFileAtomic } from './io/files-node.js';
export {
  evaluateDataset,
  evaluateImage,
  summarizeDataset,
  rgbaFirstChannel,
  rgbaToGrayMatlab,
  resizeMapBilinear,
  type DatasetMetrics,
  type GrayMap,
  type ImagePair,
  type ImageEvaluation,
} from './metrics/index.js';
export { datasetSummary, formatSummaryTable, type DatasetSummary } from './metrics/summary.js';
export { renderEvalReport } from './report/eval-report.js';
export { formatProfile } from './profile/format.js';
export { chromeTrace } from './profile/chrome-trace.js';
export { measureGemmCeiling, type GemmCeiling } from './profile/gemm-ceiling.js';
export type { ProfileSummary, KernelRow, GroupSummary } from './profile/kernel-profile.js';

/** Absolute path of the weight file that ships with the package. */
export const DEFAULT_WEIGHTS_PATH = fileURLToPath(new URL(`../../${DEFAULT_WEIGHTS_FILE}`, import.meta.url));

export interface LoadOptions extends SegmenterOptions, NodeGpuOptions {
  onProgress?: ProgressCallback;
  /**
   * How convs are tiled on this device: 'auto' (default) uses the table `pranet tune` stored for this adapter
   * and engine version (in $XDG_CACHE_HOME/pranet-wgsl, else ~/.cache/pranet-wgsl), or the defaults for the
   * adapter's class; 'none' the defaults; or a table. An explicit `tiling` policy overrides it.
   */
  tuning?: TuningChoice;
}

/**
 * Weights, then a device: what both loaders start from. Failures are WeightsLoadError (the built-in model's
 * named as such) and NoWebGpuError, as in browsers.
 */
async function weightsAndDevice(weights: WeightFileSource, opts: LoadOptions): Promise<{ loaded: LoadedWeights; gpu: GpuContext }> {
  const loaded = await loadWeights(weights, opts.onProgress).catch((err: Error) => {
    const source = sourceName(weights, 'weight bytes');
    const message =
      weights === DEFAULT_WEIGHTS_PATH
        ? `the built-in model could not be loaded (${err.message}); reinstall the package or pass weights explicitly (--weights FILE)`
        : err.message;
    throw new WeightsLoadError(source, message, { cause: err });
  });
  const gpu = await createNodeGpu({
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.unquantizedTimestamps ? { unquantizedTimestamps: true } : {}),
  }).catch((err: Error) => {
    throw new NoWebGpuError(err.message, { cause: err });
  });
  return { loaded, gpu };
}

/** The tiling the options ask for on `gpu`: an explicit policy, else what `tuning` resolves to. */
function tilingFor(opts: LoadOptions, gpu: GpuContext): Pick<SegmenterOptions, 'tiling' | 'tilingDescription'> {
  if (opts.tiling) return { tiling: opts.tiling, tilingDescription: 'the given tiling policy' };
  const tuning = resolveNodeTuning(opts.tuning ?? 'auto', gpu);
  return { tiling: tuning.policy, tilingDescription: tuning.description };
}

/**
 * Loads a model (the engine's weight file, or a PyTorch .pth / .safetensors with PraNet's keys; the shipped
 * default when `weights` is omitted) onto a new WebGPU device. Call dispose() when done.
 */
export async function loadSegmenter(weights: WeightFileSource = DEFAULT_WEIGHTS_PATH, opts: LoadOptions = {}): Promise<Segmenter> {
  const { loaded, gpu } = await weightsAndDevice(weights, opts);
  try {
    return await Segmenter.create(gpu, loaded, { ...opts, ...tilingFor(opts, gpu) }, true);
  } catch (err) {
    gpu.destroy();
    throw err;
  }
}

export type FrameLoadOptions = FrameSegmenterOptions & LoadOptions;

/**
 * Loads a model for video frames (RGBA bytes, one after another) onto a new WebGPU device: see FrameSegmenter.
 * Call dispose() when done.
 */
export async function loadFrameSegmenter(weights: WeightFileSource = DEFAULT_WEIGHTS_PATH, opts: FrameLoadOptions = {}): Promise<FrameSegmenter> {
  const { loaded, gpu } = await weightsAndDevice(weights, opts);
  try {
    return await FrameSegmenter.create(gpu, loaded, { ...opts, ...tilingFor(opts, gpu) }, true);
  } catch (err) {
    gpu.destroy();
    throw err;
  }
}
