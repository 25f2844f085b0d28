// `pranet profile`: GPU time of every dispatch of one forward pass, with its work and rate, summed per op
// type and per network stage; optionally a Chrome trace and a JSON file of the same numbers.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromeTrace } from '../../profile/chrome-trace.js';
import { formatProfile } from '../../profile/format.js';
import { timedDispatches } from '../../profile/from-graph.js';
import { summarizeProfile } from '../../profile/kernel-profile.js';
import { measureGemmCeiling } from '../../profile/gemm-ceiling.js';
import { UsageError } from '../args.js';
import { openModel } from '../bench/open-model.js';
import { printGemmCeiling, TIMESTAMPS_TEXT } from '../bench/report.js';
import { benchInput, MODEL_OPTIONS, modelChoice, PRESET_NAMES } from '../bench/weights-choice.js';
import { BACKEND_OPTION, defineCommand, optionInputs, TUNING_OPTION, tuningChoice } from '../command.js';
import type { NamedPath } from '../output-guard.js';
import { sayer } from '../say.js';
import { checkPlannedOutputs } from '../writable.js';
import { isStdout, writeText } from '../write-output.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const profile = defineCommand({
  spec: {
    name: 'profile',
    summary:
      'Profile one forward pass: GPU time of every kernel dispatch (timestamp-query, or the host clock per dispatch where the adapter lacks it), with shapes, GFLOP, GFLOP/s and bytes, summed per op type and per network stage.',
    usage: `pranet profile [--weights FILE | --random ${PRESET_NAMES}] [--size PX] [--batch N] [--top N] [--trace FILE] [--json FILE] [--gemm-ceiling | --gemm-ceiling-gflops X]`,
    positionals: [],
    options: [
      ...MODEL_OPTIONS,
      { name: 'top', type: 'int', meta: 'N', default: 25, help: 'kernel rows to print, slowest first (0 = all)' },
      { name: 'trace', type: 'string', meta: 'FILE', help: "write a Chrome trace (open in ui.perfetto.dev or chrome://tracing; '-': standard output)" },
      { name: 'json', type: 'string', meta: 'FILE', help: "write every kernel row and the summaries as JSON ('-': standard output)" },
      { name: 'dump-wgsl', type: 'string', meta: 'DIR', help: "write every dispatch's complete WGSL module into DIR (NNN-<step>.wgsl, in pass order)" },
      { name: 'gemm-ceiling', type: 'boolean', help: "measure the best GEMM rate of the engine's conv kernel first and show each conv against it" },
      { name: 'gemm-ceiling-gflops', type: 'number', meta: 'X', help: 'show each conv against this GEMM rate (GFLOP/s) instead of measuring it' },
      BACKEND_OPTION,
      TUNING_OPTION,
    ],
    examples: [
      'pranet profile --random official',
      'pranet profile --random tiny --size 64 --top 0 --trace trace.json',
      'pranet profile --weights model.pnw --gemm-ceiling --json profile.json',
      'pranet profile --random tiny --size 64 --dump-wgsl shaders-out/',
    ],
  },
  async run(o) {
    const choice = modelChoice(o, 'profile');
    const { top } = o;
    if (top < 0) throw new UsageError(`--top must be 0 (all) or more, got ${top}`, 'profile');
    const givenCeiling = o['gemm-ceiling-gflops'];
    if (givenCeiling !== undefined && o['gemm-ceiling']) throw new UsageError('give either --gemm-ceiling or --gemm-ceiling-gflops, not both', 'profile');
    if (givenCeiling !== undefined && !(givenCeiling > 0))
      throw new UsageError(`--gemm-ceiling-gflops must be a positive number, got ${givenCeiling}`, 'profile');

    // Outputs are checked before any work: not on the weights, not on each other, writable.
    const outputs: NamedPath[] = (['trace', 'json'] as const).flatMap((k) => (o[k] !== undefined ? [{ path: o[k], what: `--${k}` }] : []));
    const dump = o['dump-wgsl'] !== undefined ? [{ path: o['dump-wgsl'], what: '--dump-wgsl' }] : [];
    const inputs = optionInputs(choice.weights.kind === 'file' ? choice.weights.path : undefined, o.tuning);
    checkPlannedOutputs({ inputs, outputs, outputFolders: dump }, 'profile');
    const say = sayer({ stdoutTaken: outputs.some((f) => isStdout(f.path)) });

    const opened = await openModel(choice, o.backend, tuningChoice(o.tuning));
    const { ctx, cache, model, about } = opened;
    try {
      say(`Device: ${about.device}`);
      let ceiling = givenCeiling;
      if (o['gemm-ceiling']) {
        const r = await measureGemmCeiling(ctx, {}, cache);
        printGemmCeiling(r, say);
        ceiling = r.best.gflopPerS;
      }
      say(`Model: ${about.weights}; ${about.config}`);
      say(`Tiling: ${about.tiling}`);
      if (ctx.features.has('timestamp-query')) say(`Timing: ${TIMESTAMPS_TEXT}`);
      say(`Input: ${about.input}\n`);
      const input = benchInput(choice.batch, choice.size);
      await model.run(input); // warm-up: first-use costs stay out of the profile
      const result = await model.compiled.profile({ image: input });
      const summary = summarizeProfile(timedDispatches(model.compiled, result), result.method, ceiling);
      say(formatProfile(summary, top));

      const run = { device: about.device, weights: about.weights, size: choice.size, batch: choice.batch, tiling: about.tiling };
      if (o.trace) {
        await writeText(o.trace, json(chromeTrace(summary, run)));
        say(`\nwrote Chrome trace ${o.trace} (${summary.rows.length} slices)`);
      }
      if (o.json) {
        const { rows, ...rest } = summary;
        await writeText(o.json, json({ ...run, ...rest, kernels: rows }));
        if (!isStdout(o.json)) say(`wrote ${o.json}`);
      }
      if (o['dump-wgsl']) {
        const shaders = model.compiled.shaders();
        mkdirSync(o['dump-wgsl'], { recursive: true });
        for (const [i, s] of shaders.entries()) {
          const file = `${String(i).padStart(3, '0')}-${s.name.split(':')[0]!.replace(/[^\w.-]+/g, '_')}.wgsl`;
          await writeText(join(o['dump-wgsl'], file), `// ${s.name}\n${s.code}`);
        }
        say(`wrote ${shaders.length} shaders to ${o['dump-wgsl']}`);
      }
      return 0;
    } finally {
      opened.destroy();
    }
  },
});
