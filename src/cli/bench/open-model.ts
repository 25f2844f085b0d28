// The network `pranet profile` and `pranet bench` measure: a device, the chosen weights, the compiled network
// (with --tiling forced on every conv), what each step of that cold start cost, and how to describe it.
import type { GpuContext } from '../../gpu/context.js';
import { createNodeGpu, type NodeGpuOptions } from '../../gpu/node-device.js';
import { PipelineCache } from '../../gpu/pipelines.js';
import { describeConfig } from '../../models/pranet-config.js';
import type { PraNetOutput } from '../../models/pranet-graph.js';
import { PraNetModel } from '../../models/pranet-model.js';
import { forcedTiling } from '../../kernels/tiling-policy.js';
import { resolveNodeTuning } from '../../tuning/store-node.js';
import { tilingText } from '../../profile/gemm-ceiling.js';
import type { TuningChoice } from '../../tuning/resolve.js';
import { stopwatch } from '../../util/stopwatch.js';
import { adapterText } from './report.js';
import { describeWeights, loadChosenWeights, type ModelChoice } from './weights-choice.js';

export interface OpenModel {
  ctx: GpuContext;
  cache: PipelineCache;
  model: PraNetModel;
  /** milliseconds spent loading the weights, getting the device, and building the graph with its pipelines */
  coldStart: { deviceMs: number; weightsMs: number; compileMs: number };
  /** for reports: the adapter, the weights, the network's configuration, the input shape (NxCxHxW), the tilings */
  about: { device: string; weights: string; config: string; input: string; tiling: string };
  /** frees the network and the device */
  destroy(): void;
}

/** Opens a device and builds `choice`'s network on it, computing `outputs` (PraNetModel's default if absent). */
export async function openModel(
  choice: ModelChoice,
  backend: NodeGpuOptions['backend'],
  tuning: TuningChoice,
  outputs?: readonly PraNetOutput[],
): Promise<OpenModel> {
  // Weights first: a bad weight file fails before any device is opened.
  const lap = stopwatch();
  const loaded = await loadChosenWeights(choice.weights);
  const weightsMs = lap();
  const ctx = await createNodeGpu({ backend, unquantizedTimestamps: true });
  const deviceMs = lap();
  try {
    const cache = new PipelineCache(ctx);
    // --tiling forces one tiling; otherwise --tuning decides (a stored or given table, or the defaults).
    const { tiling } = choice;
    const tuned = tiling ? { policy: forcedTiling(tiling), description: `--tiling ${tilingText(tiling)} on every conv` } : resolveNodeTuning(tuning, ctx);
    const model = await PraNetModel.create(ctx, cache, loaded, { batch: choice.batch, size: choice.size, tiling: tuned.policy, outputs });
    const compileMs = lap();
    return {
      ctx,
      cache,
      model,
      coldStart: { deviceMs, weightsMs, compileMs },
      about: {
        device: adapterText(ctx),
        weights: describeWeights(choice.weights),
        config: describeConfig(model.config),
        input: `${choice.batch}x3x${choice.size}x${choice.size}`,
        tiling: tuned.description,
      },
      destroy() {
        model.destroy();
        ctx.destroy();
      },
    };
  } catch (err) {
    ctx.destroy();
    throw err;
  }
}
