// The fuzzer's child process: runs cases [from, to) of a seed in order and reports each to the parent,
// which watches the clock (a hang cannot be interrupted from inside) and restarts it past a case that
// killed it. Usage (from run.ts): node --expose-gc worker.js SEED FROM TO LIMITS_JSON
import { makeCase } from './cases.js';
import { judge, type Limits } from './judge.js';

export interface CaseReport {
  index: number;
  kind: string;
  verdict: string;
  ms: number;
  growthBytes: number;
  message?: string;
}

const [seed, from, to] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const limits = JSON.parse(process.argv[5]!) as Limits;
for (let i = from; i < to; i++) {
  const c = makeCase(seed, i);
  const outcome = judge(c.kind, c.bytes, `case-${i}`, limits);
  const report: CaseReport = { index: i, kind: c.kind, ...outcome };
  if (outcome.verdict === 'accepted' || outcome.verdict === 'refused') delete report.message;
  process.send!(report);
}
process.disconnect();
