// A small declarative argument parser: each command lists its options with type, default and help, so
// `--help` is generated from the same table that parsing checks against.

export type OptionType = 'string' | 'number' | 'int' | 'boolean';

export interface OptionSpec {
  name: string;
  type: OptionType;
  help: string;
  default?: string | number | boolean;
  short?: string;
  /** the value's name in help, e.g. FILE */
  meta?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** names of positional arguments, for help; '...' at the end takes any number */
  positionals: { name: string; help: string; required: boolean; many?: boolean }[];
  examples?: string[];
}

export type ParsedOptions = Record<string, string | number | boolean | undefined>;

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): { options: ParsedOptions; positionals: string[] } {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const byShort = new Map(spec.options.filter((o) => o.short).map((o) => [o.short!, o]));
  const options: ParsedOptions = {};
  for (const o of spec.options) options[o.name] = o.default;
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
    let spec_: OptionSpec | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      value = eq >= 0 ? arg.slice(eq + 1) : undefined;
      spec_ = byName.get(name);
      if (!spec_ && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
        options[name.slice(3)] = false;
        continue;
      }
    } else {
      name = arg.slice(1);
      spec_ = byShort.get(name);
    }
    if (!spec_) throw new UsageError(`unknown option '${arg}'`, spec.name);
    if (spec_.type === 'boolean') {
      if (value !== undefined) throw new UsageError(`option --${spec_.name} takes no value`, spec.name);
      options[spec_.name] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`option --${spec_.name} needs a value (${spec_.meta ?? spec_.type})`, spec.name);
    }
    options[spec_.name] = convert(spec_, value, spec.name);
  }
  const required = spec.positionals.filter((p) => p.required).length;
  const many = spec.positionals.some((p) => p.many);
  if (positionals.length < required) {
    const missing = spec.positionals.slice(positionals.length).filter((p) => p.required).map((p) => p.name);
    throw new UsageError(`missing ${missing.join(', ')}`, spec.name);
  }
  if (!many && positionals.length > spec.positionals.length) throw new UsageError(`unexpected argument '${positionals[spec.positionals.length]}'`, spec.name);
  return { options, positionals };
}

function convert(o: OptionSpec, value: string, command: string): string | number {
  if (o.type === 'string') return value;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (o.type === 'int' && !Number.isInteger(n))) {
    throw new UsageError(`option --${o.name} needs ${o.type === 'int' ? 'an integer' : 'a number'}, got '${value}'`, command);
  }
  return n;
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary];
  if (spec.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.help}${p.required ? '' : ' (optional)'}`);
  }
  lines.push('', 'Options:');
  for (const o of [...spec.options, { name: 'help', type: 'boolean', help: 'show this help' } as OptionSpec]) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'boolean' ? '' : ` ${o.meta ?? (o.type === 'string' ? 'VALUE' : 'N')}`}`;
    const def = o.default === undefined || o.default === false ? '' : ` (default: ${o.default})`;
    lines.push(`  ${flag.padEnd(24)} ${o.help}${def}`);
  }
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
