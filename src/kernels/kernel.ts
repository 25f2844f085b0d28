// What a kernel module hands to whoever runs it: one specialised shader, its parameters, its grid and the
// storage bindings it expects, plus the work it does (for the profiler).
import { checkView, type Shape4, shapeText, type TensorView } from './layout.js';

export interface KernelCall {
  /** what this dispatch computes, for errors and profiles */
  label: string;
  /** specialised WGSL; the pipeline cache key */
  code: string;
  /** the uniform block at @binding(0), as 32-bit words */
  params: Uint32Array;
  groups: [number, number, number];
  /** storage bindings by role name (x, w, bias, res, y, ...) -> @binding index */
  slots: Readonly<Record<string, number>>;
  /** floating-point operations (a multiply-add counts 2) */
  flops: number;
  /** bytes read and written, at least once each */
  bytes: number;
}

/** A uniform block written word by word; floats share the same words. */
export class ParamWriter {
  private readonly words: number[] = [];
  private readonly floats = new Map<number, number>();
  u32(...values: number[]): this {
    for (const v of values) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`kernel parameter ${v} is not a u32`);
      this.words.push(v);
    }
    return this;
  }
  f32(...values: number[]): this {
    for (const v of values) {
      this.floats.set(this.words.length, v);
      this.words.push(0);
    }
    return this;
  }
  finish(): Uint32Array {
    while (this.words.length % 4 !== 0) this.words.push(0); // uniform blocks are 16-byte multiples
    const out = new Uint32Array(this.words);
    const asFloat = new Float32Array(out.buffer);
    for (const [i, v] of this.floats) asFloat[i] = v;
    return out;
  }
}

/**
 * Spreads `total` workgroups over y (and z when y would exceed the per-dimension limit).
 * Returns the y count per z-slice, which the shader needs to rebuild the linear index.
 */
export function foldGroups(x: number, total: number, maxPerDim: number): { groups: [number, number, number]; groupsY: number } {
  if (x > maxPerDim) throw new Error(`dispatch needs ${x} workgroups in x, over the limit ${maxPerDim}`);
  const y = Math.max(1, Math.min(total, maxPerDim));
  const z = Math.max(1, Math.ceil(total / y));
  if (z > maxPerDim) throw new Error(`dispatch of ${total} workgroups is too large for the limit ${maxPerDim}`);
  return { groups: [Math.max(1, x), y, z], groupsY: y };
}

export const DEFAULT_MAX_GROUPS = 65535;

/**
 * For kernels with one invocation per output vec4 channel group: checks that `y` has the expected shape
 * and both views are vec4-aligned, and spreads the invocations over workgroups of `wg`.
 */
export function perOutputGroup(label: string, expected: Shape4, x: TensorView, y: TensorView, wg: number, maxGroups: number) {
  if (expected.h !== y.h || expected.w !== y.w || expected.c !== y.c || expected.n !== y.n) {
    throw new Error(`${label}: output is ${shapeText(y)}, expected ${shapeText(expected)}`);
  }
  checkView(x, `${label} input`);
  checkView(y, `${label} output`);
  const c4 = Math.ceil(x.c / 4);
  const count = y.n * y.h * y.w * c4;
  return { c4, count, ...foldGroups(1, Math.ceil(count / wg), maxGroups) };
}
