// `pranet convert`: a PyTorch PraNet checkpoint (.pth legacy or zip, .safetensors) -> the engine's weight file.
import { basename } from 'node:path';
import { convertCheckpoint } from '../../models/convert.js';
import { describeConfig } from '../../models/pranet-config.js';
import { loadSourceBytes } from '../../weights/index.js';
import { UsageError } from '../args.js';
import { defineCommand, QUIET_OPTION } from '../command.js';
import { formatBytes, Progress } from '../progress.js';
import { sayer } from '../say.js';
import { checkPlannedOutputs } from '../writable.js';
import { writeOutput } from '../write-output.js';

export const convert = defineCommand({
  spec: {
    name: 'convert',
    summary:
      "Convert a PyTorch PraNet checkpoint into the engine's weight file: every key and shape is checked (all problems reported at once), batchnorm is folded into the convolutions, values are stored as float32 or float16.",
    usage: 'pranet convert <checkpoint.pth|.safetensors> -o <out.pnw> [--f16]',
    positionals: [{ name: 'checkpoint', help: 'PraNet-19.pth or any checkpoint with the same keys', required: true }],
    options: [
      { name: 'output', short: 'o', type: 'string', meta: 'FILE', help: 'weight file to write (required)' },
      { name: 'f16', type: 'boolean', help: 'store float16 values (half the size)' },
      QUIET_OPTION,
    ],
    examples: ['pranet convert PraNet-19.pth -o pranet19.pnw', 'pranet convert model.safetensors -o model.f16.pnw --f16'],
  },
  async run(o, [input]) {
    if (!o.output) throw new UsageError('missing -o <out.pnw> (the weight file to write)', 'convert');
    const name = input!;
    checkPlannedOutputs({ inputs: [{ path: name, what: 'input' }], outputs: [{ path: o.output, what: '-o' }] }, 'convert');
    const say = sayer({ quiet: o.quiet });
    let progress: Progress | undefined;
    const bytes = await loadSourceBytes(name, (loaded, total) => {
      if (o.quiet || total === undefined || total < 16 << 20) return;
      progress ??= new Progress(Math.ceil(total / (1 << 20)), 'MiB');
      progress.update(Math.floor(loaded / (1 << 20)));
    });
    progress?.finish();
    const result = convertCheckpoint(bytes, { source: name, f16: o.f16 });
    await writeOutput(o.output, result.bytes);
    say(
      `${basename(name)} -> ${o.output}: ${result.tensors} tensors, ${result.parameters.toLocaleString('en-US')} parameters (batchnorm folded), ${o.f16 ? 'float16' : 'float32'}, ${formatBytes(result.bytes.length)}`,
    );
    say(`  ${describeConfig(result.config)}`);
    return 0;
  },
});
