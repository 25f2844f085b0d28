// A kernel's interface, declared once: its uniform parameters (name and type, in order) and its storage
// bindings (name, role, element type, in order). The WGSL `struct Params` and `@binding` lines, the uniform
// block's words and the binding numbers the executor fills are all generated from that declaration, so the
// shader bodies in shaders/ only use `p.<param>` and the binding names.
//
// Binding roles, the same words in every kernel:
//   input:    an activation tensor the kernel reads (the first one is always `x`)
//   output:   the activation tensor it writes (always `y`)
//   constant: data fixed at compile time (weights, tables), named for what it holds
//   status:   one word the executor owns, zeroes before every forward pass and reads back with the outputs
//             (always `status`, atomic<u32>): a kernel sets it when it computes a non-finite value
// Activations are bound read_write even when only read: WebGPU forbids one buffer in a read-only and a
// writable binding of the same dispatch, while writable bindings may share a buffer when their ranges do not
// overlap (the planner guarantees that, copying an input whose range would overlap). Constants live in their own buffer and are bound read-only.
import type { GpuCall } from '../gpu/dispatch.js';
import { checkView, type Shape4, shapeText, type TensorView } from './layout.js';
import { type Defines, specialize } from './template.js';

export type ParamType = 'u32' | 'f32';
export type BindingRole = 'input' | 'output' | 'constant' | 'status';
export type ElementType = 'vec4f' | 'vec4u' | 'vec2u' | 'u32' | 'f32' | 'atomic<u32>';

export interface BindingDecl {
  role: BindingRole;
  /** element type of the array (default vec4f) */
  type?: ElementType;
  /** a binding only some calls use (a residual, a second operand) */
  optional?: boolean;
}

export interface KernelDecl<P extends string = string, B extends string = string> {
  /** the shader body, shaders/<shader>.wgsl */
  shader: string;
  params: Readonly<Record<P, ParamType>>;
  bindings: Readonly<Record<B, BindingDecl>>;
}

/** Declares a kernel; the literal types of the names make calls check their parameter and binding names. */
export const declareKernel = <P extends string, B extends string>(d: KernelDecl<P, B>): KernelDecl<P, B> => d;

/** One storage binding of a call: its @binding number and role. */
export interface CallBinding {
  name: string;
  binding: number;
  role: BindingRole;
}

/** What a kernel module hands to whoever runs it. */
export interface KernelCall extends GpuCall {
  bindings: readonly CallBinding[];
  /** floating-point operations (a multiply-add counts 2), for the profiler */
  flops: number;
  /** bytes read and written, at least once each */
  bytes: number;
}

export interface CallSpec<P extends string, B extends string> {
  label: string;
  params: Readonly<Record<P, number>>;
  groups: [number, number, number];
  /** template defines of the shader body (see template.ts) */
  defines?: Defines;
  /** optional bindings this call uses */
  use?: readonly B[];
  /** element types that differ from the declaration in this call (float16 weights) */
  types?: Partial<Record<B, ElementType>>;
  /** WGSL extensions the body needs (`enable ...;` must come first in a module) */
  enable?: readonly string[];
  flops: number;
  bytes: number;
}

/** The uniform block: parameters as 32-bit words in declaration order, padded to a 16-byte multiple. */
function paramWords(decl: KernelDecl, values: Readonly<Record<string, number>>, label: string): Uint32Array {
  const names = Object.keys(decl.params);
  const extra = Object.keys(values).filter((k) => !names.includes(k));
  if (extra.length) throw new Error(`${label}: unknown kernel parameter ${extra.join(', ')}`);
  const words = new Uint32Array(Math.ceil(names.length / 4) * 4);
  const floats = new Float32Array(words.buffer);
  names.forEach((name, i) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${label}: kernel parameter ${name} is missing`);
    if (decl.params[name] === 'f32') floats[i] = v;
    else if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${label}: kernel parameter ${name} = ${v} is not a u32`);
    else words[i] = v;
  });
  return words;
}

/** The generated declarations: `struct Params`, the uniform at binding 0, then each used binding in order. */
export function interfaceWgsl(decl: KernelDecl, used: ReadonlySet<string>, types: Partial<Record<string, ElementType>> = {}): string {
  const names = Object.keys(decl.params);
  const fields = names.map((n) => `  ${n}: ${decl.params[n]},`);
  for (let i = names.length; i % 4 !== 0; i++) fields.push(`  _pad${i}: u32,`);
  const lines = ['struct Params {', ...fields, '}', '', '@group(0) @binding(0) var<uniform> p: Params;'];
  Object.entries(decl.bindings).forEach(([name, b], i) => {
    if (!used.has(name)) return;
    const access = b.role === 'constant' ? 'read' : 'read_write';
    lines.push(`@group(0) @binding(${i + 1}) var<storage, ${access}> ${name}: array<${types[name] ?? b.type ?? 'vec4f'}>;`);
  });
  return lines.join('\n');
}

/** Builds a call: the shader with its generated interface, the uniform words, the bindings it uses. */
export function kernelCall<P extends string, B extends string>(decl: KernelDecl<P, B>, spec: CallSpec<NoInfer<P>, NoInfer<B>>): KernelCall {
  const all = Object.entries(decl.bindings) as [B, BindingDecl][];
  const used = new Set<string>(all.filter(([name, b]) => !b.optional || spec.use?.includes(name)).map(([name]) => name));
  const unknown = (spec.use ?? []).filter((n) => !(n in decl.bindings));
  if (unknown.length) throw new Error(`${spec.label}: no binding ${unknown.join(', ')} in ${decl.shader}`);
  const enables = (spec.enable ?? []).map((e) => `enable ${e};\n`).join('');
  const code = `${enables}${interfaceWgsl(decl, used, spec.types)}\n\n${specialize(decl.shader, spec.defines ?? {})}`;
  const bindings = all.flatMap(([name, b], i) => (used.has(name) ? [{ name, binding: i + 1, role: b.role }] : []));
  return { label: spec.label, code, params: paramWords(decl, spec.params, spec.label), groups: spec.groups, bindings, flops: spec.flops, bytes: spec.bytes };
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
