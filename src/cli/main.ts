// The `pranet` command line: a thin layer over the library API.
import { ENGINE_VERSION } from '../version.js';
import { commandHelp, UsageError } from './args.js';
import type { Command } from './command.js';
import { handleInterrupts } from './interrupt.js';
import { bench } from './commands/bench.js';
import { convert } from './commands/convert.js';
import { evaluate } from './commands/eval.js';
import { info } from './commands/info.js';
import { profile } from './commands/profile.js';
import { segment } from './commands/segment.js';
import { tune } from './commands/tune.js';

const COMMANDS: Command[] = [segment, evaluate, convert, info, profile, bench, tune];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    'Usage: pranet <command> [options]',
    '',
    'PraNet polyp segmentation on WebGPU, with hand-written WGSL kernels.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)} ${c.spec.summary.split('. ')[0]!.replace(/\.$/, '')}`),
    '',
    'Run `pranet <command> --help` for its options; `pranet --version` prints the version.',
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(`pranet ${ENGINE_VERSION}`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    console.error(`pranet: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}. Try \`pranet --help\`.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command.spec));
    return 0;
  }
  handleInterrupts(name);
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`pranet ${name}: ${err.message}. Try \`pranet ${name} --help\`.`);
      return 2;
    }
    console.error(`pranet ${name}: ${(err as Error).message}`);
    if (process.env.PRANET_DEBUG) console.error((err as Error).stack);
    return 1;
  }
}
