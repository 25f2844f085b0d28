// A PraNet ready to run on one device: graph built from the weights, optimised, planned and compiled for
// one batch size and input size.
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/pipelines.js';
import { CompiledGraph, type CompileOptions } from '../graph/executor.js';
import { optimize } from '../graph/passes.js';
import type { LoadedWeights } from './load-weights.js';
import type { PraNetConfig } from './pranet-config.js';
import { stopwatch } from '../util/stopwatch.js';
import { WeightsLoadError } from '../api/errors.js';
import { buildPraNet, checkBuildOptions, type PraNetOutput } from './pranet-graph.js';

export interface StageTimings {
  uploadMs?: number;
  networkMs?: number;
  readbackMs?: number;
}

export interface PraNetModelOptions extends CompileOptions {
  batch?: number;
  size?: number;
  outputs?: readonly PraNetOutput[];
}

export class PraNetModel {
  private constructor(
    readonly config: PraNetConfig,
    readonly compiled: CompiledGraph,
    readonly batch: number,
    readonly size: number,
  ) {}

  static async create(ctx: GpuContext, cache: PipelineCache, loaded: LoadedWeights, opts: PraNetModelOptions = {}): Promise<PraNetModel> {
    const batch = opts.batch ?? 1;
    const size = opts.size ?? 352;
    const build = { batch, size, outputs: opts.outputs, source: loaded.source };
    checkBuildOptions(build);
    let built: ReturnType<typeof buildPraNet>;
    try {
      // What fails here is the weights (keys, shapes, values that fold to non-finite): an app catches it as such.
      built = buildPraNet(loaded.weights, build);
      optimize(built.graph);
    } catch (err) {
      throw new WeightsLoadError(loaded.source, (err as Error).message, { cause: err });
    }
    const compiled = await CompiledGraph.compile(ctx, cache, built.graph, opts);
    return new PraNetModel(built.config, compiled, batch, size);
  }

  /**
   * `images`: N x 3 x size x size, normalised. Returns each requested output in NCHW with its real channels.
   * `timings`, if given, receives upload, network (GPU until done) and read-back milliseconds.
   */
  async run(images: Float32Array, timings?: StageTimings): Promise<Record<string, Float32Array>> {
    const lap = stopwatch();
    this.compiled.writeInputs({ image: images });
    const uploadMs = lap();
    this.compiled.submit();
    await this.compiled.finish();
    const networkMs = lap();
    const out = await this.compiled.readOutputs();
    if (timings) Object.assign(timings, { uploadMs, networkMs, readbackMs: lap() });
    return out;
  }

  destroy(): void {
    this.compiled.destroy();
  }
}
