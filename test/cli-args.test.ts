// The command line's option parser on its own: values typed and checked by the option table, defaults,
// allowed values (`choices`) and the help generated from the same table. The option types are checked by
// the compiler: the @ts-expect-error lines fail the build if an optional option stops being optional.
import { expect } from 'chai';
import { commandHelp, type CommandSpec, type OptionSpec, parseArgs, UsageError } from '../src/cli/args.js';

const OPTIONS = [
  { name: 'runs', type: 'int', meta: 'K', default: 5, help: 'timed runs' },
  { name: 'scale', type: 'number', help: 'a factor' },
  { name: 'json', type: 'string', meta: 'FILE', help: 'write JSON' },
  { name: 'peers', type: 'boolean', help: 'also run the peers' },
  { name: 'backend', type: 'string', meta: 'NAME', choices: ['vulkan', 'opengles', 'opengl'], help: 'force a backend' },
] as const satisfies readonly OptionSpec[];

const SPEC = {
  name: 'demo',
  summary: 'A demo command.',
  usage: 'pranet demo [options] <input>',
  options: OPTIONS,
  positionals: [{ name: 'input', help: 'a file', required: true }],
} satisfies CommandSpec<typeof OPTIONS>;

const parse = (...argv: string[]) => parseArgs(SPEC, argv);
const usageError = (argv: string[]) => {
  try {
    parse(...argv);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`);
};

describe('CLI option parser', () => {
  it('gives every option a value of its declared type: defaults, absent optionals, booleans false unless given', () => {
    const { options, positionals } = parse('in.png');
    const runs: number = options.runs;
    const peers: boolean = options.peers;
    // @ts-expect-error an option without a default may be absent
    const json: string = options.json;
    // @ts-expect-error a number option without a default may be absent
    const scale: number = options.scale;
    expect({ runs, peers, json, scale, backend: options.backend }).to.deep.equal({
      runs: 5,
      peers: false,
      json: undefined,
      scale: undefined,
      backend: undefined,
    });
    expect(positionals).to.deep.equal(['in.png']);
  });

  it('reads given values by type, in both --name value and --name=value forms', () => {
    const { options } = parse('in.png', '--runs', '7', '--scale=0.5', '--json', 'out.json', '--peers', '--backend', 'opengles');
    const backend: 'vulkan' | 'opengles' | 'opengl' | undefined = options.backend;
    expect({ ...options, backend }).to.deep.equal({ runs: 7, scale: 0.5, json: 'out.json', peers: true, backend: 'opengles' });
  });

  it('an option value outside its choices is a usage error naming the option, the allowed values and the value', () => {
    expect(usageError(['in.png', '--backend', 'foo'])).to.equal("option --backend must be one of vulkan, opengles, opengl; got 'foo'");
    expect(usageError(['in.png', '--backend=Vulkan'])).to.equal("option --backend must be one of vulkan, opengles, opengl; got 'Vulkan'");
  });

  it('bad numbers, unknown options, missing values and missing arguments are usage errors', () => {
    expect(usageError(['in.png', '--runs', '2.5'])).to.equal("option --runs needs an integer, got '2.5'");
    expect(usageError(['in.png', '--scale', 'x'])).to.equal("option --scale needs a number, got 'x'");
    expect(usageError(['in.png', '--bogus'])).to.equal("unknown option '--bogus'");
    expect(usageError(['in.png', '--json'])).to.equal('option --json needs a value (FILE)');
    expect(usageError(['in.png', '--peers=yes'])).to.equal('option --peers takes no value');
    expect(usageError([])).to.equal('missing input');
  });

  it('help lists each option with its allowed values and default', () => {
    const help = commandHelp(SPEC);
    expect(help).to.match(/^ {2}--backend NAME +force a backend \(one of vulkan, opengles, opengl\)$/m);
    expect(help).to.match(/^ {2}--runs K +timed runs \(default: 5\)$/m);
    expect(help).to.match(/^ {2}--peers +also run the peers$/m);
  });
});
