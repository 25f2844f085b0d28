// A small declarative argument parser: each command lists its options with type, default, allowed values and
// help, so `--help` is generated from the same table that parsing checks against, and the parsed options'
// types are inferred from that table (an `int` option with a default is a `number`, one without is
// `number | undefined`, a boolean is a `boolean`, a `choices` option is the union of its values).

interface OptionBase {
  name: string;
  help: string;
  short?: string;
  /** the value's name in help, e.g. FILE */
  meta?: string;
}

export type OptionSpec =
  | (OptionBase & { type: 'string'; default?: string; choices?: readonly string[] })
  | (OptionBase & { type: 'number' | 'int'; default?: number })
  | (OptionBase & { type: 'boolean' });

export interface CommandSpec<Options extends readonly OptionSpec[] = readonly OptionSpec[]> {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  /** names of positional arguments, for help; '...' at the end takes any number */
  positionals: readonly { name: string; help: string; required: boolean; many?: boolean }[];
  examples?: readonly string[];
}

type ValueOf<O extends OptionSpec> = O extends { type: 'boolean' }
  ? boolean
  : O extends { type: 'number' | 'int' }
    ? number
    : O extends { choices: readonly (infer C)[] }
      ? C
      : string;

/** Booleans are false unless given; options with a default always have a value. */
type Parsed<O extends OptionSpec> = O extends { type: 'boolean' } | { default: unknown } ? ValueOf<O> : ValueOf<O> | undefined;

/** The parsed options of a command whose option table is `Options`, keyed by option name. */
export type OptionsOf<Options extends readonly OptionSpec[]> = { [O in Options[number] as O['name']]: Parsed<O> };

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export function parseArgs<const Options extends readonly OptionSpec[]>(
  spec: CommandSpec<Options>,
  argv: readonly string[],
): { options: OptionsOf<Options>; positionals: string[] } {
  const byName = new Map<string, OptionSpec>(spec.options.map((o) => [o.name, o]));
  const byShort = new Map<string, OptionSpec>(spec.options.filter((o) => o.short).map((o) => [o.short!, o]));
  const options: Record<string, string | number | boolean | undefined> = {};
  for (const o of spec.options) options[o.name] = o.type === 'boolean' ? false : o.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let value: string | undefined;
    let option: OptionSpec | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      value = eq >= 0 ? arg.slice(eq + 1) : undefined;
      option = byName.get(name);
      if (!option && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
        options[name.slice(3)] = false;
        continue;
      }
    } else {
      name = arg.slice(1);
      option = byShort.get(name);
    }
    if (!option) throw new UsageError(`unknown option '${arg}'`, spec.name);
    if (option.type === 'boolean') {
      if (value !== undefined) throw new UsageError(`option --${option.name} takes no value`, spec.name);
      options[option.name] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`option --${option.name} needs a value (${option.meta ?? option.type})`, spec.name);
    }
    options[option.name] = convert(option, value, spec.name);
  }
  const required = spec.positionals.filter((p) => p.required).length;
  const many = spec.positionals.some((p) => p.many);
  if (positionals.length < required) {
    const missing = spec.positionals
      .slice(positionals.length)
      .filter((p) => p.required)
      .map((p) => p.name);
    throw new UsageError(`missing ${missing.join(', ')}`, spec.name);
  }
  if (!many && positionals.length > spec.positionals.length) throw new UsageError(`unexpected argument '${positionals[spec.positionals.length]}'`, spec.name);
  // The loop above gave every option of the table a value of its declared type (or its default).
  return { options: options as OptionsOf<Options>, positionals };
}

function convert(o: Exclude<OptionSpec, { type: 'boolean' }>, value: string, command: string): string | number {
  if (o.type === 'string') {
    if (o.choices && !o.choices.includes(value)) throw new UsageError(`option --${o.name} must be one of ${o.choices.join(', ')}; got '${value}'`, command);
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (o.type === 'int' && !Number.isInteger(n))) {
    throw new UsageError(`option --${o.name} needs ${o.type === 'int' ? 'an integer' : 'a number'}, got '${value}'`, command);
  }
  return n;
}

const HELP_OPTION: OptionSpec = { name: 'help', type: 'boolean', help: 'show this help' };

function optionHelp(o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'boolean' ? '' : ` ${o.meta ?? (o.type === 'string' ? 'VALUE' : 'N')}`}`;
  const choices = o.type === 'string' && o.choices ? ` (one of ${o.choices.join(', ')})` : '';
  const def = o.type === 'boolean' || o.default === undefined ? '' : ` (default: ${o.default})`;
  return `  ${flag.padEnd(24)} ${o.help}${choices}${def}`;
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary];
  if (spec.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.help}${p.required ? '' : ' (optional)'}`);
  }
  lines.push('', 'Options:', ...[...spec.options, HELP_OPTION].map(optionHelp));
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
