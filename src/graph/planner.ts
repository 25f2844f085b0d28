// Memory planning: where every tensor lives. Slices are views of their input; concat parts are written by
// their producers straight into channel windows of the concat's buffer (a copy is inserted only where that
// cannot work); tensors cut off a multiple of 4 channels are stored in padded channel groups
// (channel-layout.ts); then buffers whose lifetimes do not overlap share space in one arena, placed greedily
// largest-first at the lowest free offset.
import type { Groups } from '../kernels/channel-groups.js';
import { copyOp } from '../kernels/elementwise.js';
import { roundUp, type Shape4, type TensorView } from '../kernels/layout.js';
import { channelLayouts, storedOffset } from './channel-layout.js';
import { type Graph, isOp, type Node, type TensorId } from './ir.js';
import { concatOp, sliceOp } from './view-ops.js';

export interface BufferPlan {
  /** the tensor that owns the buffer (views and concat parts point at it) */
  root: TensorId;
  bytes: number;
  offset: number;
  /** first and last step (index into `steps`) that touch it; -1 / steps.length for inputs / outputs */
  first: number;
  last: number;
}

export interface PlacedTensor {
  buffer: BufferPlan;
  /** its stored channels (real ones and gaps) as a window of the buffer */
  view: TensorView;
  /** how its real channels sit in the view */
  groups: Groups;
}

export interface MemoryPlan {
  /** the nodes that run, in order (slices and concats do not run; copies may have been added) */
  steps: Node[];
  /** every tensor's buffer, channel window and grouping */
  views: Map<TensorId, PlacedTensor>;
  buffers: BufferPlan[];
  /** bytes of the arena: what activations really take */
  arenaBytes: number;
  /** the most bytes of buffers live at any one step: no plan can use less */
  peakLiveBytes: number;
}

