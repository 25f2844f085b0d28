// Hands a model builder its tensors by key and shape, and collects every missing, mis-shaped and unused
// key, so a bad checkpoint is reported whole in one error instead of one key at a time.

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export type WeightMap = ReadonlyMap<string, NamedTensor>;

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

export class WeightReader {
  private readonly used = new Set<string>();
  private readonly problems: string[] = [];

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
    const numel = shape.reduce((a, b) => a * b, 1);
    if (!t) {
      this.problems.push(`missing key '${key}' (expected shape ${shapeText(shape)})`);
      return new Float32Array(numel);
    }
    const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
    if (!same) {
      this.problems.push(`key '${key}' has shape ${shapeText(t.shape)}, expected ${shapeText(shape)}`);
      return new Float32Array(numel);
    }
    return t.data;
  }

  /** Throws one error listing every problem, including keys the model never asked for. */
  finish(): void {
    const unexpected = [...this.weights.keys()].filter((k) => !this.used.has(k));
    const all = [...this.problems, ...unexpected.map((k) => `unexpected key '${k}' (shape ${shapeText(this.weights.get(k)!.shape)})`)];
    if (all.length > 0) {
      const shown = all.slice(0, 40);
      const more = all.length > shown.length ? `\n  ... and ${all.length - shown.length} more` : '';
      throw new Error(
        `${this.source}: the weights do not fit the PraNet architecture (${all.length} problem${all.length > 1 ? 's' : ''}):\n  ${shown.join('\n  ')}${more}`,
      );
    }
  }
}
