// The device run's numbers on one page: reads what tools/device/run.sh wrote into the folder given and prints
// the adapter, the tuning, batch-1 latency of every system (defaults and tuned), batch throughput (engine and
// PyTorch), where the time goes, and the frame path at 1080p.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, batch = '16'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node tools/device/summary.mjs OUT_DIR [BATCH]');
  process.exit(2);
}
const lines = [];
const read = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
// A step cut off by its time limit can leave an empty or half-written file: it is named, and the rest of the
// page is still written.
const json = (f) => {
  const t = read(f);
  if (t === undefined) return undefined;
  try {
    return JSON.parse(t);
  } catch (e) {
    lines.push(`${f}: not read (${t.trim() === '' ? 'empty' : e.message})`);
    return undefined;
  }
};
const ms = (v) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
const info = read('info.txt');
if (info) lines.push(...info.split('\n').filter((l) => /^Adapter:|^ {2}(vendor|backend|class):|^Tiling:/.test(l)));
const nvidia = read('nvidia-smi.txt');
if (nvidia) lines.push(`nvidia-smi: ${nvidia.trim().split('\n').slice(1).join('; ')}`);
for (const preset of ['official', 'compact', 'tiny']) {
  for (const [file, what] of [
    [`table-${preset}.json`, preset],
    [`table-${preset}-batch${batch}.json`, `${preset} at batch ${batch}`],
  ]) {
    const table = json(file);
    if (!table) continue;
    lines.push(`\n${what}: tuning chose "${table.chosen}"; whole-pass medians (ms):`);
    for (const [name, v] of Object.entries(table.passMs)) lines.push(`  ${name.padEnd(64)} ${ms(v)}`);
  }
  for (const tiling of ['defaults', 'tuned']) {
    const b = json(`bench-${preset}-${tiling}.json`);
    if (!b) continue;
    const engine = b.results.find((r) => r.name === 'engine');
    lines.push(`${preset}, batch 1, ${tiling} (${b.tiling}):`);
    for (const r of b.results)
      lines.push(
        `  ${r.name.padEnd(11)} ${ms(r.median_ms).padStart(8)} ms${r === engine ? '' : `  = ${(r.median_ms / engine.median_ms).toFixed(2)}x the engine's time`}`,
      );
  }
  for (const [batchFile, what] of [
    ['defaults', 'defaults'],
    ['tuned', 'tuned at batch 1'],
    [`tuned${batch}`, `tuned at batch ${batch}`],
  ]) {
    const b = json(`bench-${preset}-batch${batch}-${batchFile}.json`);
    if (b) {
      const e = b.results[0];
      lines.push(`${preset}, batch ${batch}, engine ${what}: ${ms(e.median_ms)} ms per batch = ${((1000 * Number(batch)) / e.median_ms).toFixed(1)} images/s`);
    }
  }
  for (const [file, what] of [
    [`profile-${preset}.txt`, `${preset} profile`],
    [`profile-${preset}-batch${batch}.txt`, `${preset} profile, batch ${batch}`],
  ]) {
    const prof = read(file);
    if (prof)
      lines.push(
        ...prof
          .split('\n')
          .filter((l) => /^Total GPU time|^Timing:|^Tiling:/.test(l))
          .map((l) => `${what}: ${l}`),
      );
  }
}
{
  const t = json(`torch-batch${batch}.json`);
  if (t) lines.push(`PyTorch eager fp32 (${t.device}), batch ${t.batch}: ${ms(t.median_ms)} ms per batch = ${t.images_per_s.toFixed(1)} images/s`);
}
{
  const f = json('bench-frames.json');
  if (f)
    lines.push(
      `Frame path, built-in model, ${f.video.width}x${f.video.height} generated frames: ${f.end_to_end_fps.toFixed(1)} frames/s end to end, network alone ${f.network_fps.toFixed(1)} frames/s (${(100 * f.ratio).toFixed(0)}%)`,
    );
}
console.log(lines.join('\n'));
