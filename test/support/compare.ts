// Error bounds against float64 references, as the project states them.
import { expect } from 'chai';

export function maxAbs(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]!));
  return m;
}

/** Asserts every element is finite and max |got - ref| <= tol * max |ref|; reports the worst element. */
export function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, `${what}: length`).to.equal(ref.length);
  const scale = maxAbs(ref);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!;
    if (!Number.isFinite(g)) throw new Error(`${what}: element ${i} is ${g} (unwritten or overflow); reference ${ref[i]}`);
    const d = Math.abs(g - ref[i]!);
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  const bound = tol * Math.max(scale, Number.MIN_VALUE);
  if (worst > bound) {
    throw new Error(
      `${what}: max |diff| ${worst.toExponential(3)} at ${at} (got ${got[at]}, ref ${ref[at]}) exceeds ${bound.toExponential(3)} = ${tol} * max|ref| ${scale.toExponential(3)}`,
    );
  }
}

/**
 * A kernel writes its output window only: every channel outside [co, co + roundUp4(c)) of every pixel must
 * still hold the NaN the output buffer was poisoned with (support/run-kernel.ts). In a graph the rest of the
 * row is other tensors (the other parts of a concat), which a write past the window would overwrite.
 */
function expectOutsideWindowUntouched(nhwc: Float32Array, cs: number, co: number, c: number, what: string): void {
  const end = co + Math.ceil(c / 4) * 4;
  for (let p = 0; p < nhwc.length / cs; p++) {
    for (let ch = 0; ch < cs; ch++) {
      if (ch === co) ch = end;
      if (ch >= cs) break;
      const v = nhwc[p * cs + ch];
      if (!Number.isNaN(v)) throw new Error(`${what}: channel ${ch} of pixel ${p}, outside the output window [${co}, ${end}) of ${cs}, was written (${v})`);
    }
  }
}

/** The padding channels [co + c, co + roundUp4(c)) of every pixel must have been written as exact zeros. */
function expectZeroPadding(nhwc: Float32Array, cs: number, co: number, c: number, what: string): void {
  const end = co + Math.ceil(c / 4) * 4;
  for (let p = 0; p < nhwc.length / cs; p++) {
    for (let ch = co + c; ch < end; ch++) {
      const v = nhwc[p * cs + ch];
      if (v !== 0) throw new Error(`${what}: padding channel ${ch} of pixel ${p} is ${v}, expected 0`);
    }
  }
}

/**
 * What a kernel may write of an output row poisoned with NaN: its window, with exact zeros in the window's
 * padding channels, and nothing outside it.
 */
export function expectOutputWindow(nhwc: Float32Array, cs: number, co: number, c: number, what: string): void {
  expectZeroPadding(nhwc, cs, co, c, what);
  expectOutsideWindowUntouched(nhwc, cs, co, c, what);
}
