// The tilings the tuner tries. Per conv: variations around the families that suit the adapter's class
// (software: lanes over pixels with subgroup sharing, lanes over channels; GPUs: workgroup-memory tiles, and
// split-K where the output has few pixels). For the whole pass: a few tilings forced on every conv, so the
// tuned result is never worse than the best of those.
import type { ConvTiling } from '../kernels/conv2d.js';
import type { AdapterClass } from '../kernels/tiling-policy.js';

/** Few enough output pixels that splitting the sum pays (RA4's 11x11 maps, layer4, RFB on 11x11 and 22x22). */
const SPLITK_MAX_PIXELS = 2048;

/** Whether `t` can run a conv with `cout` output channels (the kernel's own checks, as a filter). */
function fits(t: ConvTiling): boolean {
  if (t.lanes === 'pixels' && t.wgy !== 1) return false;
  if (t.lanes === 'splitk' && (t.wgy !== 1 || t.wgx < t.tm * t.tn || (t.wgx & (t.wgx - 1)) !== 0)) return false;
  return !(t.subgroup && (t.lanes !== 'pixels' || t.wgx % t.subgroup !== 0));
}

/** Per-conv candidates for a conv with `pixels` output pixels. */
export function convCandidates(cls: AdapterClass, pixels: number, subgroupSize?: number): ConvTiling[] {
  const sg = subgroupSize !== undefined && subgroupSize >= 4 && subgroupSize <= 64 ? subgroupSize : undefined;
  const list: ConvTiling[] = [];
  if (sg)
    for (const [tm, tn] of [
      [4, 4],
      [2, 4],
      [4, 2],
      [8, 2],
    ] as const)
      list.push({ lanes: 'pixels', tm, tn, wgx: sg, wgy: 1, subgroup: sg });
  if (cls === 'software') {
    list.push({ lanes: 'channels', tm: 8, tn: 2, wgx: 8, wgy: 8 }, { lanes: 'channels', tm: 4, tn: 4, wgx: 4, wgy: 16 });
  } else {
    list.push(
      { lanes: 'shared', tm: 4, tn: 1, wgx: 8, wgy: 8, kc: 4 },
      { lanes: 'shared', tm: 4, tn: 1, wgx: 16, wgy: 16, kc: 4 },
      { lanes: 'shared', tm: 8, tn: 1, wgx: 16, wgy: 16, kc: 4 },
      { lanes: 'shared', tm: 4, tn: 2, wgx: 8, wgy: 8, kc: 4 },
      // 128 pixels x 32 channel groups, 8 x 2 vec4 per invocation: twice the multiply-adds per workgroup-memory
      // read of the others, for large maps and batches folded into pixels
      { lanes: 'shared', tm: 8, tn: 2, wgx: 16, wgy: 16, kc: 4 },
    );
    if (pixels <= SPLITK_MAX_PIXELS) {
      list.push(
        { lanes: 'splitk', tm: 4, tn: 1, wgx: 64, wgy: 1 },
        { lanes: 'splitk', tm: 2, tn: 2, wgx: 32, wgy: 1 },
        { lanes: 'splitk', tm: 1, tn: 2, wgx: 128, wgy: 1 },
      );
    }
  }
  return list.filter(fits);
}

/** Tilings forced on every conv of the whole pass, to compare with the per-conv choice and the defaults. */
export function uniformCandidates(cls: AdapterClass, subgroupSize?: number): ConvTiling[] {
  const sg = subgroupSize !== undefined && subgroupSize >= 4 && subgroupSize <= 64 ? subgroupSize : undefined;
  if (cls === 'software')
    return [...(sg ? [{ lanes: 'pixels', tm: 4, tn: 2, wgx: sg, wgy: 1, subgroup: sg } as const] : []), { lanes: 'channels', tm: 8, tn: 2, wgx: 8, wgy: 8 }];
  return [
    { lanes: 'shared', tm: 4, tn: 1, wgx: 16, wgy: 16, kc: 4 },
    { lanes: 'shared', tm: 8, tn: 1, wgx: 16, wgy: 16, kc: 4 },
    ...(sg ? [{ lanes: 'pixels', tm: 4, tn: 4, wgx: sg, wgy: 1, subgroup: sg } as const] : []),
  ];
}

/** The same text for the same tiling, whatever order its fields were written in (chooseTiling rebuilds them). */
const tilingKey = (t: ConvTiling): string => JSON.stringify(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * Tilings measured on every conv, fastest first by what forcing each on the whole network would cost by the
 * per-conv times (sum of ms x count): the whole-pass comparison then includes the ones the measurements
 * favour on this adapter, not only the class's usual ones (on SwiftShader the best forced tiling was neither).
 */
export function predictedUniform(convs: readonly { count: number; ms: readonly { tiling: ConvTiling; ms: number }[] }[]): ConvTiling[] {
  const totals = new Map<string, { tiling: ConvTiling; ms: number; convs: number }>();
  for (const c of convs) {
    for (const { tiling, ms } of c.ms) {
      const key = tilingKey(tiling);
      const t = totals.get(key) ?? { tiling, ms: 0, convs: 0 };
      t.ms += ms * c.count;
      t.convs++;
      totals.set(key, t);
    }
  }
  return [...totals.values()]
    .filter((t) => t.convs === convs.length)
    .sort((a, b) => a.ms - b.ms)
    .map((t) => t.tiling);
}

/** The tilings in order, each once. */
export const distinctTilings = (tilings: readonly ConvTiling[]): ConvTiling[] => [...new Map(tilings.map((t) => [tilingKey(t), t])).values()];
