// What every `pranet` sub-command provides, and the options several of them share.
import type { NodeGpuOptions } from '../gpu/node-device.js';
import { type CommandSpec, type OptionSpec, type OptionsOf, parseArgs } from './args.js';
import type { TuningChoice } from '../tuning/resolve.js';
import { readTableFile } from '../tuning/store-node.js';
import type { NamedPath } from './output-guard.js';

export interface Command {
  spec: CommandSpec;
  /** parses `argv` by the spec (a UsageError names what is wrong) and runs; returns the process exit code */
  run(argv: readonly string[]): Promise<number>;
}

/** A command whose `run` gets options typed from its own option table. */
export function defineCommand<const Options extends readonly OptionSpec[]>(command: {
  spec: CommandSpec<Options>;
  run(options: OptionsOf<Options>, positionals: string[]): Promise<number>;
}): Command {
  return {
    spec: command.spec,
    run(argv) {
      const { options, positionals } = parseArgs(command.spec, argv);
      return command.run(options, positionals);
    },
  };
}

/** The backends createNodeGpu can be forced to. */
const BACKENDS = ['vulkan', 'opengles', 'opengl'] as const satisfies readonly NonNullable<NodeGpuOptions['backend']>[];

/** Shared option: which Dawn backend to use. */
export const BACKEND_OPTION = {
  name: 'backend',
  type: 'string',
  meta: 'NAME',
  choices: BACKENDS,
  help: 'force a WebGPU backend, as PRANET_BACKEND does',
} as const satisfies OptionSpec;

export const WEIGHTS_OPTION = {
  name: 'weights',
  type: 'string',
  short: 'w',
  meta: 'FILE',
  help: 'weight file (.pnw) or PyTorch checkpoint (.pth, .safetensors); default: the shipped model',
} as const satisfies OptionSpec;

/** Shared option of the commands that print progress. */
export const QUIET_OPTION = {
  name: 'quiet',
  short: 'q',
  type: 'boolean',
  help: 'print no progress and no summary, only errors and warnings',
} as const satisfies OptionSpec;

/** Shared option: which tiling policy (see pranet tune). */
export const TUNING_OPTION = {
  name: 'tuning',
  type: 'string',
  meta: 'auto|none|FILE',
  default: 'auto',
  help: 'conv tilings: auto = the table pranet tune stored for this adapter (else the defaults for its class), none = the defaults, or a table file',
} as const satisfies OptionSpec;

/** --tuning's value as the library takes it (a file is read and checked). */
export function tuningChoice(value: string): TuningChoice {
  if (value === 'auto' || value === 'none') return value;
  try {
    return readTableFile(value);
  } catch (err) {
    throw new Error(`--tuning ${(err as Error).message}`, { cause: err }); // the message starts with the file
  }
}

/** The files --weights and --tuning read, as inputs for the output guard. */
export function optionInputs(weights: string | undefined, tuning?: string, video?: string): NamedPath[] {
  return [
    ...(weights !== undefined ? [{ path: weights, what: '--weights' }] : []),
    ...(tuning !== undefined && tuning !== 'auto' && tuning !== 'none' ? [{ path: tuning, what: '--tuning' }] : []),
    ...(video !== undefined ? [{ path: video, what: '--video' }] : []),
  ];
}
