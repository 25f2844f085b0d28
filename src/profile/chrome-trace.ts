// A profile as a Chrome trace (the JSON that chrome://tracing and ui.perfetto.dev open): one complete ('X')
// slice per dispatch, laid end to end on one track in forward-pass order. The GPU ran them back to back;
// the gaps between them are not measured, so none are drawn.
import type { ProfileSummary } from './kernel-profile.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  /** microseconds */
  ts?: number;
  dur?: number;
  cat?: string;
  args: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

export function chromeTrace(summary: ProfileSummary, about: Record<string, unknown> = {}): ChromeTrace {
  const pid = 1;
  const tid = 1;
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid, tid, args: { name: 'PraNet forward pass (GPU)' } },
    { name: 'thread_name', ph: 'M', pid, tid, args: { name: `dispatches (${summary.method})` } },
  ];
  let ts = 0;
  for (const r of summary.rows) {
    const dur = r.ms * 1000;
    events.push({
      name: r.name,
      cat: r.op,
      ph: 'X',
      pid,
      tid,
      ts,
      dur,
      args: { op: r.op, shapes: r.shapes, flops: r.flops, bytes: r.bytes, stage: r.stage, gflop_per_s: r.gflopPerS, index: r.index },
    });
    ts += dur;
  }
  return { traceEvents: events, displayTimeUnit: 'ms', otherData: { method: summary.method, ...about } };
}
