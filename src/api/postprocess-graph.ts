// The test-time post-processing (docs/pranet.md, Post-processing) on the GPU: lateral_map_2 (logits at
// 352x352) -> bilinear to the image's size (align_corners=False) -> sigmoid -> per-image min-max. One small
// graph per output size; a map too large for one storage buffer is post-processed on the CPU instead, with
// the same arithmetic.
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/pipelines.js';
import { CompiledGraph } from '../graph/executor.js';
import { Graph } from '../graph/ir.js';
import { postprocessOnCpu } from './postprocess-cpu.js';

export class PostprocessGraphs {
  private readonly graphs = new Map<string, Promise<CompiledGraph>>();
  constructor(private readonly ctx: GpuContext, private readonly cache: PipelineCache, private readonly size: number, private readonly keep = 8) {}

  /** Probabilities in [0, 1] at width x height from one image's logits (size x size). */
  async run(logits: Float32Array, width: number, height: number): Promise<Float32Array> {
    if (width * height * 16 > this.ctx.limits.maxStorageBufferBindingSize) return postprocessOnCpu(logits, this.size, width, height);
    const key = `${width}x${height}`;
    let compiled = this.graphs.get(key);
    if (!compiled) {
      const g = new Graph();
      const x = g.input('logits', { n: 1, c: 1, h: this.size, w: this.size });
      const up = g.resize('to_image_size', x, { outH: height, outW: width, alignCorners: false });
      g.output('probability', g.unary('minmax', 'minmax', g.unary('sigmoid', 'sigmoid', up)));
      compiled = CompiledGraph.compile(this.ctx, this.cache, g);
      compiled.catch(() => this.graphs.delete(key));
      this.graphs.set(key, compiled);
      if (this.graphs.size > this.keep) {
        const [oldest] = this.graphs.keys();
        void this.graphs.get(oldest!)!.then((c) => c.destroy(), () => undefined);
        this.graphs.delete(oldest!);
      }
    }
    return (await (await compiled).run({ logits })).probability!;
  }

  destroy(): void {
    for (const g of this.graphs.values()) void g.then((c) => c.destroy(), () => undefined); // a failed compile has nothing to free
    this.graphs.clear();
  }
}
