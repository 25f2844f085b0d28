// 2-D convolution (groups 1) with a fused epilogue: + bias, + residual, ReLU.
import { floatToHalfBits, halfBitsToFloat } from '../weights/f16.js';
import { expandConvWeights, expandVector } from './channel-groups.js';
import { DEFAULT_MAX_GROUPS, declareKernel, foldGroups, type KernelCall, kernelCall } from './kernel.js';
import { checkView, roundUp, type Shape4, shapeText, type TensorView } from './layout.js';
import { defineOp } from './op.js';
import { chooseTiling } from './tiling-policy.js';

export interface Conv2dAttrs {
  cout: number;
  kh: number;
  kw: number;
  strideY: number;
  strideX: number;
  padT: number;
  padB: number;
  padL: number;
  padR: number;
  dilY: number;
  dilX: number;
  bias: boolean;
  residual: boolean;
  relu: boolean;
}

/**
 * Register tile: TM output pixels x TN vec4 channel groups per invocation, WGX x WGY invocations.
 * `lanes: 'pixels'` gives a whole workgroup one channel block (WGX invocations along pixels, WGY = 1);
 * 'channels' spreads channel blocks along x and pixels along y (both: shaders/conv2d.wgsl); 'shared' tiles
 * through workgroup memory, WGX x WGY invocations computing (WGY * TM) pixels x (WGX * TN) channel groups
 * (shaders/conv2d_tiled.wgsl). 'splitk' gives a workgroup of WGX invocations (a power of two, WGY = 1) one
 * TM x TN tile and splits its sum across them (shaders/conv2d_splitk.wgsl), for few output pixels and long sums.
 */
export interface ConvTiling {
  tm: number;
  tn: number;
  wgx: number;
  wgy: number;
  lanes?: 'pixels' | 'channels' | 'shared' | 'splitk';
  /** with lanes 'shared': vec4 input-channel groups per workgroup-memory chunk (default 4) */
  kc?: number;
  /** with lanes 'pixels': share each step's weights through subgroup broadcasts, in subgroups of this size */
  subgroup?: number;
}

const isPointwise = (a: Conv2dAttrs) =>
  a.kh === 1 && a.kw === 1 && a.strideY === 1 && a.strideX === 1 && a.padT === 0 && a.padB === 0 && a.padL === 0 && a.padR === 0;

export function conv2dAttrs(
  cout: number,
  kh: number,
  kw: number,
  opts: Partial<Omit<Conv2dAttrs, 'cout' | 'kh' | 'kw'>> & { pad?: number; stride?: number; dil?: number } = {},
): Conv2dAttrs {
  const pad = opts.pad ?? 0;
  const stride = opts.stride ?? 1;
  const dil = opts.dil ?? 1;
  return {
    cout,
    kh,
    kw,
    strideY: opts.strideY ?? stride,
    strideX: opts.strideX ?? stride,
    padT: opts.padT ?? pad,
    padB: opts.padB ?? pad,
    padL: opts.padL ?? pad,
    padR: opts.padR ?? pad,
    dilY: opts.dilY ?? dil,
    dilX: opts.dilX ?? dil,
    bias: opts.bias ?? false,
    residual: opts.residual ?? false,
    relu: opts.relu ?? false,
  };
}

export function conv2dShape(x: Shape4, a: Conv2dAttrs, label = 'conv2d'): Shape4 {
  const bad = (what: string) =>
    new Error(`${label}: ${what} (input ${shapeText(x)}, kernel ${a.kh}x${a.kw}, stride ${a.strideY}x${a.strideX}, dilation ${a.dilY}x${a.dilX})`);
  if (a.kh < 1 || a.kw < 1 || a.kh > 7 || a.kw > 7) throw bad('kernel sizes must be 1..7');
  if (a.strideY < 1 || a.strideX < 1 || a.dilY < 1 || a.dilX < 1) throw bad('stride and dilation must be >= 1');
  if ([a.padT, a.padB, a.padL, a.padR].some((p) => p < 0)) throw bad('padding must be >= 0');
  const h = Math.floor((x.h + a.padT + a.padB - a.dilY * (a.kh - 1) - 1) / a.strideY) + 1;
  const w = Math.floor((x.w + a.padL + a.padR - a.dilX * (a.kw - 1) - 1) / a.strideX) + 1;
  if (h < 1 || w < 1) throw bad(`output would be ${h}x${w}`);
  return { n: x.n, c: a.cout, h, w };
}

