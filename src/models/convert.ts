// PyTorch checkpoint -> the engine's weight file: every key and shape checked against the architecture
// (all problems reported at once), batchnorm folded into the convs in float64, stored as f32 or f16.
import { isOp } from '../graph/ir.js';
import { foldBatchnorm } from '../graph/passes.js';
import { conv2dOp } from '../kernels/conv2d.js';
import { batchnormOp } from '../kernels/elementwise.js';
import { encodeWeightFile, readModelCheckpoint, type StateDict, type WeightFileDtype } from '../weights/index.js';
import { buildPraNet } from './pranet-graph.js';
import { assertFoldedValues } from './folded-values.js';
import { describeConfig, type PraNetConfig } from './pranet-config.js';

export interface ConvertResult {
  bytes: Uint8Array;
  config: PraNetConfig;
  tensors: number;
  parameters: number;
}

/** `sd` must already be cleaned (no num_batches_tracked, no resnet.fc, no 'module.' prefix) and finite. */
export function convertStateDict(sd: StateDict, opts: { dtype: WeightFileDtype; source: string }): ConvertResult {
  const built = buildPraNet(sd, { source: opts.source, outputs: ['lateral_map_2'] });
  if (!built.rawBatchnorm)
    throw new Error(`${opts.source}: has no batchnorm statistics (no running_mean or running_var): it is not a PyTorch PraNet checkpoint`);
  foldBatchnorm(built.graph);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  let parameters = 0;
  // Conv nodes are named by their state-dict keys and come in the order the network reads them.
  for (const node of built.graph.nodes) {
    if (isOp(node, batchnormOp)) throw new Error(`${opts.source}: batchnorm ${node.name} could not be folded into a conv`);
    if (!isOp(node, conv2dOp)) continue;
    const { weight, bias } = node.attrs.weights;
    if (!bias) throw new Error(`${opts.source}: conv ${node.name} has neither a bias nor a batchnorm`);
    const x = built.graph.shape(node.inputs[0]!);
    tensors.set(`${node.name}.weight`, { shape: [node.attrs.cout, x.c, node.attrs.kh, node.attrs.kw], data: weight });
    tensors.set(`${node.name}.bias`, { shape: [node.attrs.cout], data: bias });
    parameters += weight.length + bias.length;
  }
  assertFoldedValues(tensors, opts.dtype === 'f16', opts.source);
  const meta = {
    model: 'PraNet',
    description: describeConfig(built.config),
    config: built.config,
    batchnormFolded: true,
    convertedFrom: opts.source.split(/[\\/]/).pop(),
  };
  return { bytes: encodeWeightFile(tensors, { dtype: opts.dtype, meta }), config: built.config, tensors: tensors.size, parameters };
}

/**
 * The whole conversion, as `pranet convert` does it: a PyTorch checkpoint's bytes (.pth legacy or zip,
 * .safetensors) -> the engine's weight file. `source` names the input in error messages.
 */
export function convertCheckpoint(bytes: Uint8Array, opts: { source: string; f16?: boolean }): ConvertResult {
  return convertStateDict(readModelCheckpoint(bytes, opts.source), { dtype: opts.f16 ? 'f16' : 'f32', source: opts.source });
}