export function planMemory(g: Graph, alignment = 256): MemoryPlan {
  // The graph is not modified: copies get tensor ids past the graph's own.
  const extra = new Map<TensorId, { shape: Shape4; producer: Node }>();
  const shapeOf = (t: TensorId): Shape4 => extra.get(t)?.shape ?? g.shape(t);
  const producerOf = (t: TensorId): Node | undefined => extra.get(t)?.producer ?? g.tensors[t]!.producer;

  // 1. Decide which concat parts are written in place; the rest get a copy node.
  const placedIn = new Map<TensorId, { concat: Node; at: number }>();
  const windows = new Map<Node, TensorId[]>(); // concat -> the tensor in each window, in order
  const copies = new Map<Node, Node[]>(); // concat -> copies to run before it
  const rootOf = (t: TensorId): TensorId => {
    const p = producerOf(t);
    if (isOp(p, sliceOp)) return rootOf(p.inputs[0]!);
    const placed = placedIn.get(t);
    return placed ? rootOf(placed.concat.output) : t;
  };
  for (const concat of g.nodes) {
    if (!isOp(concat, concatOp)) continue;
    let at = 0;
    const inWindows: TensorId[] = [];
    for (const part of concat.inputs) {
      const producer = producerOf(part);
      const reads = producer ? producer.inputs.map(rootOf) : [];
      const ok =
        producer !== undefined &&
        producer.op.writesWindow &&
        !placedIn.has(part) &&
        !g.isOutput(part) &&
        !reads.includes(rootOf(concat.output)) &&
        !concat.inputs.some((q) => q !== part && reads.includes(rootOf(q)));
      if (ok) {
        placedIn.set(part, { concat, at });
        inWindows.push(part);
      } else {
        // A graph input, a view, a tensor already in another concat, or a producer that reads this concat's
        // own buffer (an in-place hazard): copy it into the window instead.
        const id = g.tensors.length + extra.size;
        const copy: Node = { op: copyOp, attrs: {}, name: `${concat.name}.copy${extra.size}`, inputs: [part], output: id };
        extra.set(id, { shape: shapeOf(part), producer: copy });
        placedIn.set(id, { concat, at });
        inWindows.push(id);
        copies.set(concat, [...(copies.get(concat) ?? []), copy]);
      }
      at += shapeOf(part).c;
    }
    windows.set(concat, inWindows);
  }

  // 2. The steps that run, in order.
  const steps: Node[] = [];
  for (const n of g.nodes) {
    steps.push(...(copies.get(n) ?? []));
    if (n.op.kernel) steps.push(n);
  }

  // 2b. A dispatch binds each tensor as its whole buffer, read_write, and WebGPU refuses writable bindings of
  // one dispatch whose ranges overlap: an input in the buffer of the step's output or of an earlier input
  // (add(r, r); a fused residual and conv input sliced from one tensor; a copy into a concat of a view of that
  // concat's own part) is first copied into a buffer of its own. PraNet's graphs need none of these copies.
  const unaliasCopies: Node[] = [];
  for (let i = 0; i < steps.length; i++) {
    const n = steps[i]!;
    const seen = new Set([rootOf(n.output)]);
    const inputs = n.inputs.map((t, k) => {
      if (!seen.has(rootOf(t))) {
        seen.add(rootOf(t));
        return t;
      }
      const id = g.tensors.length + extra.size;
      const copy: Node = { op: copyOp, attrs: {}, name: `${n.name}.unalias${k}`, inputs: [t], output: id };
      extra.set(id, { shape: shapeOf(t), producer: copy });
      unaliasCopies.push(copy);
      steps.splice(i++, 0, copy);
      return id;
    });
    if (inputs.some((t, k) => t !== n.inputs[k])) steps[i] = { ...n, inputs };
  }

  // 3. How every tensor's channels are grouped in storage, and its stored channel count.
  const layouts = channelLayouts(g, [...g.nodes, ...[...copies.values()].flat(), ...unaliasCopies], windows, (t) => shapeOf(t).c);
  const groupsOf = (t: TensorId): Groups => layouts.get(t) ?? [[shapeOf(t).c, shapeOf(t).c]];
  const storedChannels = (t: TensorId) => groupsOf(t).reduce((s, [, stored]) => s + stored, 0);

  // 4. Every tensor's root and stored channel window.
  const windowOf = (t: TensorId): { root: TensorId; co: number } => {
    const p = producerOf(t);
    if (isOp(p, sliceOp)) {
      const w = windowOf(p.inputs[0]!);
      return { root: w.root, co: w.co + storedOffset(groupsOf(p.inputs[0]!), p.attrs.start) };
    }
    const placed = placedIn.get(t);
    if (placed) {
      const w = windowOf(placed.concat.output);
      return { root: w.root, co: w.co + storedOffset(groupsOf(placed.concat.output), placed.at) };
    }
    return { root: t, co: 0 };
  };

  // 5. Lifetimes of the roots, in steps.
  const life = new Map<TensorId, { first: number; last: number }>();
  const touch = (t: TensorId, step: number) => {
    const r = windowOf(t).root;
    const l = life.get(r) ?? { first: step, last: step };
    life.set(r, { first: Math.min(l.first, step), last: Math.max(l.last, step) });
  };
  for (const t of g.inputs.values()) touch(t, -1);
  steps.forEach((n, i) => {
    touch(n.output, i);
    for (const t of n.inputs) touch(t, i);
  });
  for (const t of g.outputs.values()) touch(t, steps.length);

  const buffers: BufferPlan[] = [];
  const byRoot = new Map<TensorId, BufferPlan>();
  for (const [root, l] of life) {
    const s = shapeOf(root);
    const plan = { root, bytes: s.n * s.h * s.w * roundUp(storedChannels(root), 4) * 4, offset: 0, first: l.first, last: l.last };
    buffers.push(plan);
    byRoot.set(root, plan);
  }

  // 6. Offsets: largest first, lowest offset that overlaps no placed buffer alive at the same time.
  const placed: BufferPlan[] = [];
  let arenaBytes = 0;
  for (const b of [...buffers].sort((x, y) => y.bytes - x.bytes || x.first - y.first)) {
    const clashes = placed.filter((o) => o.first <= b.last && b.first <= o.last).sort((x, y) => x.offset - y.offset);
    let offset = 0;
    for (const o of clashes) {
      if (offset + b.bytes <= o.offset) break;
      offset = Math.max(offset, roundUp(o.offset + o.bytes, alignment));
    }
    b.offset = offset;
    placed.push(b);
    arenaBytes = Math.max(arenaBytes, offset + b.bytes);
  }

  let peakLiveBytes = 0;
  for (let step = -1; step <= steps.length; step++) {
    const live = buffers.filter((b) => b.first <= step && step <= b.last).reduce((sum, b) => sum + b.bytes, 0);
    peakLiveBytes = Math.max(peakLiveBytes, live);
  }

  const views = new Map<TensorId, PlacedTensor>();
  for (const t of [...g.tensors.map((x) => x.id), ...extra.keys()]) {
    const { root, co } = windowOf(t);
    const buffer = byRoot.get(root);
    if (!buffer) continue; // no longer used after rewrites
    views.set(t, { buffer, view: { ...shapeOf(t), c: storedChannels(t), cs: roundUp(storedChannels(root), 4), co }, groups: groupsOf(t) });
  }
  return { steps, views, buffers, arenaBytes, peakLiveBytes };
}