/** Output-channel groups the packed weights hold: a multiple of the tile width, so loads need no guard. */
export const packedCout4 = (cout: number, tn: number): number => roundUp(Math.ceil(cout / 4), tn);

/** How packed conv weights are stored: float32, or float16 (only for values that float16 holds exactly). */
export type ConvWeightStorage = 'f32' | 'f16';

/** OIHW weights -> [kh][kw][cin rounded to 4][packedCout4 * 4], zero-padded. */
export function packConv2dWeights(w: ArrayLike<number>, cout: number, cin: number, kh: number, kw: number, tn: number): Float32Array {
  if (w.length !== cout * cin * kh * kw) {
    throw new Error(`conv weights have ${w.length} values, expected ${cout}x${cin}x${kh}x${kw} = ${cout * cin * kh * kw}`);
  }
  const cinP = roundUp(cin, 4);
  const coutP = packedCout4(cout, tn) * 4;
  const out = new Float32Array(kh * kw * cinP * coutP);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) out[((y * kw + x) * cinP + i) * coutP + o] = w[((o * cin + i) * kh + y) * kw + x]!;
      }
    }
  }
  return out;
}

/**
 * The packed weights as float16, two per u32 (element 2i in the low half), for shaders built with WF16.
 * Refuses values float16 cannot hold exactly: this storage must never change a result.
 */
export function packConv2dWeightsF16(w: ArrayLike<number>, cout: number, cin: number, kh: number, kw: number, tn: number): Uint32Array {
  const packed = packConv2dWeights(w, cout, cin, kh, kw, tn);
  const out = new Uint32Array(packed.length / 2);
  for (let i = 0; i < packed.length; i++) {
    const h = floatToHalfBits(packed[i]!);
    if (halfBitsToFloat(h) !== packed[i]) throw new Error(`conv weight ${packed[i]} is not exactly representable in float16`);
    out[i >> 1]! |= h << (16 * (i & 1));
  }
  return out;
}

/** Whether every weight is exactly a float16 value (as in a weight file converted with --f16). */
export function exactInF16(w: ArrayLike<number>): boolean {
  for (let i = 0; i < w.length; i++) if (halfBitsToFloat(floatToHalfBits(w[i]!)) !== w[i]) return false;
  return true;
}

/**
 * The conv's one constant binding: the packed weights, then (when the conv has one) the packed bias as float32
 * bits, where the kernel's bias_at parameter points. Both keep the weights' array type.
 */
export function withBias<T extends Float32Array | Uint32Array>(packedWeights: T, packedBias: Float32Array | undefined): T {
  if (!packedBias) return packedWeights;
  const out = new (packedWeights.constructor as new (n: number) => T)(packedWeights.length + packedBias.length);
  out.set(packedWeights);
  new Float32Array(out.buffer, packedWeights.byteLength, packedBias.length).set(packedBias);
  return out;
}

