// One-line progress on stderr for long runs: done/total, rate and time left. Quiet when stderr is not a terminal
// except for a line every 10%, so logs stay readable.

export class Progress {
  private readonly start = performance.now();
  private lastPrinted = -1;

  constructor(
    private readonly total: number,
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  private last = -1;

  /** Ends the line at 100% (for totals that updates may not reach, like MiB read). */
  finish(): void {
    if (this.last !== this.total) this.update(this.total);
  }

  update(done: number): void {
    this.last = done;
    const elapsed = (performance.now() - this.start) / 1000;
    // Under a second says little of the rate (an unreadable first file fails in a millisecond).
    const rate = elapsed >= 1 ? done / elapsed : NaN;
    const left = done >= this.total ? 0 : rate > 0 ? (this.total - done) / rate : NaN;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(this.total, 1));
    const bar = `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`;
    const line = `${bar} ${done}/${this.total} ${this.unit}, ${Number.isNaN(rate) ? '?' : rate.toFixed(2)} ${this.unit}/s, ${formatDuration(left)} left`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K${done === this.total ? '\n' : ''}`);
    } else {
      const tenth = Math.floor((10 * done) / Math.max(this.total, 1));
      if (tenth !== this.lastPrinted) {
        this.lastPrinted = tenth;
        this.stream.write(`${line}\n`);
      }
    }
  }

  get seconds(): number {
    return (performance.now() - this.start) / 1000;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}
