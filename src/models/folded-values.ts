// The converter's check before encoding. Folding batchnorm multiplies each conv by weight / sqrt(running_var
// + eps), which can overflow float32, or float16 with --f16, although every value the checkpoint holds is
// finite. Checked here, where the input file and the cause are known (the encoder knows neither).
import { firstNonFinite, floatToHalfBits, HALF_MAX, isHalfFinite } from '../weights/index.js';

/** Throws, naming `source`, the tensor, the element and the likely cause, unless every value can be stored. */
export function assertFoldedValues(tensors: ReadonlyMap<string, { data: Float32Array }>, f16: boolean, source: string): void {
  for (const [name, { data }] of tensors) {
    // NaN or infinite: the checkpoint's values were finite (readModelCheckpoint), so the folding made it
    const bad = firstNonFinite(data);
    if (bad) {
      throw new Error(
        `${source}: folding batchnorm into the convs makes ${bad.count} value(s) of '${name}' non-finite (the first is ${bad.value} at element ${bad.index}): ` +
          `the batchnorm's weight / sqrt(running_var + eps) times the conv weight overflows float32, so the checkpoint's batchnorm statistics or weights are implausible`,
      );
    }
    if (!f16) continue;
    const i = data.findIndex((v) => Math.abs(v) > HALF_MAX && !isHalfFinite(floatToHalfBits(v)));
    if (i >= 0) {
      throw new Error(
        `${source}: '${name}' has the value ${data[i]} at element ${i} (after batchnorm folding), beyond float16's range (largest finite is ${HALF_MAX}): convert without --f16 to store float32`,
      );
    }
  }
}
