// Compiles a planned graph for one device: packs every constant (conv weights, batchnorm tables, resize
// tables) into one buffer, lays activations out in one arena, builds all pipelines and bind groups once.
// A forward pass is then one command encoder and one submit.
// Shaders bind activations as read_write even when they only read them: WebGPU forbids one buffer in both a
// read-only and a writable binding of the same dispatch, while writable bindings may share a buffer as long
// as their ranges do not overlap, which the planner guarantees.
import { readFloat32, settle } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/context.js';
import { encodeDispatches, prepareDispatches, type BoundCall, type PreparedBatch } from '../gpu/dispatch.js';
import type { PipelineCache } from '../gpu/pipelines.js';
import { profileDispatches, type ProfileResult } from '../gpu/profiler.js';
import { type ConvTiling, conv2dKernel, defaultConvTiling, exactInF16, packConv2dBias, packConv2dWeights, packConv2dWeightsF16 } from '../kernels/conv2d.js';
import { batchnormKernel, binaryKernel, eraseKernel, packBatchnorm, unaryKernel } from '../kernels/elementwise.js';
import type { KernelCall } from '../kernels/kernel.js';
import { packNhwc, roundUp, type Shape4, shapeText, type TensorView, unpackNhwc } from '../kernels/layout.js';
import { minmaxKernel } from '../kernels/minmax.js';
import { poolKernel } from '../kernels/pool.js';
import { resizeKernel, resizeTable } from '../kernels/resize.js';
import type { Graph, Node, TensorId } from './ir.js';
import { type MemoryPlan, planMemory } from './planner.js';

export interface CompileOptions {
  /** register tiling of each conv; the default suits the software adapter */
  convTiling?: (node: Extract<Node, { op: 'conv2d' }>, x: Shape4, y: Shape4) => ConvTiling;
  /**
   * 'auto' (default): a conv whose weights are all exactly float16 values (a weight file converted with
   * --f16) keeps them as float16 on the GPU, half the memory and load traffic with identical results;
   * 'f32': always float32.
   */
  convWeights?: 'auto' | 'f32';
}

export interface StepInfo {
  node: Node;
  call: KernelCall;
}

export class CompiledGraph {
  private constructor(
    private readonly ctx: GpuContext,
    readonly graph: Graph,
    readonly plan: MemoryPlan,
    readonly steps: StepInfo[],
    private readonly batch: PreparedBatch,
    private readonly arena: GPUBuffer,
    private readonly constants: GPUBuffer,
    readonly constantBytes: number,
  ) {}

