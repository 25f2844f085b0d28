// `pranet tune`: measures conv tilings for a network on this adapter and stores the winner in the adapter's
// tuning table (beside what earlier tunings found for other convs), which `--tuning auto` (every command's
// default) and loadSegmenter then use.
import { PipelineCache } from '../../gpu/pipelines.js';
import { createNodeGpu } from '../../gpu/node-device.js';
import { adapterClass } from '../../kernels/tiling-policy.js';
import { tilingText } from '../../profile/gemm-ceiling.js';
import { describeTable, mergeTables } from '../../tuning/table.js';
import { storedTableOrNone, storeTable } from '../../tuning/store-node.js';
import { tune as runTuner } from '../../tuning/tune.js';
import { UsageError } from '../args.js';
import { adapterText } from '../bench/report.js';
import { describeWeights, loadChosenWeights, MODEL_OPTIONS, modelChoice, PRESET_NAMES } from '../bench/weights-choice.js';
import { BACKEND_OPTION, defineCommand, optionInputs, QUIET_OPTION } from '../command.js';
import { Progress } from '../progress.js';
import { sayer } from '../say.js';
import { checkPlannedOutputs } from '../writable.js';
import { isStdout, writeText } from '../write-output.js';

export const tune = defineCommand({
  spec: {
    name: 'tune',
    summary:
      "Tune conv tilings for this adapter: times candidate tilings for every distinct conv of the network, then compares whole forward passes (the per-conv choice, a few tilings forced on every conv, the defaults) and stores the fastest as this adapter's tuning table.",
    usage: `pranet tune [--weights FILE | --random ${PRESET_NAMES}] [--size PX] [--batch N] [--rounds K] [--candidates N] [--out FILE]`,
    positionals: [],
    options: [
      ...MODEL_OPTIONS.filter((o) => o.name !== 'tiling'),
      { name: 'rounds', type: 'int', meta: 'K', default: 5, help: 'rounds of whole forward passes in the final comparison' },
      { name: 'candidates', type: 'int', meta: 'N', help: 'a quick tuning: at most N candidate tilings per conv and N forced on every conv (default: all)' },
      { name: 'out', type: 'string', meta: 'FILE', help: 'write the table here instead of the cache folder (use it with --tuning FILE)' },
      QUIET_OPTION,
      BACKEND_OPTION,
    ],
    examples: ['pranet tune', 'pranet tune --weights pranet19.pnw', 'pranet tune --random tiny --size 64 --out tiny-table.json'],
  },
  async run(o) {
    const choice = modelChoice({ ...o, tiling: undefined }, 'tune');
    if (o.rounds < 1) throw new UsageError(`--rounds must be at least 1, got ${o.rounds}`, 'tune');
    if (o.candidates !== undefined && o.candidates < 1) throw new UsageError(`--candidates must be at least 1, got ${o.candidates}`, 'tune');
    if (o.out !== undefined) {
      checkPlannedOutputs(
        { inputs: optionInputs(choice.weights.kind === 'file' ? choice.weights.path : undefined), outputs: [{ path: o.out, what: '--out' }] },
        'tune',
      );
    }
    const say = sayer({ quiet: o.quiet, stdoutTaken: isStdout(o.out) });
    const loaded = await loadChosenWeights(choice.weights);
    const ctx = await createNodeGpu({ backend: o.backend, unquantizedTimestamps: true });
    try {
      say(`Device: ${adapterText(ctx)}, a ${adapterClass(ctx.adapter)} adapter`);
      say(`Model: ${describeWeights(choice.weights)}; input ${choice.batch}x3x${choice.size}x${choice.size}`);
      let bar: Progress | undefined;
      let stage = '';
      const result = await runTuner(ctx, new PipelineCache(ctx), loaded, {
        batch: choice.batch,
        size: choice.size,
        rounds: o.rounds,
        ...(o.candidates !== undefined ? { maxCandidates: o.candidates } : {}),
        model: describeWeights(choice.weights),
        onProgress(what, done, total) {
          if (o.quiet) return;
          const kind = what.startsWith('conv') ? 'convs' : 'rounds';
          if (kind !== stage) {
            stage = kind;
            bar = new Progress(total, kind);
          }
          bar!.update(done);
        },
      });
      const { table, convs, skipped } = result;
      say(`\n${convs.length} distinct convs; fastest tiling of each (ms per dispatch, the defaults' tiling first when it ran):`);
      for (const c of convs) {
        const best = c.ms.find((m) => m.tiling === c.best)!;
        say(`  ${c.conv.padEnd(58)} x${String(c.count).padEnd(3)} ${best.ms.toFixed(3).padStart(9)} ms  ${tilingText(c.best)}`);
        for (const f of c.failed) say(`    left out, failed on this adapter: ${tilingText(f.tiling)}: ${f.error.split('\n')[0]}`);
      }
      for (const f of skipped) say(`Forced on every conv, left out: ${tilingText(f.tiling)} failed on this adapter: ${f.error.split('\n')[0]}`);
      say('\nWhole forward passes (median ms):');
      for (const [name, ms] of Object.entries(table.passMs))
        say(`  ${name.padEnd(70)} ${ms.toFixed(2).padStart(10)}${name === table.chosen ? '  <- chosen' : ''}`);
      let kept = table;
      if (o.out) await writeText(o.out, `${JSON.stringify(table, null, 2)}\n`);
      else kept = mergeTables(storedTableOrNone(ctx.adapter, say), table, ctx.adapter);
      const where = o.out ?? (await storeTable(kept, ctx.adapter));
      say(`\nwrote ${where}: ${describeTable(kept)}`);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
