/**
 * The small option parser of the project commands (`check`, `routes`, `runserver`):
 * `--name VALUE`, `--name=VALUE` and flags; anything else is a usage error.
 */
import { PorticoError } from '../tsgi/errors.ts';
import { didYouMean } from '../tsgi/index.ts';

/** What a command accepts: options taking a value, and flags. */
export interface OptionSpec {
  readonly values: readonly string[];
  readonly flags: readonly string[];
  /** How many positional arguments are allowed. Default 0. */
  readonly positionals?: number;
}

/** Parsed options: values by name, flags as `true`, and the positionals. */
export interface ParsedOptions {
  readonly values: Readonly<Record<string, string>>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

function usage(command: string, message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_CLI_USAGE', `${command}: ${message} (try portico ${command} --help)`);
}

/** Parses `args` for `command`; `-h` is the `help` flag. */
export function parseOptions(command: string, args: readonly string[], spec: OptionSpec): ParsedOptions {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-h' || arg === '--help') {
      flags.add('help');
      continue;
    }
    if (!arg.startsWith('--')) {
      if (positionals.length >= (spec.positionals ?? 0)) throw usage(command, `unexpected argument '${arg}'`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq !== -1) throw usage(command, `--${name} takes no value`);
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw usage(command, `--${name} needs a value`);
      values[name] = value;
    } else {
      const guess = didYouMean(name, [...spec.values, ...spec.flags, 'help'], '--');
      throw usage(command, `unknown option '--${name}'${guess}`);
    }
  }
  return { values, flags, positionals };
}
