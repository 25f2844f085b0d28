// Compiles a planned graph for one device: every node's op builds its kernel call and constants (conv
// weights, batchnorm and resize tables), which go into one constant buffer; activations live in one arena;
// all pipelines and bind groups are built once. A forward pass is then one command encoder and one submit.
import { createStorageBuffer, mapForReading, settle } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/context.js';
import { encodeDispatches, prepareDispatches, type BoundCall, type PreparedBatch } from '../gpu/dispatch.js';
import type { PipelineCache } from '../gpu/pipelines.js';
import { profileDispatches, type ProfileResult } from '../gpu/profiler.js';
import type { KernelCall } from '../kernels/kernel.js';
import { packNhwc, roundUp, shapeText, type TensorView, unpackNhwc } from '../kernels/layout.js';
import { dropPadding, insertPadding } from '../kernels/channel-groups.js';
import { adapterClass, defaultTilingPolicy, type TilingPolicy } from '../kernels/tiling-policy.js';
import type { Graph, Node, TensorId } from './ir.js';
import { type MemoryPlan, planMemory } from './planner.js';

export interface CompileOptions {
  /** how convs are tiled (default: the measured defaults for the adapter's class, defaultTilingPolicy) */
  tiling?: TilingPolicy;
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

/** A forward pass computed a NaN or infinite value; `step` is the first dispatch that did (its node and kernel). */
export class NonFiniteError extends Error {
  constructor(readonly step: string) {
    super(`${step}: computed a non-finite value (NaN, or beyond float32's range)`);
  }
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
    /** where every pass copies the graph's outputs (and the status word after them), so reading them back is one map */
    private readonly readback: { buffer: GPUBuffer; parts: { name: string; tensor: TensorId; offset: number }[]; statusOffset: number },
    /** the status word of the kernels that have one (see kernel.ts), when any has */
    private readonly status: GPUBuffer | undefined,
  ) {}

  /** The inputs of the last pass, to replay it when its status word says something overflowed. */
  private lastInputs: Record<string, Float32Array> | undefined;

  static async compile(ctx: GpuContext, cache: PipelineCache, graph: Graph, opts: CompileOptions = {}): Promise<CompiledGraph> {
    const plan = planMemory(graph, ctx.limits.minStorageBufferOffsetAlignment);
    const align = ctx.limits.minStorageBufferOffsetAlignment;
    const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
    const maxBinding = ctx.limits.maxStorageBufferBindingSize;
    for (const b of plan.buffers) {
      if (b.bytes > maxBinding) {
        throw new Error(
          `tensor ${shapeText(graph.shape(b.root))} needs ${b.bytes} bytes, over this device's maxStorageBufferBindingSize ${maxBinding}; use a smaller batch or image`,
        );
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
      // Whole vec4s: a binding of array<vec4f> has floor(size / 16) elements, and a read past them is clamped
      // or zero on a GPU (lavapipe happened to read on). The offsets' alignment leaves room for the rounding.
      return { offset, size: Math.max(16, roundUp(data.byteLength, 16)) };
    };
    const env = {
      maxGroups,
      subgroupSize: ctx.subgroupSize,
      tiling: opts.tiling ?? defaultTilingPolicy(adapterClass(ctx.adapter)),
      weights: opts.convWeights ?? 'auto',
      limits: ctx.limits,
    } as const;
    const calls: { node: Node; call: KernelCall; tensors: Record<string, TensorId>; consts: Record<string, { offset: number; size: number }> }[] = [];
    for (const node of plan.steps) {
      const placed = (t: TensorId) => {
        const p = plan.views.get(t);
        if (!p) throw new Error(`${node.name}: tensor ${t} has no memory (planner bug)`);
        return p;
      };
      const io = {
        inputs: node.inputs.map((t) => placed(t).view),
        output: placed(node.output).view,
        inputGroups: node.inputs.map((t) => placed(t).groups),
        outputGroups: placed(node.output).groups,
      };
      let built: ReturnType<NonNullable<typeof node.op.kernel>>;
      try {
        built = node.op.kernel!(node.attrs, io, env);
      } catch (e) {
        throw new Error(`${node.name}: ${(e as Error).message}`, { cause: e }); // e.g. a batchnorm's negative variance
      }
      const { call, constants } = built;
      call.label = `${node.name}: ${call.label}`;
      // Inputs bind to the call's input bindings in order, the output to its output binding.
      const tensors: Record<string, TensorId> = {};
      const inputs = call.bindings.filter((b) => b.role === 'input');
      if (inputs.length !== node.inputs.length)
        throw new Error(`${call.label}: the kernel reads ${inputs.length} tensors, the node has ${node.inputs.length} inputs`);
      inputs.forEach((b, i) => (tensors[b.name] = node.inputs[i]!));
      for (const b of call.bindings.filter((x) => x.role === 'output')) tensors[b.name] = node.output;
      const consts: Record<string, { offset: number; size: number }> = {};
      for (const b of call.bindings.filter((x) => x.role === 'constant')) {
        const data = constants[b.name];
        if (!data) throw new Error(`${call.label}: no constant data for binding '${b.name}'`);
        consts[b.name] = addConstant(data);
      }
      calls.push({ node, call, tensors, consts });
    }

    const arena = createStorageBuffer(ctx, plan.arenaBytes, 'activations');
    const status = calls.some(({ call }) => call.bindings.some((b) => b.role === 'status')) ? createStorageBuffer(ctx, 16, 'status') : undefined;
    const constants = createStorageBuffer(ctx, constantBytes, 'constants', (mapped) => {
      for (const p of constantParts) mapped.set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength), p.offset);
    });

