// The converter's check before encoding. Folding batchnorm multiplies each conv by weight / sqrt(running_var
// + eps), which can overflow float32, or float16 with --f16, although every value the checkpoint holds is
// finite. Checked here, where the input file and the cause are known (the encoder knows neither).
import { floatToHalfBits } from '../weights/index.js';

const F16_MAX = 65504;

/** Throws, naming `source`, the tensor, the element and the likely cause, unless every value can be stored. */
export function assertFoldedValues(tensors: ReadonlyMap<string, { data: Float32Array }>, f16: boolean, source: string): void {
  for (const [name, { data }] of tensors) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v - v !== 0) {
        // NaN or infinite: the checkpoint's values were finite (readModelCheckpoint), so the folding made it
        let count = 0;
        for (let j = i; j < data.length; j++) if (!Number.isFinite(data[j]!)) count++;
        throw new Error(
          `${source}: folding batchnorm into the convs makes ${count} value(s) of '${name}' non-finite (the first is ${v} at element ${i}): ` +
            `the batchnorm's weight / sqrt(running_var + eps) times the conv weight overflows float32, so the checkpoint's batchnorm statistics or weights are implausible`,
        );
      }
      if (f16 && Math.abs(v) > F16_MAX && (floatToHalfBits(v) & 0x7c00) === 0x7c00) {
        throw new Error(
          `${source}: '${name}' has the value ${v} at element ${i} (after batchnorm folding), beyond float16's range (largest finite is ${F16_MAX}): convert without --f16 to store float32`,
        );
      }
    }
  }
}
