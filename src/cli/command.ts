// What every `pranet` sub-command provides.
import type { CommandSpec, ParsedOptions } from './args.js';

export interface Command {
  spec: CommandSpec;
  /** returns the process exit code */
  run(options: ParsedOptions, positionals: string[]): Promise<number>;
}

/** Shared option: which Dawn backend to use. */
export const BACKEND_OPTION = { name: 'backend', type: 'string', meta: 'NAME', help: 'force a WebGPU backend: vulkan, opengles or opengl (also PRANET_BACKEND)' } as const;

export const WEIGHTS_OPTION = { name: 'weights', type: 'string', short: 'w', meta: 'FILE', help: 'weight file (.pnw) or PyTorch checkpoint (.pth, .safetensors); default: the shipped model' } as const;