export function packConv2dBias(b: ArrayLike<number>, cout: number, tn: number): Float32Array {
  if (b.length !== cout) throw new Error(`conv bias has ${b.length} values, expected ${cout}`);
  const out = new Float32Array(packedCout4(cout, tn) * 4);
  for (let o = 0; o < cout; o++) out[o] = b[o]!;
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const lines = (indent: string, xs: string[]) => xs.map((l) => indent + l).join('\n');

/**
 * WGSL for where output pixel `q<id>` (already clamped to the last pixel) reads its input: its image n<id>,
 * the input row iy<id> and column ix<id> of tap (0, 0), and row<id>, its image's first input row.
 */
const pixelOrigin = (id: string): string[] => [
  `let n${id} = q${id} / hw;`,
  `let oy${id} = (q${id} - n${id} * hw) / p.out_w;`,
  `let iy${id} = i32(oy${id} * p.stride_y) - i32(p.pad_t);`,
  `let ix${id} = i32((q${id} - n${id} * hw - oy${id} * p.out_w) * p.stride_x) - i32(p.pad_l);`,
  `let row${id} = n${id} * p.in_h;`,
];

/**
 * WGSL for tap (dy, dx) of pixel `<id>`: in<id> whether it lies inside the image (and `guard`, if given), and
 * b<id> the vec4 index of its first input channel group there (0 outside, so a load is always in bounds).
 */
const tapBase = (id: string, guard = ''): string[] => [
  `let in${id} = ${guard}iy${id} + dy >= 0 && iy${id} + dy < i32(p.in_h) && ix${id} + dx >= 0 && ix${id} + dx < i32(p.in_w);`,
  `let b${id} = select(0u, ((row${id} + u32(iy${id} + dy)) * p.in_w + u32(ix${id} + dx)) * p.in_cs4 + p.in_co4, in${id});`,
];

/** The unrolled blocks of shaders/conv2d.wgsl for a TM x TN tile (sg: subgroup size when weights are broadcast). */
function tileCode(tm: number, tn: number, a: Conv2dAttrs, sg?: number): Record<string, string> {
  const I = range(tm);
  const J = range(tn);
  const acc = (i: number, j: number) => `acc${i}_${j}`;
  // Weight vec4 k = r * TN + j of a step; with subgroups, invocation l loads those with k % sg == l.
  const weight = (r: number, j: number) => {
    if (!sg) return `wv(w[wi + ${r}u * ws + ${j}u])`;
    const k = r * tn + j;
    return `wv(subgroupBroadcast(wl${Math.floor(k / sg)}, ${k % sg}u))`;
  };
  const shares = sg ? range(Math.ceil((4 * tn) / sg)) : [];
  const fmas = [
    ...shares.map((s) => `let wl${s} = w[wi + wo${s}];`),
    ...J.flatMap((j) =>
      range(4).flatMap((r) => [
        `let w${r}_${j} = ${weight(r, j)};`,
        ...I.map((i) => `${acc(i, j)} = fma(vec4f(x${i}.${'xyzw'[r]}), w${r}_${j}, ${acc(i, j)});`),
      ]),
    ),
  ];
  const epilogue = (i: number, j: number) => [
    `{`,
    `  let co = co0 + ${j}u;`,
    `  if (co < p.cout4) {`,
    `    var v = ${acc(i, j)};`,
    ...(a.bias ? [`    v += bias_of(co);`] : []),
    ...(a.residual ? [`    v += res[m * p.res_cs4 + p.res_co4 + co];`] : []),
    // Checked before the ReLU, which would turn a NaN into 0.
    `    nonfinite = nonfinite | is_nonfinite(v);`,
    ...(a.relu ? [`    v = max(v, vec4f(0.0));`] : []),
    `    y[m * p.out_cs4 + p.out_co4 + co] = v;`,
    `  }`,
    `}`,
  ];
  return {
    SG_ARG: sg ? ', @builtin(subgroup_invocation_id) sl: u32' : '',
    EARLY_OUT: sg ? 'false' : 'm0 >= p.m',
    // Each invocation's share of a step's 4 x TN weight vec4s: offset of k = sl + s * sg (clamped past the end).
    SG_SETUP: lines(
      '  ',
      shares.flatMap((s) => [`let k${s} = min(sl + ${s * sg!}u, ${4 * tn - 1}u);`, `let wo${s} = (k${s} / ${tn}u) * ws + k${s} % ${tn}u;`]),
    ),
    ACC_DECL: lines(
      '  ',
      I.flatMap((i) => J.map((j) => `var ${acc(i, j)} = vec4f(0.0);`)),
    ),
    POINT_BASES: lines(
      '  ',
      I.map((i) => `let b${i} = min(m0 + ${i}u * mstep, p.m - 1u) * p.in_cs4 + p.in_co4;`),
    ),
    POINT_LOADS: lines(
      '    ',
      I.map((i) => `let x${i} = x[b${i} + c];`),
    ),
    PIXEL_ORIGINS: lines(
      '  ',
      I.flatMap((i) => [`let q${i} = min(m0 + ${i}u * mstep, p.m - 1u);`, ...pixelOrigin(`${i}`)]),
    ),
    // An outside tap reads element 0 and is then replaced by zero: one load per pixel, no branch.
    TAP_BASES: lines(
      '      ',
      I.flatMap((i) => tapBase(`${i}`)),
    ),
    TAP_LOADS: lines(
      '        ',
      I.map((i) => `let x${i} = select(vec4f(0.0), x[b${i} + select(0u, c, in${i})], in${i});`),
    ),
    FMAS: lines('    ', fmas),
    // One flag per invocation, one atomic store only when something overflowed.
    STORES: lines('  ', [
      'var nonfinite = false;',
      ...I.flatMap((i) => [
        `{`,
        `  let m = m0 + ${i}u * mstep;`,
        `  if (m < p.m) {`,
        ...lines(
          '    ',
          J.flatMap((j) => epilogue(i, j)),
        ).split('\n'),
        `  }`,
        `}`,
      ]),
      'if (nonfinite) {',
      '  atomicStore(&status[0], 1u);',
      '}',
    ]),
  };
}

/** The blocks of shaders/conv2d_splitk.wgsl: the register tile of conv2d.wgsl, then its partial sums and epilogue. */
function splitTileCode(t: ConvTiling, a: Conv2dAttrs): Record<string, string> {
  const base = tileCode(t.tm, t.tn, a);
  return {
    KS: String(t.wgx),
    ACC_DECL: base.ACC_DECL!,
    PIXEL_ORIGINS: base.PIXEL_ORIGINS!,
    TAP_BASES: base.TAP_BASES!,
    TAP_LOADS: base.TAP_LOADS!,
    FMAS: base.FMAS!,
    PARTIALS: lines(
      '  ',
      range(t.tm).flatMap((i) => range(t.tn).map((j) => `partial[${i * t.tn + j}u * KS + lid.x] = acc${i}_${j};`)),
    ),
    EPILOGUE: lines('      ', [
      ...(a.bias ? ['v += bias_of(co);'] : []),
      ...(a.residual ? ['v += res[m * p.res_cs4 + p.res_co4 + co];'] : []),
      'if (is_nonfinite(v)) {',
      '  atomicStore(&status[0], 1u);',
      '}',
      ...(a.relu ? ['v = max(v, vec4f(0.0));'] : []),
    ]),
  };
}

/** The unrolled blocks of shaders/conv2d_tiled.wgsl. */
function sharedTileCode(t: ConvTiling, a: Conv2dAttrs, kc: number): Record<string, string> {
  const threads = t.wgx * t.wgy;
  const bm = t.wgy * t.tm;
  const bn = t.wgx * t.tn;
  const aSlots = bm * kc;
  const bSlots = kc * 4 * bn;
  const A = range(Math.ceil(aSlots / threads));
  const B = range(Math.ceil(bSlots / threads));
  const I = range(t.tm);
  const J = range(t.tn);
  const acc = (i: number, j: number) => `acc${i}_${j}`;
  const fmas = range(kc).flatMap((k) => [
    `{`,
    ...I.map((i) => `  let x${i} = ta[(lid.y * ${t.tm}u + ${i}u) * KC + ${k}u];`),
    ...J.flatMap((j) =>
      range(4).flatMap((r) => [
        `  let w${r}_${j} = tb[(${k * 4 + r}u) * BN + lid.x * ${t.tn}u + ${j}u];`,
        ...I.map((i) => `  ${acc(i, j)} = fma(vec4f(x${i}.${'xyzw'[r]}), w${r}_${j}, ${acc(i, j)});`),
      ]),
    ),
    `}`,
  ]);
  const base = tileCode(t.tm, t.tn, a);
  return {
    BM: String(bm),
    BN: String(bn),
    KC: String(kc),
    ACC_DECL: base.ACC_DECL!,
    STORES: base.STORES!,
    A_ORIGINS: lines(
      '  ',
      A.flatMap((s) => [
        `let aon${s} = li + ${s * threads}u < ${aSlots}u;`,
        `let ae${s} = min(li + ${s * threads}u, ${aSlots - 1}u);`,
        `let ak${s} = ae${s} % KC;`,
        `let ap${s} = mb + ae${s} / KC;`,
        `let qa${s} = min(ap${s}, p.m - 1u);`,
        ...pixelOrigin(`a${s}`),
      ]),
    ),
    A_BASES: lines(
      '      ',
      A.flatMap((s) => tapBase(`a${s}`, `ap${s} < p.m && `)),
    ),
    // Taps outside the image and channel groups past the input's read as zero.
    A_LOADS: lines(
      '        ',
      A.flatMap((s) => [
        `if (aon${s}) {`,
        `  let ok = ina${s} && c0 + ak${s} < p.cin4;`,
        `  ta[ae${s}] = select(vec4f(0.0), x[ba${s} + select(0u, c0 + ak${s}, ok)], ok);`,
        `}`,
      ]),
    ),
    B_LOADS: lines(
      '        ',
      B.flatMap((s) => [
        `if (li + ${s * threads}u < ${bSlots}u) {`,
        `  let e = li + ${s * threads}u;`,
        `  let row = e / BN;`,
        `  let col = e % BN;`,
        `  let ok = c0 + row / 4u < p.cin4 && nb + col < ws;`,
        `  tb[e] = select(vec4f(0.0), wv(w[select(0u, wtap + (c0 * 4u + row) * ws + nb + col, ok)]), ok);`,
        `}`,
      ]),
    ),
    FMAS: lines('        ', fmas),
  };
}

export interface Conv2dCallOptions {
  /** the residual tensor, when the attrs ask for a residual add */
  res?: TensorView;
  maxGroups?: number;
  /** how the packed weights are stored (packConv2dWeights or packConv2dWeightsF16); default f32 */
  weights?: ConvWeightStorage;
  /** the device's workgroup limits, checked here so a tiling too large for it is named (else a pipeline error) */
  limits?: WorkgroupLimits;
}

export interface WorkgroupLimits {
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupStorageSize: number;
}

/** Bytes of workgroup memory a tiling's kernel declares (shaders/conv2d_tiled.wgsl, conv2d_splitk.wgsl). */
export function workgroupBytes(t: ConvTiling): number {
  if (t.lanes === 'shared') {
    const kc = t.kc ?? 4;
    return 16 * (t.wgy * t.tm * kc + kc * 4 * t.wgx * t.tn);
  }
  return t.lanes === 'splitk' ? 16 * t.wgx * t.tm * t.tn : 0;
}

/** Both conv variants (shaders/conv2d.wgsl and conv2d_tiled.wgsl) share this interface. */
const CONV2D_INTERFACE = {
  params: {
    in_h: 'u32',
    in_w: 'u32',
    in_cs4: 'u32',
    in_co4: 'u32',
    out_h: 'u32',
    out_w: 'u32',
    out_cs4: 'u32',
    out_co4: 'u32',
    res_cs4: 'u32',
    res_co4: 'u32',
    cin4: 'u32',
    cout4: 'u32',
    kh: 'u32',
    kw: 'u32',
    stride_y: 'u32',
    stride_x: 'u32',
    pad_t: 'u32',
    pad_l: 'u32',
    dil_y: 'u32',
    dil_x: 'u32',
    m: 'u32',
    wcout4: 'u32',
    groups_y: 'u32',
    /** where the bias starts in `w`, in its elements (vec4f, or vec2u with WF16) */
    bias_at: 'u32',
  },
  bindings: {
    x: { role: 'input' },
    /** the residual added in the epilogue, laid out like the output */
    res: { role: 'input', optional: true },
    /** packed weights [kh][kw][cin4 * 4][wcout4] vec4 along output channels (vec2u of 4 halves with WF16) */
    w: { role: 'constant' },
    y: { role: 'output' },
    /** set to 1 when a stored value is NaN or infinite (an overflow inside the network) */
    status: { role: 'status', type: 'atomic<u32>' },
  },
} as const;
const CONV2D = declareKernel({ shader: 'conv2d', ...CONV2D_INTERFACE });
const CONV2D_TILED = declareKernel({ shader: 'conv2d_tiled', ...CONV2D_INTERFACE });
const CONV2D_SPLITK = declareKernel({ shader: 'conv2d_splitk', ...CONV2D_INTERFACE });

export function conv2dKernel(a: Conv2dAttrs, x: TensorView, y: TensorView, t: ConvTiling, opts: Conv2dCallOptions = {}): KernelCall {
  const { res, maxGroups = DEFAULT_MAX_GROUPS } = opts;
  const f16 = opts.weights === 'f16';
  const label = `conv2d ${a.kh}x${a.kw} ${shapeText(x)} -> ${shapeText(y)}${f16 ? ' (f16 weights)' : ''}`;
  const expect = conv2dShape(x, a, label);
  if (expect.h !== y.h || expect.w !== y.w || expect.c !== y.c || expect.n !== y.n) {
    throw new Error(`${label}: output view is ${shapeText(y)}, expected ${shapeText(expect)}`);
  }
  checkView(x, `${label} input`);
  checkView(y, `${label} output`);
  if (a.residual) {
    if (!res) throw new Error(`${label}: residual add requested but no residual tensor given`);
    checkView(res, `${label} residual`);
    if (res.n !== y.n || res.c !== y.c || res.h !== y.h || res.w !== y.w) {
      throw new Error(`${label}: residual is ${shapeText(res)}, expected ${shapeText(y)}`);
    }
  }
  const cout4 = Math.ceil(a.cout / 4);
  const m = y.n * y.h * y.w;
  const px = t.lanes === 'pixels';
  const shared = t.lanes === 'shared';
  const split = t.lanes === 'splitk';
  if ((px || split) && t.wgy !== 1) throw new Error(`${label}: tiling with lanes over ${px ? 'pixels' : 'the sum'} needs wgy = 1, got ${t.wgy}`);
  if (split && (t.wgx < 2 || (t.wgx & (t.wgx - 1)) !== 0 || t.wgx < t.tm * t.tn)) {
    throw new Error(`${label}: a split-K tiling needs wgx a power of two >= 2 and >= tm * tn, got wgx ${t.wgx}, tm ${t.tm}, tn ${t.tn}`);
  }
  if (t.subgroup && (!px || t.wgx % t.subgroup !== 0))
    throw new Error(`${label}: subgroup weight sharing needs lanes over pixels and wgx a multiple of ${t.subgroup}`);
  if (opts.limits) {
    const { maxComputeInvocationsPerWorkgroup: most, maxComputeWorkgroupStorageSize: bytes } = opts.limits;
    if (t.wgx * t.wgy > most) throw new Error(`${label}: the tiling's ${t.wgx}x${t.wgy} invocations exceed this device's ${most} per workgroup`);
    if (workgroupBytes(t) > bytes) throw new Error(`${label}: the tiling needs ${workgroupBytes(t)} bytes of workgroup memory, over this device's ${bytes}`);
  }
  const { groups, groupsY } = px
    ? foldGroups(Math.ceil(cout4 / t.tn), Math.ceil(m / (t.tm * t.wgx)), maxGroups)
    : split
      ? foldGroups(Math.ceil(cout4 / t.tn), Math.ceil(m / t.tm), maxGroups)
      : foldGroups(Math.ceil(cout4 / (t.tn * t.wgx)), Math.ceil(m / (t.tm * t.wgy)), maxGroups);
  const params = {
    in_h: x.h,
    in_w: x.w,
    in_cs4: x.cs / 4,
    in_co4: x.co / 4,
    out_h: y.h,
    out_w: y.w,
    out_cs4: y.cs / 4,
    out_co4: y.co / 4,
    res_cs4: res ? res.cs / 4 : 0,
    res_co4: res ? res.co / 4 : 0,
    cin4: Math.ceil(x.c / 4),
    cout4,
    kh: a.kh,
    kw: a.kw,
    stride_y: a.strideY,
    stride_x: a.strideX,
    pad_t: a.padT,
    pad_l: a.padL,
    dil_y: a.dilY,
    dil_x: a.dilX,
    m,
    wcout4: packedCout4(a.cout, t.tn),
    groups_y: groupsY,
    bias_at: a.kh * a.kw * 4 * Math.ceil(x.c / 4) * packedCout4(a.cout, t.tn),
  };
  const flags = { WGX: t.wgx, WGY: t.wgy, TM: t.tm, TN: t.tn, BIAS: a.bias, RESIDUAL: a.residual, WF16: f16 };
  const k = x.c * a.kh * a.kw;
  const common = {
    label,
    params,
    groups,
    use: a.residual ? ['res' as const] : [],
    types: f16 ? { w: 'vec2u' as const } : {},
    flops: 2 * m * a.cout * k,
    bytes: 4 * (x.n * x.h * x.w * x.c + m * a.cout * (a.residual ? 2 : 1)) + (f16 ? 2 : 4) * a.cout * k,
  };
  if (shared) return kernelCall(CONV2D_TILED, { ...common, defines: { ...flags, ...sharedTileCode(t, a, t.kc ?? 4) } });
  if (split) return kernelCall(CONV2D_SPLITK, { ...common, defines: { ...flags, ...splitTileCode(t, a) } });
  return kernelCall(CONV2D, {
    ...common,
    defines: { ...flags, PX: px, POINT: isPointwise(a), ...tileCode(t.tm, t.tn, a, t.subgroup) },
    enable: t.subgroup ? ['subgroups'] : [],
  });
}

/** float64 reference on NCHW arrays: weights OIHW, optional bias [cout], optional residual NCHW like the output. */
export function conv2dReference(
  x: ArrayLike<number>,
  xs: Shape4,
  w: ArrayLike<number>,
  a: Conv2dAttrs,
  bias?: ArrayLike<number>,
  res?: ArrayLike<number>,
): Float64Array {
  const ys = conv2dShape(xs, a);
  const out = new Float64Array(ys.n * ys.c * ys.h * ys.w);
  for (let n = 0; n < ys.n; n++) {
    for (let o = 0; o < ys.c; o++) {
      for (let oy = 0; oy < ys.h; oy++) {
        for (let ox = 0; ox < ys.w; ox++) {
          let s = bias ? bias[o]! : 0;
          for (let i = 0; i < xs.c; i++) {
            for (let ky = 0; ky < a.kh; ky++) {
              const iy = oy * a.strideY - a.padT + ky * a.dilY;
              if (iy < 0 || iy >= xs.h) continue;
              for (let kx = 0; kx < a.kw; kx++) {
                const ix = ox * a.strideX - a.padL + kx * a.dilX;
                if (ix < 0 || ix >= xs.w) continue;
                s += x[((n * xs.c + i) * xs.h + iy) * xs.w + ix]! * w[((o * xs.c + i) * a.kh + ky) * a.kw + kx]!;
              }
            }
          }
          const idx = ((n * ys.c + o) * ys.h + oy) * ys.w + ox;
          if (res) s += res[idx]!;
          out[idx] = a.relu ? Math.max(0, s) : s;
        }
      }
    }
  }
  return out;
}

/**
 * What tells convs apart for tiling: the shapes it reads and writes (stored channels) and its kernel geometry.
 * The epilogue is left out: it costs the same under every tiling.
 */
export const convKey = (a: Conv2dAttrs, x: Shape4, y: Shape4): string =>
  `${shapeText(x)}->${y.c}x${y.h}x${y.w} k${a.kh}x${a.kw} s${a.strideY},${a.strideX} d${a.dilY},${a.dilX} p${a.padT},${a.padB},${a.padL},${a.padR}`;

/** A conv's weights: OIHW over its real channels, and its bias if it has one. */
export interface ConvWeights {
  weight: Float32Array;
  bias?: Float32Array;
}

export interface Conv2dOpAttrs extends Conv2dAttrs {
  weights: ConvWeights;
}

/**
 * Inputs: x, and the residual when `residual` is set. The kernel gets weights laid out for the channel groups
 * of its input and output (zero where storage has padding), tiled as the policy says for this conv and device.
 */
export const conv2dOp = defineOp<Conv2dOpAttrs>({
  name: 'conv2d',
  writesWindow: true,
  channels: 'weighted',
  kind: (a) => `conv2d ${a.kh}x${a.kw}`,
  shape(a, [x, res], label) {
    const { weight, bias } = a.weights;
    const expected = a.cout * x!.c * a.kh * a.kw;
    if (weight.length !== expected)
      throw new Error(`${label}: weight has ${weight.length} values, expected [${a.cout}, ${x!.c}, ${a.kh}, ${a.kw}] for input ${shapeText(x!)}`);
    if (bias && bias.length !== a.cout) throw new Error(`${label}: bias has ${bias.length} values, expected ${a.cout}`);
    if (a.bias !== Boolean(bias)) throw new Error(`${label}: attrs.bias is ${a.bias} but a bias is ${bias ? '' : 'not '}given`);
    const y = conv2dShape(x!, a, label);
    if (a.residual !== (res !== undefined)) throw new Error(`${label}: a residual input must be given exactly when attrs.residual is set`);
    if (res && shapeText(res) !== shapeText(y)) throw new Error(`${label}: residual is ${shapeText(res)}, expected ${shapeText(y)}`);
    return y;
  },
  reference: (a, [x, res], [xs]) => conv2dReference(x!, xs!, a.weights.weight, a, a.weights.bias, a.residual ? res : undefined),
  kernel(a, io, env) {
    const [x, res] = io.inputs;
    const y = io.output;
    const t = chooseTiling(env.tiling, y.n * y.h * y.w, y.c, env.subgroupSize, convKey(a, x!, y));
    const w = expandConvWeights(a.weights.weight, a.kh, a.kw, io.inputGroups[0]!, io.outputGroups);
    const weights = env.weights !== 'f32' && exactInF16(w) ? 'f16' : 'f32';
    const call = conv2dKernel({ ...a, cout: y.c }, x!, y, t, {
      ...(res ? { res } : {}),
      maxGroups: env.maxGroups,
      weights,
      ...(env.limits ? { limits: env.limits } : {}),
    });
    const pack = weights === 'f16' ? packConv2dWeightsF16 : packConv2dWeights;
    const bias = a.weights.bias ? packConv2dBias(expandVector(a.weights.bias, io.outputGroups, 0), y.c, t.tn) : undefined;
    return { call, constants: { w: withBias(pack(w, y.c, x!.c, a.kh, a.kw, t.tn), bias) } };
  },
});
