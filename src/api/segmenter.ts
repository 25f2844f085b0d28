// The embeddable API: load a model once, then segment images (RGBA pixels at any size) one at a time or in
// batches, getting back probability maps and 8-bit masks at each image's own size. Host-neutral: the Node
// and browser entry points hand it a device and bytes.
import type { GpuContext } from '../gpu/context.js';
import { PipelineCache } from '../gpu/pipelines.js';
import { NonFiniteError } from '../graph/executor.js';
import type { TilingPolicy } from '../kernels/tiling-policy.js';
import { defaultsText } from '../tuning/resolve.js';
import { checkFinite, presenceOf, probabilityOption } from './presence.js';
import { bytescale } from '../io/postprocess.js';
import { preprocessBatch } from '../io/preprocess.js';
import { imageToRgba } from '../io/image-browser.js';
import type { RgbaImage } from '../io/rgba-image.js';
import type { LoadedWeights } from '../models/load-weights.js';
import type { PraNetConfig } from '../models/pranet-config.js';
import { PraNetModel, type StageTimings } from '../models/pranet-model.js';
import { PostprocessGraphs } from './postprocess-graph.js';
import { imageListProblem, rgbaPixelsOf } from './image-input.js';
import { timedDispatches } from '../profile/from-graph.js';
import { summarizeProfile, type ProfileSummary } from '../profile/kernel-profile.js';

/** Pixels as RGBA bytes (ImageData fits: its data is a Uint8ClampedArray). */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** What segment() takes: RGBA pixels or ImageData anywhere, and in a browser also an ImageBitmap. */
export type SegmentInput = RgbaPixels | ImageBitmap;

export interface SegmentOptions {
  /** also return lateral_map_2, the network's logits at 352 x 352 */
  logits?: boolean;
  /** `polypPresent` when the highest probability reaches this (default 0.5) */
  presenceThreshold?: number;
  /** `areaFraction` counts pixels whose probability reaches this (default 0.5) */
  maskThreshold?: number;
}

/** PraNet's four side outputs (logits at the network's input size), deepest first as its forward returns them. */
export type LateralMaps = Record<'lateral_map_5' | 'lateral_map_4' | 'lateral_map_3' | 'lateral_map_2', Float32Array>;

export interface Segmentation {
  width: number;
  height: number;
  /**
   * Per pixel, the probability of polyp: the sigmoid of the logits at image size, not stretched. Threshold
   * this to decide where (and whether) there is a polyp.
   */
  probability: Float32Array;
  /**
   * PraNet's test output: the probability min-max stretched to [0, 1] per image. Every image's map spans the
   * whole range, even one without a polyp, so it only ranks pixels within an image; the paper's metrics
   * (`pranet eval`) are computed on it.
   */
  normalized: Float32Array;
  /** `normalized` as 0..255, byte for byte what PraNet's MyTest.py saves */
  mask: Uint8Array;
  /** the highest probability in the image */
  maxProbability: number;
  /** maxProbability >= the presence threshold */
  polypPresent: boolean;
  /** the share of pixels whose probability reaches the mask threshold */
  areaFraction: number;
  logits?: Float32Array;
  /** with the segmenter option `allMaps`: all four lateral maps */
  lateralMaps?: LateralMaps;
}

/** Milliseconds spent in each stage of the last segment/segmentBatch call, summed over its chunks. */
export interface SegmentTimings {
  /** PIL-exact resize and normalisation on the CPU */
  preprocessMs: number;
  /** writing the input tensor to the GPU */
  uploadMs: number;
  /** the network on the GPU, from submit until done */
  networkMs: number;
  /** reading the logits back */
  readbackMs: number;
  /** resize to image size, sigmoid, min-max (GPU) and the 8-bit mask */
  postprocessMs: number;
}

export interface SegmenterOptions {
  /** images per forward pass; segmentBatch splits larger lists */
  batch?: number;
  /** also compute lateral_map_5/4/3 (only lateral_map_2 is needed for the mask, so by default they are not) */
  allMaps?: boolean;
  /** network input size, a multiple of 32 (PraNet uses 352) */
  size?: number;
  /** how convs are tiled (default: the measured defaults for the adapter's class; forcedTiling(t) gives every conv one tiling) */
  tiling?: TilingPolicy;
  /** says what `tiling` is, for `tilingDescription` (the entry points fill it in from the tuning they resolved) */
  tilingDescription?: string;
}

export class Segmenter {
  private disposed = false;
  /** One forward pass at a time: calls made while one runs wait for it (they share the GPU buffers). */
  private turn: Promise<unknown> = Promise.resolve();
  /** stage times of the last call */
  lastTimings: SegmentTimings = { preprocessMs: 0, uploadMs: 0, networkMs: 0, readbackMs: 0, postprocessMs: 0 };

  private constructor(
    readonly gpu: GpuContext,
    private readonly model: PraNetModel,
    private readonly post: PostprocessGraphs,
    readonly source: string,
    private readonly ownsDevice: boolean,
    /** which tuning table or which defaults chose the convs' tilings */
    readonly tilingDescription: string,
  ) {}

  /** Builds and compiles the network for `gpu`. With `ownsDevice`, dispose() also destroys the device. */
  static async create(gpu: GpuContext, weights: LoadedWeights, opts: SegmenterOptions = {}, ownsDevice = false): Promise<Segmenter> {
    const cache = new PipelineCache(gpu);
    const size = opts.size ?? 352;
    const model = await PraNetModel.create(gpu, cache, weights, {
      batch: opts.batch ?? 1,
      size,
      outputs: opts.allMaps ? ['lateral_map_5', 'lateral_map_4', 'lateral_map_3', 'lateral_map_2'] : ['lateral_map_2'],
      ...(opts.tiling ? { tiling: opts.tiling } : {}),
    });
    const tilingDescription = opts.tilingDescription ?? (opts.tiling ? 'the given tiling policy' : defaultsText(gpu.adapter));
    return new Segmenter(gpu, model, new PostprocessGraphs(gpu, cache, size), weights.source, ownsDevice, tilingDescription);
  }

