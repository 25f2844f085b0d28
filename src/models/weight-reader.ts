// Hands a model builder its tensors by key and shape, and collects every missing, mis-shaped and unused
// key, so a bad checkpoint is reported whole in one error instead of one key at a time.

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export type WeightMap = ReadonlyMap<string, NamedTensor>;

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Largest stand-in for a missing or mis-shaped tensor (twice PraNet-19's largest, 2,097,152 values). The
 * expected shape comes from widths the file claims, so a bigger one is more likely a hostile file than a
 * model: the builder stops there and reports what it found so far.
 */
export const MAX_STAND_IN_ELEMENTS = 2 ** 22;

export class WeightReader {
  private readonly used = new Set<string>();
  private readonly problems: string[] = [];
  /** Zeros every stand-in is a view of: the build never writes them and finish() throws them away. */
  private zeros = new Float32Array(0);

  constructor(
    private readonly weights: WeightMap,
    readonly source: string,
  ) {}

  has(key: string): boolean {
    return this.weights.has(key);
  }

  shapeOf(key: string): number[] | undefined {
    return this.weights.get(key)?.shape;
  }

  keys(): IterableIterator<string> {
    return this.weights.keys();
  }

  /** The tensor's values; a missing or mis-shaped key is recorded and zeros of the expected size returned. */
  take(key: string, shape: readonly number[]): Float32Array {
    this.used.add(key);
    const t = this.weights.get(key);
    if (!t) return this.standIn(key, shape, `missing key '${key}' (expected shape ${shapeText(shape)})`);
    const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
    if (!same) return this.standIn(key, shape, `key '${key}' has shape ${shapeText(t.shape)}, expected ${shapeText(shape)}`);
    return t.data;
  }

  /** Records `problem` and returns shared zeros of the expected size, so the build goes on to find the rest. */
  private standIn(key: string, shape: readonly number[], problem: string): Float32Array {
    this.problems.push(problem);
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel > MAX_STAND_IN_ELEMENTS) {
      throw this.error(
        [...this.problems, `(stopped at '${key}': its expected shape ${shapeText(shape)} is too large to go on checking)`],
        this.problems.length,
      );
    }
    if (numel > this.zeros.length) this.zeros = new Float32Array(Math.min(MAX_STAND_IN_ELEMENTS, Math.max(numel, 2 * this.zeros.length)));
    return this.zeros.subarray(0, numel);
  }

  private error(lines: string[], count: number): Error {
    const shown = lines.slice(0, 40);
    const more = lines.length > shown.length ? `\n  ... and ${lines.length - shown.length} more` : '';
    return new Error(
      `${this.source}: the weights do not fit the PraNet architecture (${count} problem${count > 1 ? 's' : ''}):\n  ${shown.join('\n  ')}${more}`,
    );
  }

  /** Throws one error listing every problem, including keys the model never asked for. */
  finish(): void {
    const unexpected = [...this.weights.keys()].filter((k) => !this.used.has(k));
    const all = [...this.problems, ...unexpected.map((k) => `unexpected key '${k}' (shape ${shapeText(this.weights.get(k)!.shape)})`)];
    if (all.length > 0) throw this.error(all, all.length);
  }
}
