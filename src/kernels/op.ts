// An op type, defined once: everything the graph, the executor, the CPU reference, the memory planner and the
// profiler need to know about it. Graph nodes hold their op's definition, so adding an op means writing one
// OpDef beside its kernel; nothing else switches over op names. See docs/adding-an-op.md.
import type { Groups } from './channel-groups.js';
import type { KernelCall } from './kernel.js';
import type { Shape4, TensorView } from './layout.js';
import type { WorkgroupLimits } from './conv2d.js';
import type { TilingPolicy } from './tiling-policy.js';

/** The views a kernel reads and writes (stored channels), and how real channels sit in them. */
export interface KernelIO {
  inputs: readonly TensorView[];
  output: TensorView;
  /** channel groups of each input and of the output (only weights laid out per channel care) */
  inputGroups: readonly Groups[];
  outputGroups: Groups;
}

/** What the device and the compile options say about how to build kernels. */
export interface KernelEnv {
  maxGroups: number;
  /** the device's subgroup size, when fixed */
  subgroupSize?: number;
  tiling: TilingPolicy;
  /** 'auto': weights that are exactly float16 values are stored as float16; 'f32': always float32 */
  weights: 'auto' | 'f32';
  /** the device's workgroup limits (tilings too large for them are named errors) */
  limits?: WorkgroupLimits;
}

/** A dispatch and the constants it reads (by binding name), laid out as its kernel expects them. */
export interface KernelPlan {
  call: KernelCall;
  constants: Readonly<Record<string, Float32Array | Uint32Array>>;
}

export interface OpDef<A = unknown> {
  /** the op type, e.g. 'conv2d' */
  readonly name: string;
  /** the output shape for these input shapes; throws naming `label` and the shapes involved */
  shape(attrs: A, inputs: readonly Shape4[], label: string): Shape4;
  /** float64 reference on NCHW values of the real channels: the answer the GPU is tested against */
  reference(attrs: A, inputs: readonly Float64Array[], shapes: readonly Shape4[]): Float64Array;
  /** the dispatch; absent for ops the memory planner realises as views (slice, concat) */
  kernel?(attrs: A, io: KernelIO, env: KernelEnv): KernelPlan;
  /** whether the kernel can write into a channel window of a wider buffer (so a concat takes it in place) */
  readonly writesWindow: boolean;
  /**
   * How it treats channel groups (graph/channel-layout.ts: storage gaps where a tensor is cut off a multiple
   * of 4). 'per-channel': each output channel comes from the same channel of its inputs of the output's
   * width, so they share one grouping and gaps stay gaps (elementwise ops, pooling, resize; its kernel computes
   * f(0) in a gap, which readers ignore, so f(0) must be finite or the gaps cleared). 'weighted': each
   * output channel comes from all input channels through weights laid out for the groups (conv); input and
   * output groupings are independent. 'dense': it reads its channels as one set (minmax), so its tensors must
   * be stored without gaps. 'view': the planner realises it as a channel window (slice, concat).
   */
  readonly channels: 'per-channel' | 'weighted' | 'dense' | 'view';
  /** how the profiler groups this op ("conv2d 3x3", "maxpool 3x3"); default: its name */
  kind?(attrs: A): string;
}

/** Checks at compile time that `def` is a complete OpDef for attributes A. */
export const defineOp = <A>(def: OpDef<A>): OpDef<A> => def;

/** Ops with no attributes take this. */
export type NoAttrs = Readonly<Record<string, never>>;
