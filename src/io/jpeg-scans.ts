// Bounds the work a JPEG's scans ask for. jpeg-js decodes every scan over all blocks of the components it
// names, whatever its size, so a 59-byte progressive scan cost 17 ms and a 2 MB file of them ten minutes.
import { ImageDecodeError } from './decode-error.js';
import type { JpegLayout } from './jpeg-markers.js';

/** libjpeg-turbo's limit in its fuzz targets (TJPARAM_SCANLIMIT); libjpeg's progressive script uses 10. */
export const MAX_SCANS = 500;
/**
 * Times the scans may visit each block of the image, on average. libjpeg's progressive script visits luma
 * blocks 6 times and chroma blocks 4 times; a baseline JPEG visits each once.
 */
export const MAX_BLOCK_PASSES = 32;

export class ScanBudget {
  private readonly blocks = new Map<number, number>();
  private readonly total: number;
  private scans = 0;
  private visits = 0;

  constructor(
    frame: Pick<JpegLayout, 'width' | 'height' | 'components'>,
    private readonly source: string,
  ) {
    const maxH = Math.max(...frame.components.map((c) => c.h));
    const maxV = Math.max(...frame.components.map((c) => c.v));
    const mcusX = Math.ceil(frame.width / (8 * maxH));
    const mcusY = Math.ceil(frame.height / (8 * maxV));
    // Blocks as jpeg-js allocates them: whole MCUs, so an upper bound on what a scan of the component decodes.
    for (const c of frame.components) this.blocks.set(c.id, mcusX * c.h * mcusY * c.v);
    this.total = [...this.blocks.values()].reduce((a, b) => a + b, 0);
  }

  /** Counts the scan whose header (after the length field) is `seg`, found at byte `at`. */
  add(seg: Uint8Array, at: number): void {
    this.scans++;
    if (this.scans > MAX_SCANS) {
      throw new ImageDecodeError(this.source, `JPEG has more than ${MAX_SCANS} scans (scan ${this.scans} at byte ${at}); the limit is ${MAX_SCANS}`);
    }
    const n = seg[0] ?? 0;
    if (seg.length < 1 + 2 * n + 3) throw new ImageDecodeError(this.source, `JPEG scan header at byte ${at} is too short`);
    for (let i = 0; i < n; i++) {
      const blocks = this.blocks.get(seg[1 + 2 * i]!);
      if (blocks === undefined)
        throw new ImageDecodeError(this.source, `JPEG scan at byte ${at} names component ${seg[1 + 2 * i]}, which its frame does not declare`);
      this.visits += blocks;
    }
    if (this.visits > MAX_BLOCK_PASSES * this.total) {
      const passes = Number((this.visits / this.total).toFixed(1));
      throw new ImageDecodeError(
        this.source,
        `JPEG scans would decode its blocks ${passes} times over (scan ${this.scans} at byte ${at}), more than the limit of ${MAX_BLOCK_PASSES} (a progressive JPEG needs about 6)`,
      );
    }
  }
}
