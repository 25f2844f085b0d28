// How each conv is tiled, as data: rules tried in order, the first that matches a conv (its key, its output
// pixels N*H*W and vec4 output-channel groups) and the device (fixed-size subgroups or not) gives the tiling.
// Defaults depend on the adapter's class; a forced tiling is a one-rule policy; tuned tables (src/tuning/)
// are policies too.
import type { AdapterSummary } from '../gpu/context.js';
import type { ConvTiling } from './conv2d.js';

/** 'subgroup' in a tiling stands for the device's subgroup size. */
export type TilingTemplate = Omit<ConvTiling, 'wgx' | 'subgroup'> & { wgx: number | 'subgroup'; subgroup?: 'subgroup' };

export interface TilingRule {
  /** exactly this conv (convKey in conv2d.ts), as a tuned table names each conv it measured */
  conv?: string;
  /** the rule needs fixed-size subgroups of 4..64 invocations (and, when false, applies only without them) */
  subgroups?: boolean;
  /** inclusive bounds on the output's pixels (N*H*W) */
  pixels?: readonly [number, number];
  /** inclusive bounds on the output's vec4 channel groups */
  cout4?: readonly [number, number];
  tiling: TilingTemplate | ConvTiling;
}

export type TilingPolicy = readonly TilingRule[];

const ANY = Infinity;

/**
 * The defaults for software adapters, measured on lavapipe and SwiftShader. With fixed-size subgroups: lanes over pixels, 4 pixels x
 * up to 4 channel groups per invocation, each step's weights shared through subgroup broadcasts (lavapipe:
 * 2-3x the rate of the other layouts). Otherwise lanes over channels, 2 channel groups (1 for a single one)
 * and 8 pixels per invocation (4 under 64 output pixels), enough invocations along x to cover the channels
 * (up to 16), 64 invocations per workgroup.
 */
export const DEFAULT_TILING_POLICY: TilingPolicy = [
  { subgroups: true, cout4: [4, ANY], tiling: { lanes: 'pixels', tm: 4, tn: 4, wgx: 'subgroup', wgy: 1, subgroup: 'subgroup' } },
  { subgroups: true, cout4: [2, 3], tiling: { lanes: 'pixels', tm: 4, tn: 2, wgx: 'subgroup', wgy: 1, subgroup: 'subgroup' } },
  { subgroups: true, tiling: { lanes: 'pixels', tm: 4, tn: 1, wgx: 'subgroup', wgy: 1, subgroup: 'subgroup' } },
  ...(
    [
      [1, 1, 1, 1],
      [2, 2, 2, 1],
      [3, 4, 2, 2],
      [5, 8, 2, 4],
      [9, 16, 2, 8],
      [17, ANY, 2, 16],
    ] as const
  ).flatMap(([lo, hi, tn, wgx]) =>
    (
      [
        [[0, 63], 4],
        [[64, ANY], 8],
      ] as const
    ).map(([pixels, tm]): TilingRule => ({
      subgroups: false,
      cout4: [lo, hi],
      pixels,
      tiling: { lanes: 'channels', tm, tn, wgx, wgy: 64 / wgx },
    })),
  ),
];

/**
 * The defaults for GPUs: workgroup-memory tiles of 32 pixels x 8 channel groups, measured on an NVIDIA H100
 * (official network 20.5 ms against 50.2 ms with the software defaults; compact network 23.5 against 26.9 ms,
 * 2026-11-27). Integrated GPUs get the same, unmeasured: a tuned table (pranet tune) does better on any device.
 */
export const GPU_TILING_POLICY: TilingPolicy = [{ tiling: { lanes: 'shared', tm: 4, tn: 1, wgx: 8, wgy: 8, kc: 4 } }];

const TILING_FIELDS = ['tm', 'tn', 'wgx', 'wgy', 'lanes', 'kc', 'subgroup'];
const LANES = ['pixels', 'channels', 'shared', 'splitk'];

/**
 * What is wrong with a tiling given from outside (--tiling, a tuning table), or undefined: the bounds keep the
 * generated shader to a size a compiler takes in seconds (a 64 x 64 register tile did not finish in minutes).
 * What depends on the device (invocations per workgroup, workgroup memory, the subgroup size) is checked when
 * the kernel is made.
 */