  static async compile(ctx: GpuContext, cache: PipelineCache, graph: Graph, opts: CompileOptions = {}): Promise<CompiledGraph> {
    const plan = planMemory(graph, ctx.limits.minStorageBufferOffsetAlignment);
    const align = ctx.limits.minStorageBufferOffsetAlignment;
    const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
    const maxBinding = ctx.limits.maxStorageBufferBindingSize;
    for (const b of plan.buffers) {
      if (b.bytes > maxBinding) {
        throw new Error(`tensor ${shapeText(graph.shape(b.root))} needs ${b.bytes} bytes, over this device's maxStorageBufferBindingSize ${maxBinding}; use a smaller batch or image`);
      }
    }
    if (plan.arenaBytes > ctx.limits.maxBufferSize) {
      throw new Error(`activations need ${plan.arenaBytes} bytes, over this device's maxBufferSize ${ctx.limits.maxBufferSize}; use a smaller batch`);
    }

    // Constants first: their sizes decide the layout of the constant buffer.
    const constantParts: { data: Float32Array | Uint32Array; offset: number }[] = [];
    let constantBytes = 0;
    const addConstant = (data: Float32Array | Uint32Array): { offset: number; size: number } => {
      const offset = constantBytes;
      constantParts.push({ data, offset });
      constantBytes = roundUp(offset + data.byteLength, align);
      return { offset, size: Math.max(16, roundUp(data.byteLength, 4)) };
    };
    const calls: { node: Node; call: KernelCall; tensors: Record<string, TensorId>; consts: Record<string, { offset: number; size: number }> }[] = [];
    for (const node of plan.steps) {
      const v = (t: TensorId): TensorView => {
        const placed = plan.views.get(t);
        if (!placed) throw new Error(`${node.name}: tensor ${t} has no memory (planner bug)`);
        return placed.view;
      };
      const [a, b] = node.inputs as [TensorId, TensorId];
      const y = v(node.output);
      let call: KernelCall;
      const tensors: Record<string, TensorId> = {};
      const consts: Record<string, { offset: number; size: number }> = {};
      switch (node.op) {
        case 'conv2d': {
          const x = v(a);
          const t = opts.convTiling?.(node, x, y) ?? defaultConvTiling(node.attrs.cout, y.n * y.h * y.w, ctx.subgroupSize);
          const w = node.weights.weight;
          const storage = opts.convWeights !== 'f32' && exactInF16(w) ? 'f16' : 'f32';
          call = conv2dKernel(node.attrs, x, y, t, { ...(node.attrs.residual ? { res: v(b) } : {}), maxGroups, weights: storage });
          const pack = storage === 'f16' ? packConv2dWeightsF16 : packConv2dWeights;
          consts.w = addConstant(pack(w, node.attrs.cout, x.c, node.attrs.kh, node.attrs.kw, t.tn));
          if (node.weights.bias) consts.bias = addConstant(packConv2dBias(node.weights.bias, node.attrs.cout, t.tn));
          Object.assign(tensors, { x: a, y: node.output }, node.attrs.residual ? { res: b } : {});
          break;
        }
        case 'batchnorm':
          call = batchnormKernel(v(a), y, maxGroups);
          consts.b = addConstant(packBatchnorm(node.params));
          Object.assign(tensors, { a, y: node.output });
          break;
        case 'relu': case 'sigmoid': case 'copy':
          call = unaryKernel(node.op, v(a), y, maxGroups);
          Object.assign(tensors, { a, y: node.output });
          break;
        case 'add': case 'mul':
          call = binaryKernel(node.op, v(a), v(b), y, maxGroups);
          Object.assign(tensors, { a, b, y: node.output });
          break;
        case 'erase':
          call = eraseKernel(v(a), v(b), y, maxGroups);
          Object.assign(tensors, { a, b, y: node.output });
          break;
        case 'pool':
          call = poolKernel(node.attrs, v(a), y, maxGroups);
          Object.assign(tensors, { x: a, y: node.output });
          break;
        case 'resize':
          call = resizeKernel(node.attrs, v(a), y, maxGroups);
          consts.tab = addConstant(resizeTable(graph.shape(a), node.attrs));
          Object.assign(tensors, { x: a, y: node.output });
          break;
        case 'minmax':
          call = minmaxKernel(v(a), y);
          Object.assign(tensors, { x: a, y: node.output });
          break;
        default:
          throw new Error(`${node.name}: op '${node.op}' does not run as a kernel`);
      }
      call.label = `${node.name}: ${call.label}`;
      calls.push({ node, call, tensors, consts });
    }

    const device = ctx.device;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const arena = device.createBuffer({ label: 'activations', size: Math.max(16, roundUp(plan.arenaBytes, 16)), usage });
    const constants = device.createBuffer({ label: 'constants', size: Math.max(16, constantBytes), usage, mappedAtCreation: true });
    const mapped = new Uint8Array(constants.getMappedRange());
    for (const p of constantParts) mapped.set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength), p.offset);
    constants.unmap();

    const bound: BoundCall[] = calls.map(({ call, tensors, consts }) => {
      const resources: Record<string, GPUBufferBinding> = {};
      for (const [slot, t] of Object.entries(tensors)) {
        const buf = plan.views.get(t)!.buffer;
        resources[slot] = { buffer: arena, offset: buf.offset, size: buf.bytes };
      }
      for (const [slot, c] of Object.entries(consts)) resources[slot] = { buffer: constants, offset: c.offset, size: c.size };
      return { call, resources };
    });
    const batch = await prepareDispatches(ctx, cache, bound);
    const steps = calls.map(({ node, call }) => ({ node, call }));
    return new CompiledGraph(ctx, graph, plan, steps, batch, arena, constants, constantBytes);
  }

  /** Input tensors in NCHW by name -> output tensors in NCHW by name. */
  async run(inputs: Record<string, Float32Array>): Promise<Record<string, Float32Array>> {
    this.writeInputs(inputs);
    this.submit();
    return this.readOutputs();
  }

  /** Encodes the whole forward pass and submits it (one command buffer). */
  submit(): void {
    const encoder = this.ctx.device.createCommandEncoder({ label: 'forward' });
    encodeDispatches(encoder, this.batch.dispatches);
    this.ctx.device.queue.submit([encoder.finish()]);
  }

  /** Resolves when the GPU has finished everything submitted so far. */
  async finish(): Promise<void> {
    await settle(this.ctx, this.ctx.device.queue.onSubmittedWorkDone());
  }

  /** Uploads the inputs (NCHW) into their places in the arena. */
  writeInputs(inputs: Record<string, Float32Array>): void {
    for (const [name, t] of this.graph.inputs) {
      const data = inputs[name];
      const s = this.graph.shape(t);
      if (!data) throw new Error(`missing graph input '${name}' (${shapeText(s)})`);
      if (data.length !== s.n * s.c * s.h * s.w) throw new Error(`graph input '${name}' has ${data.length} values, expected ${shapeText(s)}`);
      const { buffer, view } = this.plan.views.get(t)!;
      const packed = packNhwc(data, view);
      this.ctx.device.queue.writeBuffer(this.arena, buffer.offset, packed.buffer, packed.byteOffset, packed.byteLength);
    }
  }

  /** Reads every graph output back as NCHW (waits for the GPU). */
  async readOutputs(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [name, t] of this.graph.outputs) {
      const { buffer, view } = this.plan.views.get(t)!;
      out[name] = unpackNhwc(await readFloat32(this.ctx, this.arena, buffer.offset, buffer.bytes), view);
    }
    await settle(this.ctx, Promise.resolve());
    return out;
  }

  /** Runs the forward pass once more with every dispatch timed on its own. */
  async profile(inputs: Record<string, Float32Array>): Promise<ProfileResult> {
    return profileDispatches(this.ctx, this.batch.dispatches, () => this.writeInputs(inputs));
  }

  get dispatches() {
    return this.batch.dispatches;
  }

  destroy(): void {
    this.batch.destroy();
    this.arena.destroy();
    this.constants.destroy();
  }
}
