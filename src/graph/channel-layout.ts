// How each tensor's channels sit in storage. Kernels address channels in vec4 groups, so a channel window (a
// slice, a concat part) must start at a multiple of 4. Where the graph cuts a tensor elsewhere (Res2Net's
// 26-wide splits), the tensor is stored in channel groups, each but the last padded to a multiple of 4 with
// zero channels: [26 | 2 pad | 26 | 2 pad | 26 | 2 pad | 26]. Convs read and write any grouping (their
// weights get zero rows and columns for the gaps); per-channel ops pass their grouping on; the graph itself
// keeps real channel counts.
import { roundUp } from '../kernels/layout.js';
import type { Groups } from '../kernels/channel-groups.js';
import { type Graph, isOp, type Node, type TensorId } from './ir.js';
import { concatOp, sliceOp } from './view-ops.js';

/** Where a tensor is cut: real channel offsets, 0 and its channel count included. */
type Cuts = Set<number>;

/** Groups for cuts: every group but the last stored padded to a multiple of 4. */
export function groupsOf(cuts: ReadonlySet<number>): Groups {
  const at = [...cuts].sort((a, b) => a - b);
  return at.slice(1).map((end, i) => {
    const real = end - at[i]!;
    return [real, i === at.length - 2 ? real : roundUp(real, 4)] as const;
  });
}

/** The stored channel offset of real channel offset `real` (a cut of `g`). */
export function storedOffset(g: Groups, real: number): number {
  let r = 0;
  let s = 0;
  for (const [gr, gs] of g) {
    if (r === real) return s;
    r += gr;
    s += gs;
  }
  if (r === real) return s;
  throw new Error(`channel offset ${real} is not a group boundary of [${g.map(([a, b]) => `${a}/${b}`).join(', ')}]`);
}

/** The groups of channels [start, end) of `g` (both cuts of it). */
export function subGroups(g: Groups, start: number, end: number): Groups {
  const cuts = new Set<number>();
  let r = 0;
  for (const [gr] of [[0, 0] as const, ...g]) {
    r += gr;
    if (r >= start && r <= end) cuts.add(r - start);
  }
  return groupsOf(cuts);
}

/**
 * The groups of every tensor `nodes` touch, given where concats place their parts (`windows`: the tensor
 * written into each part's window, which may be a copy of the part). Cuts spread until nothing changes: a
 * per-channel op's output and same-width inputs share their cuts, a concat's parts and its output agree on the
 * cuts inside each window, and a slice cuts its input at its ends.
 */
export function channelLayouts(
  g: Graph,
  nodes: readonly Node[],
  windows: ReadonlyMap<Node, readonly TensorId[]>,
  channels: (t: TensorId) => number,
): Map<TensorId, Groups> {
  const cuts = new Map<TensorId, Cuts>();
  const cutsOf = (t: TensorId): Cuts => {
    let c = cuts.get(t);
    if (!c) cuts.set(t, (c = new Set([0, channels(t)])));
    return c;
  };
  let changed = true;
  /** Adds to `to` the cuts of `from` that fall in [lo, hi], shifted by `shift`. */
  const spread = (from: TensorId, to: TensorId, lo: number, hi: number, shift: number) => {
    const target = cutsOf(to);
    for (const c of cutsOf(from)) {
      if (c >= lo && c <= hi && !target.has(c + shift)) {
        target.add(c + shift);
        changed = true;
      }
    }
  };
  while (changed) {
    changed = false;
    for (const n of nodes) {
      const width = channels(n.output);
      if (isOp(n, sliceOp)) {
        const [x] = n.inputs as [TensorId];
        spread(n.output, x, 0, width, n.attrs.start);
        spread(x, n.output, n.attrs.start, n.attrs.end, -n.attrs.start);
      } else if (isOp(n, concatOp)) {
        let at = 0;
        for (const part of windows.get(n) ?? []) {
          const c = channels(part);
          spread(part, n.output, 0, c, at);
          spread(n.output, part, at, at + c, -at);
          at += c;
        }
      } else if (n.op.channels === 'per-channel') {
        for (const x of n.inputs.filter((t) => channels(t) === width)) {
          spread(x, n.output, 0, width, 0);
          spread(n.output, x, 0, width, 0);
        }
      }
    }
  }
  const layouts = new Map<TensorId, Groups>();
  for (const [t, c] of cuts) layouts.set(t, groupsOf(c));
  for (const n of nodes) {
    if (n.op.channels !== 'dense') continue;
    for (const t of [...n.inputs, n.output]) {
      if ((layouts.get(t)?.length ?? 1) > 1)
        throw new Error(
          `${n.name}: ${n.op.name} needs its tensors stored without channel gaps, but tensor ${t} of ${g.shape(t).c} channels is cut at ${[...cutsOf(t)].sort((a, b) => a - b).join(', ')}`,
        );
    }
  }
  return layouts;
}