export function tilingProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a tiling must be a JSON object';
  const t = v as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !TILING_FIELDS.includes(k));
  if (unknown.length) return `unknown tiling field ${unknown.join(', ')} (known: ${TILING_FIELDS.join(', ')})`;
  // A value is shown only when it is a number: the text may come from anywhere (a nested array would be long).
  const shown = (x: unknown) => (typeof x === 'number' ? String(x) : typeof x);
  const int = (k: string, lo: number, hi: number) =>
    Number.isInteger(t[k]) && (t[k] as number) >= lo && (t[k] as number) <= hi ? undefined : `${k} must be an integer in ${lo}..${hi}, got ${shown(t[k])}`;
  const problem = int('tm', 1, 16) ?? int('tn', 1, 16) ?? int('wgx', 1, 1024) ?? int('wgy', 1, 1024);
  if (problem) return problem;
  if ((t.wgx as number) * (t.wgy as number) > 1024) return `wgx x wgy must be at most 1024 invocations, got ${(t.wgx as number) * (t.wgy as number)}`;
  if (t.lanes !== undefined && !LANES.includes(t.lanes as string)) return `lanes must be one of ${LANES.join(', ')}`;
  const kc = t.kc === undefined ? undefined : int('kc', 1, 16);
  if (kc) return kc;
  if (t.subgroup !== undefined && ![4, 8, 16, 32, 64, 128].includes(t.subgroup as number)) return 'subgroup must be 4, 8, 16, 32, 64 or 128';
  return undefined;
}

export type AdapterClass = 'software' | 'integrated' | 'discrete';

/** What kind of device an adapter is, from what it says about itself. */
export function adapterClass(a: Pick<AdapterSummary, 'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'>): AdapterClass {
  const text = `${a.vendor} ${a.architecture} ${a.device} ${a.description}`.toLowerCase();
  if (a.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|softpipe|software|basic render|warp/.test(text)) return 'software';
  if (/intel|apple|\barm\b|mali|adreno|qualcomm|powervr|integrated/.test(text)) return 'integrated';
  return 'discrete';
}

/** The default policy for an adapter's class. */
export const defaultTilingPolicy = (cls: AdapterClass): TilingPolicy => (cls === 'software' ? DEFAULT_TILING_POLICY : GPU_TILING_POLICY);

/** A policy that gives every conv the same tiling. */
export const forcedTiling = (t: ConvTiling): TilingPolicy => [{ tiling: t }];

const inside = (v: number, range?: readonly [number, number]) => !range || (v >= range[0] && v <= range[1]);

/** The tiling for a conv with `pixels` output pixels and `cout` output channels (and key `conv`) on a device. */
export function chooseTiling(policy: TilingPolicy, pixels: number, cout: number, subgroupSize?: number, conv?: string): ConvTiling {
  const sg = subgroupSize !== undefined && subgroupSize >= 4 && subgroupSize <= 64 ? subgroupSize : undefined;
  const cout4 = Math.ceil(cout / 4);
  const matches = policy.filter(
    (r) =>
      (r.conv === undefined || r.conv === conv) &&
      (r.subgroups === undefined || r.subgroups === (sg !== undefined)) &&
      inside(pixels, r.pixels) &&
      inside(cout4, r.cout4),
  );
  // A tiling that names its subgroup size shares weights across lanes of that many invocations: on a device
  // whose subgroups are another size (a table or a --tiling from another GPU) it would compute garbage.
  const rule = matches.find((r) => typeof r.tiling.subgroup !== 'number' || r.tiling.subgroup === sg);
  if (!rule) {
    const other = matches.find((r) => typeof r.tiling.subgroup === 'number');
    throw new Error(
      other
        ? `the tiling ${JSON.stringify(other.tiling)} shares weights across subgroups of ${other.tiling.subgroup} invocations, but this device's subgroups are ${sg ? `${sg} wide` : 'not of one fixed size'}`
        : `no tiling rule matches a conv with ${pixels} output pixels and ${cout} output channels${sg ? ` (subgroups of ${sg})` : ''}`,
    );
  }
  const { wgx, subgroup, ...rest } = rule.tiling;
  if ((wgx === 'subgroup' || subgroup === 'subgroup') && sg === undefined)
    throw new Error('a tiling rule uses the subgroup size, but the device has no fixed-size subgroups');
  return { ...rest, wgx: wgx === 'subgroup' ? sg! : wgx, ...(subgroup !== undefined ? { subgroup: subgroup === 'subgroup' ? sg! : subgroup } : {}) };
}
