/**
 * `portico serve MODULE:ATTR --http HOST:PORT`: serve TSGI applications over HTTP/1.1.
 */
import { parseArgs } from 'node:util';
import { defaultServerOptions, type Mount, type ServerOptions, serve } from '../server/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
import { loadApp } from './load-app.ts';
import { parseCount, parseHostPort, parseList, parseSeconds, parseSize } from './values.ts';

const d = defaultServerOptions;

/** `--help` for `portico serve`. */
export const serveHelp = `Usage: portico serve [MODULE:ATTR] [options]

Serve a TSGI application (ATTR, default "application", exported by MODULE, a .ts or .js
file) over HTTP/1.1.

Options:
  --http HOST:PORT              address to listen on (default ${d.host}:${d.port})
  --mount /PREFIX=MODULE:ATTR   mount an app at PREFIX (its SCRIPT_NAME); repeatable
  --limit-post SIZE             largest request body, e.g. 16m; larger is a 413 (default ${d.limitPost})
  --buffer-size SIZE            largest request head; larger is a 431 (default ${d.bufferSize})
  --limit-request-line SIZE     longest request line; longer is a 414 (default ${d.limitRequestLine})
  --limit-request-field-size SIZE
                                longest header line; longer is a 431 (default ${d.limitRequestFieldSize})
  --limit-request-fields N      most header fields per request; more is a 431 (default ${d.limitRequestFields})
  --header-timeout SECONDS      time to send the request head; then 408 (default ${d.headerTimeout})
  --keepalive-timeout SECONDS   idle time before a kept-alive connection closes (default ${d.keepaliveTimeout})
  --max-requests-per-connection N
                                requests on one connection before it closes (default ${d.maxRequestsPerConnection})
  --forwarded-allow-ips LIST    peers trusted for X-Forwarded-For/-Proto/-Host: IPs, CIDRs
                                or * (default ${d.forwardedAllowIps.join(',')})
  -h, --help                    show this help

Example:
  portico serve examples/echo/app.ts:application --http 127.0.0.1:8000
`;

/** The options of `serve`, parsed and checked; everything the server needs to start. */
export interface ServePlan {
  mounts: { prefix: string; spec: string }[];
  options: Partial<ServerOptions>;
  help: boolean;
}

/** Parses `serve`'s arguments; throws a usage error naming the bad option. */
export function parseServeArgs(args: string[]): ServePlan {
  let parsed: ReturnType<typeof parseServeArgsRaw>;
  try {
    parsed = parseServeArgsRaw(args);
  } catch (error) {
    throw new PorticoError('PORTICO_ERR_CLI_USAGE', (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { mounts: [], options: {}, help: true };
  if (positionals.length > 1) {
    throw new PorticoError(
      'PORTICO_ERR_CLI_USAGE',
      `one application at the root, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  const mounts = positionals.map((spec) => ({ prefix: '', spec }));
  for (const entry of values.mount ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0 || !entry.startsWith('/')) {
      throw new PorticoError('PORTICO_ERR_CLI_USAGE', `--mount: '${entry}' is not /PREFIX=MODULE:ATTR`);
    }
    mounts.push({ prefix: entry.slice(0, eq), spec: entry.slice(eq + 1) });
  }
  if (mounts.length === 0)
    throw new PorticoError('PORTICO_ERR_CLI_USAGE', 'no application given (MODULE:ATTR or --mount)');
  const options: Partial<ServerOptions> = {};
  if (values.http !== undefined) Object.assign(options, parseHostPort('http', values.http));
  if (values['limit-post'] !== undefined) options.limitPost = parseSize('limit-post', values['limit-post']);
  if (values['buffer-size'] !== undefined)
    options.bufferSize = parseSize('buffer-size', values['buffer-size']);
  if (values['limit-request-line'] !== undefined) {
    options.limitRequestLine = parseSize('limit-request-line', values['limit-request-line']);
  }
  if (values['limit-request-field-size'] !== undefined) {
    options.limitRequestFieldSize = parseSize('limit-request-field-size', values['limit-request-field-size']);
  }
  if (values['limit-request-fields'] !== undefined) {
    options.limitRequestFields = parseCount('limit-request-fields', values['limit-request-fields']);
  }
  if (values['header-timeout'] !== undefined)
    options.headerTimeout = parseSeconds('header-timeout', values['header-timeout']);
  if (values['keepalive-timeout'] !== undefined) {
    options.keepaliveTimeout = parseSeconds('keepalive-timeout', values['keepalive-timeout']);
  }
  if (values['max-requests-per-connection'] !== undefined) {
    options.maxRequestsPerConnection = parseCount(
      'max-requests-per-connection',
      values['max-requests-per-connection'],
    );
  }
  if (values['forwarded-allow-ips'] !== undefined)
    options.forwardedAllowIps = parseList(values['forwarded-allow-ips']);
  return { mounts, options, help: false };
}

function parseServeArgsRaw(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      http: { type: 'string' },
      mount: { type: 'string', multiple: true },
      'limit-post': { type: 'string' },
      'buffer-size': { type: 'string' },
      'limit-request-line': { type: 'string' },
      'limit-request-field-size': { type: 'string' },
      'limit-request-fields': { type: 'string' },
      'header-timeout': { type: 'string' },
      'keepalive-timeout': { type: 'string' },
      'max-requests-per-connection': { type: 'string' },
      'forwarded-allow-ips': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Runs `portico serve`: loads the apps, listens, and stops cleanly on SIGINT/SIGTERM. */
export async function runServe(args: string[]): Promise<void> {
  const plan = parseServeArgs(args);
  if (plan.help) {
    process.stdout.write(serveHelp);
    return;
  }
  const mounts: Mount[] = [];
  for (const { prefix, spec } of plan.mounts) mounts.push({ prefix, app: await loadApp(spec) });
  const server = await serve(mounts, plan.options);
  const where = plan.mounts.map((m) => `${m.prefix || '/'} -> ${m.spec}`).join(', ');
  process.stdout.write(`portico: serving ${where} on ${server.url} (pid ${process.pid})\n`);
  const stop = (signal: string) => {
    process.stdout.write(`portico: ${signal}, finishing in-flight requests\n`);
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