  get config(): PraNetConfig {
    return this.model.config;
  }

  get batchSize(): number {
    return this.model.batch;
  }

  /** The compiled network, for profiling. */
  get network(): PraNetModel {
    return this.model;
  }

  /** GPU time of every dispatch of one forward pass (values do not change the timing; a blank image is used). */
  profile(): Promise<ProfileSummary> {
    return this.exclusive(() => this.profileNow());
  }

  private async profileNow(): Promise<ProfileSummary> {
    const compiled = this.model.compiled;
    const input = { image: new Float32Array(this.model.batch * 3 * this.model.size * this.model.size) };
    await compiled.run(input); // first-use costs stay out of the profile
    const result = await compiled.profile(input);
    return summarizeProfile(timedDispatches(compiled, result), result.method);
  }

  async segment(image: SegmentInput, opts: SegmentOptions = {}): Promise<Segmentation> {
    return (await this.segmentBatch([image], opts))[0]!;
  }

  segmentBatch(images: readonly SegmentInput[], opts: SegmentOptions = {}): Promise<Segmentation[]> {
    // The turn is taken now, so a dispose() that follows this call waits for it. Bitmaps are read meanwhile
    // (no GPU needed), and a bad input fails at once instead of after the calls queued before it.
    const listProblem = imageListProblem(images);
    if (listProblem) return Promise.reject(new Error(listProblem));
    const pixels = Promise.all(images.map((img, i) => toRgba(img, i)));
    const result = this.exclusive(async () => this.segmentNow(await pixels, opts));
    void result.catch(() => undefined); // when the pixels fail, their error is the one returned
    return pixels.then(() => result);
  }

  /** Queues `work` after every call made before it; refused once dispose() has been called. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new Error('this segmenter has been disposed'));
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async segmentNow(images: readonly RgbaImage[], opts: SegmentOptions): Promise<Segmentation[]> {
    const presence = probabilityOption(opts.presenceThreshold, 'presenceThreshold');
    const maskAt = probabilityOption(opts.maskThreshold, 'maskThreshold');
    const n = this.model.batch;
    const size = this.model.size;
    const out: Segmentation[] = [];
    const times: SegmentTimings = { preprocessMs: 0, uploadMs: 0, networkMs: 0, readbackMs: 0, postprocessMs: 0 };
    for (let start = 0; start < images.length; start += n) {
      let t = performance.now();
      const chunk = images.slice(start, start + n);
      const input = new Float32Array(n * 3 * size * size); // a short last chunk leaves zero images behind it
      input.set(preprocessBatch(chunk, size));
      times.preprocessMs += performance.now() - t;
      const stages: StageTimings = {};
      const maps = await this.model.run(input, stages).catch((e: unknown) => {
        if (!(e instanceof NonFiniteError)) throw e;
        const which = chunk.length === 1 ? `image ${start}` : `images ${start}..${start + chunk.length - 1}`;
        throw new Error(`${which}: the network produced a non-finite value inside (${e.step}); the weights (${this.source}) or the GPU are faulty`, {
          cause: e,
        });
      });
      const logits = maps.lateral_map_2!;
      times.uploadMs += stages.uploadMs!;
      times.networkMs += stages.networkMs!;
      times.readbackMs += stages.readbackMs!;
      t = performance.now();
      for (const [i, img] of chunk.entries()) {
        const own = logits.subarray(i * size * size, (i + 1) * size * size);
        const { probability, normalized } = await this.post.run(own, img.width, img.height);
        checkFinite(probability, `image ${start + i}`);
        checkFinite(normalized, `image ${start + i}`);
        const plane = (m: Float32Array) => m.slice(i * size * size, (i + 1) * size * size);
        const lateralMaps = maps.lateral_map_5
          ? {
              lateralMaps: {
                lateral_map_5: plane(maps.lateral_map_5),
                lateral_map_4: plane(maps.lateral_map_4!),
                lateral_map_3: plane(maps.lateral_map_3!),
                lateral_map_2: plane(logits),
              },
            }
          : {};
        const { max, above } = presenceOf(probability, maskAt);
        out.push({
          width: img.width,
          height: img.height,
          probability,
          normalized,
          mask: bytescale(normalized),
          maxProbability: max,
          polypPresent: max >= presence,
          areaFraction: above / probability.length,
          ...(opts.logits ? { logits: own.slice() } : {}),
          ...lateralMaps,
        });
      }
      times.postprocessMs += performance.now() - t;
    }
    this.lastTimings = times;
    return out;
  }

  /** Frees the GPU buffers (and the device, if this segmenter made it) once calls already made have finished. */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.turn = this.turn.then(() => {
        this.model.destroy();
        this.post.destroy();
        if (this.ownsDevice) this.gpu.destroy();
      });
    }
    return this.turn.then(() => undefined);
  }
}

async function toRgba(img: SegmentInput, index: number): Promise<RgbaImage> {
  if (typeof ImageBitmap !== 'undefined' && img instanceof ImageBitmap) return imageToRgba(img);
  const { width, height, data } = rgbaPixelsOf(img, index);
  return { width, height, data: data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
