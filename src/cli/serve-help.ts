/**
 * `portico serve --help`, generated from the option schema so it cannot drift from it.
 */
import { envName, OPTIONS, type OptionGroup, type OptionSpec } from '../appserver/index.ts';

const GROUPS: Record<OptionGroup, string> = {
  application: 'Application',
  http: 'Sockets and HTTP (limits: see docs/server.md)',
  processes: 'Processes',
  cheaper: 'Adaptive workers (cheaper)',
  control: 'Control and readiness',
  logging: 'Logging',
  hooks: 'Lifecycle hooks (MODULE:FN, called with a context object)',
};

function formatDefault(option: OptionSpec): string {
  const value =
    option.format !== undefined && option.default !== undefined
      ? option.format(option.default)
      : option.default;
  if (value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0))
    return '';
  if (value === 0 && option.description.includes('0 is off')) return '';
  if (typeof value === 'object' && value !== null && 'port' in value) {
    const { host, port } = value as { host: string; port: number };
    return ` (default ${host}:${port})`;
  }
  if (Array.isArray(value)) return ` (default ${value.join(',')})`;
  return ` (default ${String(value)})`;
}

/** The help text. */
export function serveHelp(): string {
  const lines = [
    'Usage: portico serve [MODULE:ATTR] [options]',
    '',
    'Serve a TSGI application (ATTR, default "application", exported by MODULE, a .ts or .js',
    'file) with a master process and worker processes.',
  ];
  for (const [group, title] of Object.entries(GROUPS)) {
    lines.push('', `${title}:`);
    for (const option of OPTIONS.filter((o) => o.group === group)) {
      const flag = `${option.short ? `-${option.short}, ` : '    '}--${option.name}${option.arg ? ` ${option.arg}` : ''}`;
      const text = `${option.description}${formatDefault(option)}`;
      if (flag.length <= 32) lines.push(`  ${flag.padEnd(32)}${text}`);
      else lines.push(`  ${flag}`, `  ${''.padEnd(32)}${text}`);
    }
  }
  lines.push(
    '  -h, --help                      show this help',
    '',
    `Every option can also come from the environment (${envName('workers')}=4, ${envName('limit-post')}=64m),`,
    "from a config file (--config portico.toml or .json), or from the app module's",
    'serverOptions export. The command line wins, then the environment, then the file, then',
    'serverOptions, then the defaults; --print-config shows the result and each source.',
    '',
    'Signals to the master: HUP reload, TERM graceful stop, INT/QUIT stop now, TTIN/TTOU add',
    'or remove a worker. See docs/appserver.md.',
    '',
    'Example:',
    '  portico serve examples/echo/app.ts:application --http 127.0.0.1:8000 --workers 4',
    '',
  );
  return lines.join('\n');
}
