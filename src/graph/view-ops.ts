// Ops the memory planner realises without a kernel: a channel slice is a view of its input, and a concat's
// parts are written by their producers straight into channel windows of its buffer (graph/planner.ts).
import { shapeText } from '../kernels/layout.js';
import { defineOp } from '../kernels/op.js';

/** Channels [start, end) of the input. */
export const sliceOp = defineOp<{ start: number; end: number }>({
  name: 'slice',
  writesWindow: false,
  channels: 'view',
  shape({ start, end }, [x], label) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > x!.c) {
      throw new Error(`${label}: channel slice [${start}, ${end}) of ${shapeText(x!)} must be non-empty and inside`);
    }
    return { ...x!, c: end - start };
  },
  reference({ start, end }, [x], [xs]) {
    const hw = xs!.h * xs!.w;
    const out = new Float64Array(xs!.n * (end - start) * hw);
    for (let i = 0; i < xs!.n; i++) out.set(x!.subarray((i * xs!.c + start) * hw, (i * xs!.c + end) * hw), i * (end - start) * hw);
    return out;
  },
});

/** The inputs' channels one after the other. */
export const concatOp = defineOp<Readonly<Record<string, never>>>({
  name: 'concat',
  writesWindow: false,
  channels: 'view',
  shape(_, parts, label) {
    if (parts.length === 0) throw new Error(`${label}: concat of nothing`);
    const first = parts[0]!;
    parts.forEach((s, i) => {
      if (s.n !== first.n || s.h !== first.h || s.w !== first.w)
        throw new Error(`${label}: concat input ${i} is ${shapeText(s)}, expected ${first.n}xCx${first.h}x${first.w}`);
    });
    return { ...first, c: parts.reduce((sum, s) => sum + s.c, 0) };
  },
  reference(_, parts, shapes) {
    const { n, h, w } = shapes[0]!;
    const c = shapes.reduce((sum, s) => sum + s.c, 0);
    const hw = h * w;
    const out = new Float64Array(n * c * hw);
    let co = 0;
    parts.forEach((part, p) => {
      const pc = shapes[p]!.c;
      for (let i = 0; i < n; i++) out.set(part.subarray(i * pc * hw, (i + 1) * pc * hw), (i * c + co) * hw);
      co += pc;
    });
    return out;
  },
});