    const bound: BoundCall[] = calls.map(({ call, tensors, consts }) => {
      const resources: Record<string, GPUBufferBinding> = {};
      const buffers = Object.values(tensors).map((t) => plan.views.get(t)!.buffer);
      if (new Set(buffers).size < buffers.length)
        throw new Error(`${call.label}: two of its tensors share a buffer (a planner bug: WebGPU would refuse the dispatch)`);
      for (const [slot, t] of Object.entries(tensors)) {
        const buf = plan.views.get(t)!.buffer;
        resources[slot] = { buffer: arena, offset: buf.offset, size: buf.bytes };
      }
      for (const [slot, c] of Object.entries(consts)) resources[slot] = { buffer: constants, offset: c.offset, size: c.size };
      for (const b of call.bindings) if (b.role === 'status') resources[b.name] = { buffer: status!, size: 16 };
      return { call, resources };
    });
    const batch = await prepareDispatches(ctx, cache, bound);
    const steps = calls.map(({ node, call }) => ({ node, call }));
    const parts: { name: string; tensor: TensorId; offset: number }[] = [];
    let readBytes = 0;
    for (const [name, t] of graph.outputs) {
      parts.push({ name, tensor: t, offset: readBytes });
      readBytes += plan.views.get(t)!.buffer.bytes;
    }
    const statusOffset = readBytes;
    if (status) readBytes += 4;
    const readback = ctx.device.createBuffer({ label: 'outputs', size: Math.max(16, readBytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new CompiledGraph(ctx, graph, plan, steps, batch, arena, constants, constantBytes, { buffer: readback, parts, statusOffset }, status);
  }

  /** Input tensors in NCHW by name -> output tensors in NCHW by name. */
  async run(inputs: Record<string, Float32Array>): Promise<Record<string, Float32Array>> {
    this.writeInputs(inputs);
    this.submit();
    return this.readOutputs();
  }

  /** Encodes the whole forward pass and the copy of its outputs for read-back, and submits them (one command buffer). */
  submit(): void {
    const encoder = this.ctx.device.createCommandEncoder({ label: 'forward' });
    this.encode(encoder, { buffer: this.readback.buffer, offset: this.readback.statusOffset });
    for (const { tensor, offset } of this.readback.parts) {
      const { buffer } = this.plan.views.get(tensor)!;
      encoder.copyBufferToBuffer(this.arena, buffer.offset, this.readback.buffer, offset, buffer.bytes);
    }
    this.ctx.device.queue.submit([encoder.finish()]);
  }

  /**
   * Records the forward pass into `encoder`, for callers that chain it with their own work (video frames).
   * `statusTo` receives the pass's status word (4 bytes; nonzero: a kernel computed a non-finite value, see
   * locateNonFinite) when the graph has one (statusBytes).
   */
  encode(encoder: GPUCommandEncoder, statusTo?: { buffer: GPUBuffer; offset: number }): void {
    if (this.status) encoder.clearBuffer(this.status);
    encodeDispatches(encoder, this.batch.dispatches);
    if (this.status && statusTo) encoder.copyBufferToBuffer(this.status, 0, statusTo.buffer, statusTo.offset, 4);
  }

  /** 4 when the pass has a status word for encode's `statusTo`, else 0. */
  get statusBytes(): number {
    return this.status ? 4 : 0;
  }

  /** Whether the status word that encode() copied to `offset` of the mapped buffer `staging` is set. */
  statusSet(staging: GPUBuffer, offset: number): boolean {
    return this.status !== undefined && new Uint32Array(staging.getMappedRange(offset, 4))[0] !== 0;
  }

  /**
   * Where a graph input or output lives: its GPU buffer window (the whole stored tensor) and layout, so other
   * work can write an input or copy an output on the GPU. `decode` turns a copy of the window into NCHW values.
   */
  locate(
    kind: 'input' | 'output',
    name: string,
  ): { buffer: GPUBuffer; offset: number; bytes: number; view: TensorView; decode(raw: ArrayBuffer): Float32Array } {
    const t = (kind === 'input' ? this.graph.inputs : this.graph.outputs).get(name);
    if (t === undefined) throw new Error(`the graph has no ${kind} '${name}'`);
    const { buffer, view, groups } = this.plan.views.get(t)!;
    return {
      buffer: this.arena,
      offset: buffer.offset,
      bytes: buffer.bytes,
      view,
      decode: (raw) => dropPadding(unpackNhwc(new Float32Array(raw), view), view.n, view.h * view.w, groups),
    };
  }

  /** Resolves when the GPU has finished everything submitted so far. */
  async finish(): Promise<void> {
    await settle(this.ctx, this.ctx.device.queue.onSubmittedWorkDone());
  }

  /** Uploads the inputs (NCHW) into their places in the arena. */
  writeInputs(inputs: Record<string, Float32Array>): void {
    this.lastInputs = inputs;
    for (const [name, t] of this.graph.inputs) {
      const data = inputs[name];
      const s = this.graph.shape(t);
      if (!data) throw new Error(`missing graph input '${name}' (${shapeText(s)})`);
      if (data.length !== s.n * s.c * s.h * s.w) throw new Error(`graph input '${name}' has ${data.length} values, expected ${shapeText(s)}`);
      const { buffer, view, groups } = this.plan.views.get(t)!;
      const packed = packNhwc(insertPadding(data, s.n, s.h * s.w, groups), view);
      this.ctx.device.queue.writeBuffer(this.arena, buffer.offset, packed.buffer, packed.byteOffset, packed.byteLength);
    }
  }

  /**
   * Reads back, as NCHW, every graph output of the last submitted pass (waits for the GPU). Throws
   * NonFiniteError, naming the first step that computed a NaN or infinite value, when a kernel flagged one:
   * such outputs are never results.
   */
  async readOutputs(): Promise<Record<string, Float32Array>> {
    const staging = this.readback.buffer;
    await mapForReading(this.ctx, staging);
    try {
      const out: Record<string, Float32Array> = {};
      for (const { name, tensor, offset } of this.readback.parts) {
        out[name] = this.locate('output', name).decode(staging.getMappedRange(offset, this.plan.views.get(tensor)!.buffer.bytes).slice(0));
      }
      if (!this.statusSet(staging, this.readback.statusOffset)) return out;
    } finally {
      staging.unmap();
    }
    throw new NonFiniteError(await this.locateNonFinite());
  }

  /**
   * Replays the last pass with the status word copied out after each flagging dispatch; the label of the first
   * that set it. The inputs are written again (the pass may have reused their memory): by `prepare`, for callers
   * that make them on the GPU (video frames), else from the last writeInputs.
   */
  async locateNonFinite(prepare?: (encoder: GPUCommandEncoder) => void): Promise<string> {
    if (!prepare && this.lastInputs) this.writeInputs(this.lastInputs);
    const watched = this.steps.flatMap((s, i) => (s.call.bindings.some((b) => b.role === 'status') ? [i] : []));
    const record = this.ctx.device.createBuffer({ label: 'status record', size: 4 * watched.length, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'locate non-finite' });
      prepare?.(encoder);
      encoder.clearBuffer(this.status!);
      watched.forEach((step, k) => {
        encodeDispatches(encoder, this.batch.dispatches.slice(k === 0 ? 0 : watched[k - 1]! + 1, step + 1), 'locate non-finite');
        encoder.copyBufferToBuffer(this.status!, 0, record, 4 * k, 4);
      });
      this.ctx.device.queue.submit([encoder.finish()]);
      await mapForReading(this.ctx, record);
      const first = new Uint32Array(record.getMappedRange()).findIndex((w) => w !== 0);
      return first >= 0 ? this.steps[watched[first]!]!.call.label : 'a step that did not repeat it when replayed';
    } finally {
      record.destroy();
    }
  }

  /** Runs the forward pass once more with every dispatch timed on its own. */
  async profile(inputs: Record<string, Float32Array>): Promise<ProfileResult> {
    return profileDispatches(this.ctx, this.batch.dispatches, () => this.writeInputs(inputs));
  }

  /** Every dispatch's complete WGSL module, named by its step, in pass order (for reading or other tools). */
  shaders(): { name: string; code: string }[] {
    return this.steps.map(({ call }) => ({ name: call.label, code: call.code }));
  }

  get dispatches() {
    return this.batch.dispatches;
  }

  destroy(): void {
    this.batch.destroy();
    this.arena.destroy();
    this.constants.destroy();
    this.readback.buffer.destroy();
    this.status?.destroy();
  }
}
