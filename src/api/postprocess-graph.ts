// PraNet's test-time post-processing (docs/pranet.md, Post-processing) on the GPU: lateral_map_2 (logits at 352x352) ->
// bilinear to the image's size (align_corners=False) -> sigmoid (the probability) -> per-image min-max (the
// normalised map PraNet saves). One small graph per output size; a map too large for one storage buffer is
// post-processed on the CPU instead, with the same arithmetic.
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/pipelines.js';
import { CompiledGraph } from '../graph/executor.js';
import { Graph } from '../graph/ir.js';
import { sigmoidOp } from '../kernels/elementwise.js';
import { minmaxOp } from '../kernels/minmax.js';
import { resizeOp } from '../kernels/resize.js';
import { postprocessOnCpu } from './postprocess-cpu.js';

/** One image's maps at its own size. */
export interface ProbabilityMaps {
  /** sigmoid of the logits */
  probability: Float32Array;
  /** the probability min-max stretched to [0, 1] per image */
  normalized: Float32Array;
}

export class PostprocessGraphs {
  private readonly graphs = new Map<string, Promise<CompiledGraph>>();
  constructor(
    private readonly ctx: GpuContext,
    private readonly cache: PipelineCache,
    private readonly size: number,
    private readonly keep = 8,
  ) {}

  /** The maps at width x height from one image's logits (size x size). */
  async run(logits: Float32Array, width: number, height: number): Promise<ProbabilityMaps> {
    if (width * height * 16 > this.ctx.limits.maxStorageBufferBindingSize) return postprocessOnCpu(logits, this.size, width, height);
    const key = `${width}x${height}`;
    let compiled = this.graphs.get(key);
    if (!compiled) {
      const g = new Graph();
      const x = g.input('logits', { n: 1, c: 1, h: this.size, w: this.size });
      const up = g.add(resizeOp, 'to_image_size', [x], { outH: height, outW: width, alignCorners: false });
      const probability = g.add(sigmoidOp, 'sigmoid', [up], {});
      g.output('probability', probability);
      g.output('normalized', g.add(minmaxOp, 'minmax', [probability], {}));
      compiled = CompiledGraph.compile(this.ctx, this.cache, g);
      compiled.catch(() => this.graphs.delete(key));
      this.graphs.set(key, compiled);
      if (this.graphs.size > this.keep) {
        const [oldest] = this.graphs.keys();
        void this.graphs.get(oldest!)!.then(
          (c) => c.destroy(),
          () => undefined,
        );
        this.graphs.delete(oldest!);
      }
    }
    const maps = await (await compiled).run({ logits });
    return { probability: maps.probability!, normalized: maps.normalized! };
  }

  destroy(): void {
    for (const g of this.graphs.values())
      void g.then(
        (c) => c.destroy(),
        () => undefined,
      ); // a failed compile has nothing to free
    this.graphs.clear();
  }
}
