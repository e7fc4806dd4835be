/**
 * The one option schema of `portico serve`: every option's name, type, default and
 * description. It drives the command-line parser, the `PORTICO_<OPTION>` environment
 * variables, config files, the app module's `serverOptions`, `--help` and
 * `--print-config`, so an option cannot exist in one of them and not the others.
 *
 * @module
 */
import { defaultServerOptions } from '../../server/index.ts';
import type { ServerOptions } from '../../server/options.ts';
import { compileAccessLog } from '../logging/access-log.ts';
import {
  type HostPort,
  type MountSpec,
  parseBool,
  parseChoice,
  parseExportSpec,
  parseHostPort,
  parseInteger,
  parseAddressList,
  parseMounts,
  parsePercent,
  parseSeconds,
  parseMode,
  parseSize,
  formatSocketAddress,
  parseSocketList,
  parseStaticMaps,
  type SocketAddress,
  type StaticMapSpec,
} from './values.ts';

/** Who accepts connections: see `--accept` in `docs/appserver.md`. */
export const ACCEPT_MODES = ['master', 'workers'] as const;
/** The HTTP engines (`--http-engine`). */
export const HTTP_ENGINES = ['portico', 'node'] as const;

/** Log levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The TSGI server's own limits, which the app server passes to it under the same names. */
export const SERVER_LIMITS = [
  'limitPost',
  'bufferSize',
  'limitRequestLine',
  'limitRequestFieldSize',
  'limitRequestFields',
  'headerTimeout',
  'keepaliveTimeout',
  'sendTimeout',
  'maxRequestsPerConnection',
  'maxConnections',
  'forwardedAllowIps',
  'engine',
] as const satisfies readonly (keyof ServerOptions)[];

/** The merged configuration of the app server: one field per option, camel-cased. */
export interface AppServerConfig extends Pick<ServerOptions, (typeof SERVER_LIMITS)[number]> {
  app: string | undefined;
  mount: MountSpec[];
  config: string | undefined;
  printConfig: boolean;
  /** HTTP listeners; the default one is dropped when a uwsgi socket is given (see `resolve.ts`). */
  http: SocketAddress[];
  /** uwsgi-protocol listeners. */
  uwsgiSocket: SocketAddress[];
  uwsgiAllow: string[];
  chmodSocket: number;
  /** Every socket's accept queue (`listen()` backlog). */
  listen: number;
  staticMap: StaticMapSpec[];
  workers: number;
  accept: (typeof ACCEPT_MODES)[number];
  harakiri: number;
  maxRequests: number;
  maxRequestsJitter: number;
  reloadOnRss: number;
  gracefulTimeout: number;
  minWorkerLifetime: number;
  maxRapidFailures: number;
  cheaper: number;
  cheaperInitial: number;
  cheaperStep: number;
  cheaperOverload: number;
  cheaperBusynessMax: number;
  cheaperBusynessMin: number;
  pidfile: string | undefined;
  masterFifo: string | undefined;
  stats: HostPort | undefined;
  readyFile: string | undefined;
  accessLog: boolean;
  accessLogFormat: string;
  logLevel: LogLevel;
  onStarting: string | undefined;
  whenReady: string | undefined;
  preFork: string | undefined;
  postFork: string | undefined;
  workerExit: string | undefined;
  onExit: string | undefined;
}

/** How `--help` groups the options. */
export type OptionGroup = 'application' | 'http' | 'processes' | 'cheaper' | 'control' | 'logging' | 'hooks';

/** One option. */
export interface OptionSpec {
  /** The option's name, as on the command line without `--` (`limit-post`). */
  name: string;
  /** The field of {@link AppServerConfig} it sets. */
  key: keyof AppServerConfig;
  group: OptionGroup;
  /** The value's placeholder in `--help` (`SIZE`); absent for booleans. */
  arg?: string;
  /** One-letter alias (`-w`). */
  short?: string;
  /** Other accepted spellings (uWSGI's own names), resolved to `name` everywhere. */
  aliases?: readonly string[];
  /** What the option does, one line. */
  description: string;
  default: unknown;
  /** Turns a raw value (text, or typed from a file) into the config value; throws with a reason. */
  parse: (raw: unknown) => unknown;
  /** Repeatable on the command line; the values accumulate. */
  repeatable?: boolean;
  /** Shows a value as it would be written (for `--help` and `--print-config`); default: as is. */
  format?: (value: unknown) => string;
  /** Only meaningful on the command line or in the environment (not in a file or the module). */
  notInFile?: boolean;
}

const d = defaultServerOptions;
const formatSockets = (value: unknown) => (value as SocketAddress[]).map(formatSocketAddress).join(',');
const hookParse = (raw: unknown) => parseExportSpec(raw);
const str = (raw: unknown) => {
  if (typeof raw !== 'string' || raw === '')
    throw new Error(`${JSON.stringify(raw)} is not a non-empty string`);
  return raw;
};

/** Every option of `portico serve`, in `--help` order. */
export const OPTIONS: readonly OptionSpec[] = [
  // application
  {
    name: 'app',
    key: 'app',
    group: 'application',
    arg: 'MODULE:ATTR',
    description: 'the application (also the first positional argument); ATTR defaults to "application"',
    default: undefined,
    parse: str,
  },
  {
    name: 'mount',
    key: 'mount',
    group: 'application',
    arg: '/PREFIX=MODULE:ATTR',
    description: 'mount an app at PREFIX (its SCRIPT_NAME); repeatable',
    default: [],
    parse: parseMounts,
    repeatable: true,
  },
  {
    name: 'config',
    key: 'config',
    group: 'application',
    arg: 'FILE',
    description: 'read options from a .toml or .json file (command line and environment win over it)',
    default: undefined,
    parse: str,
    notInFile: true,
  },
  {
    name: 'print-config',
    key: 'printConfig',
    group: 'application',
    description: 'print the merged options and where each came from, then exit',
    default: false,
    parse: parseBool,
    notInFile: true,
  },
  // http
  {
    name: 'http',
    key: 'http',
    group: 'http',
    arg: 'ADDRESS',
    description:
      'serve HTTP on HOST:PORT (port 0 picks a free one) or a unix socket path; repeatable; ' +
      'the default only applies when no --uwsgi is given',
    default: [{ host: d.host, port: d.port }],
    parse: parseSocketList,
    repeatable: true,
    format: formatSockets,
  },
  {
    name: 'uwsgi',
    aliases: ['uwsgi-socket', 'socket'],
    key: 'uwsgiSocket',
    group: 'http',
    arg: 'ADDRESS',
    description: 'serve the uwsgi protocol (nginx uwsgi_pass) on HOST:PORT or a unix socket path; repeatable',
    default: [],
    parse: parseSocketList,
    repeatable: true,
    format: formatSockets,
  },
  {
    name: 'uwsgi-allow',
    key: 'uwsgiAllow',
    group: 'http',
    arg: 'LIST',
    description: 'TCP peers allowed on the uwsgi socket: IPs, CIDRs or *',
    default: ['127.0.0.1', '::1'],
    parse: parseAddressList,
  },
  {
    name: 'chmod-socket',
    key: 'chmodSocket',
    group: 'http',
    arg: 'MODE',
    description: 'file mode of every unix socket (HTTP and uwsgi), octal',
    default: 0o660,
    parse: parseMode,
    format: (value) => (value as number).toString(8),
  },
  {
    name: 'listen',
    aliases: ['backlog'],
    key: 'listen',
    group: 'http',
    arg: 'N',
    short: 'l',
    // A full accept queue makes the kernel drop connections: nginx then answers 502.
    description: "each socket's accept queue (listen backlog), capped by net.core.somaxconn",
    default: d.backlog,
    parse: (raw) => parseInteger(raw),
  },
  {
    name: 'static-map',
    key: 'staticMap',
    group: 'application',
    arg: '/PREFIX=DIR',
    description: 'serve the files of DIR under PREFIX before the application; repeatable',
    default: [],
    parse: parseStaticMaps,
    repeatable: true,
  },
  {
    name: 'limit-post',
    key: 'limitPost',
    group: 'http',
    arg: 'SIZE',
    description: 'largest request body, e.g. 16m; larger is a 413; 0: no limit',
    default: d.limitPost,
    parse: parseSize,
  },
  {
    name: 'buffer-size',
    key: 'bufferSize',
    group: 'http',
    arg: 'SIZE',
    description: 'largest request head; larger is a 431',
    default: d.bufferSize,
    parse: parseSize,
  },
  {
    name: 'limit-request-line',
    key: 'limitRequestLine',
    group: 'http',
    arg: 'SIZE',
    description: 'longest request line; longer is a 414; 0: no limit',
    default: d.limitRequestLine,
    parse: parseSize,
  },
  {
    name: 'limit-request-field-size',
    key: 'limitRequestFieldSize',
    group: 'http',
    arg: 'SIZE',
    description: 'longest header line; longer is a 431; 0: no limit',
    default: d.limitRequestFieldSize,
    parse: parseSize,
  },
  {
    name: 'limit-request-fields',
    key: 'limitRequestFields',
    group: 'http',
    arg: 'N',
    description: 'most header fields per request; more is a 431; 0: no limit',
    default: d.limitRequestFields,
    parse: (raw) => parseInteger(raw, 0),
  },
  {
    name: 'header-timeout',
    key: 'headerTimeout',
    group: 'http',
    arg: 'SECONDS',
    description: 'time to send the request head; then 408',
    default: d.headerTimeout,
    parse: parseSeconds,
  },
  {
    name: 'keepalive-timeout',
    key: 'keepaliveTimeout',
    group: 'http',
    arg: 'SECONDS',
    description: 'idle time before a kept-alive connection closes (keep it above your proxy’s)',
    default: d.keepaliveTimeout,
    parse: parseSeconds,
  },
  {
    name: 'send-timeout',
    key: 'sendTimeout',
    group: 'http',
    arg: 'SECONDS',
    description:
      'time a response may wait on a client that reads nothing; then the connection closes; 0: no limit',
    default: d.sendTimeout,
    parse: parseSeconds,
  },
  {
    name: 'http-engine',
    key: 'engine',
    group: 'http',
    arg: 'ENGINE',
    description:
      "what parses HTTP/1.1: portico (Portico's own parser, the default and faster) or node (node:http)",
    default: d.engine,
    parse: (raw) => parseChoice(raw, HTTP_ENGINES),
  },
  {
    name: 'max-requests-per-connection',
    key: 'maxRequestsPerConnection',
    group: 'http',
    arg: 'N',
    description: 'requests on one connection before it closes',
    default: d.maxRequestsPerConnection,
    parse: (raw) => parseInteger(raw),
  },
  {
    name: 'max-connections',
    key: 'maxConnections',
    group: 'http',
    arg: 'N',
    description: 'connections each worker keeps open per socket; past it, 503 and close; 0: no limit',
    default: d.maxConnections,
    parse: (raw) => parseInteger(raw, 0),
  },
  {
    name: 'forwarded-allow-ips',
    key: 'forwardedAllowIps',
    group: 'http',
    arg: 'LIST',
    description: 'peers trusted for X-Forwarded-For/-Proto/-Host: IPs, CIDRs or *',
    default: [...d.forwardedAllowIps],
    parse: parseAddressList,
  },
  // processes
  {
    name: 'workers',
    key: 'workers',
    group: 'processes',
    arg: 'N',
    short: 'w',
    description: 'worker processes (the most, with --cheaper)',
    default: 1,
    parse: (raw) => parseInteger(raw),
  },
  {
    name: 'accept',
    key: 'accept',
    group: 'processes',
    arg: 'WHO',
    description:
      'who accepts connections: workers (each takes them from the shared socket, as uWSGI does) ' +
      'or master (accepts and hands each one round-robin to a worker over IPC)',
    default: 'workers',
    parse: (raw) => parseChoice(raw, ACCEPT_MODES),
  },
  {
    name: 'harakiri',
    key: 'harakiri',
    group: 'processes',
    arg: 'SECONDS',
    description: 'kill and replace a worker whose request runs longer (client gets a 504); 0 is off',
    default: 0,
    parse: parseSeconds,
  },
  {
    name: 'max-requests',
    key: 'maxRequests',
    group: 'processes',
    arg: 'N',
    description: 'retire a worker gracefully after about N requests; 0 is off',
    default: 0,
    parse: (raw) => parseInteger(raw, 0),
  },
  {
    name: 'max-requests-jitter',
    key: 'maxRequestsJitter',
    group: 'processes',
    arg: 'N',
    description: 'add 0..N (random, per worker) to max-requests so workers do not retire together',
    default: 0,
    parse: (raw) => parseInteger(raw, 0),
  },
  {
    name: 'reload-on-rss',
    key: 'reloadOnRss',
    group: 'processes',
    arg: 'MB',
    description: 'retire a worker gracefully once its resident memory passes MB; 0 is off',
    default: 0,
    parse: (raw) => parseInteger(raw, 0),
  },
  {
    name: 'graceful-timeout',
    key: 'gracefulTimeout',
    group: 'processes',
    arg: 'SECONDS',
    description: 'how long a stopping worker may finish in-flight requests before it is killed',
    default: 30,
    parse: parseSeconds,
  },
  {
    name: 'min-worker-lifetime',
    key: 'minWorkerLifetime',
    group: 'processes',
    arg: 'SECONDS',
    description: 'a worker dying sooner than this counts as a rapid failure (respawn is delayed)',
    default: 5,
    parse: parseSeconds,
  },
  {
    name: 'max-rapid-failures',
    key: 'maxRapidFailures',
    group: 'processes',
    arg: 'N',
    description: 'consecutive rapid failures after which the master gives up and exits 1',
    default: 5,
    parse: (raw) => parseInteger(raw),
  },
  // cheaper
  {
    name: 'cheaper',
    key: 'cheaper',
    group: 'cheaper',
    arg: 'N',
    description: 'adaptive workers: keep at least N, grow up to --workers under load; 0 is off',
    default: 0,
    parse: (raw) => parseInteger(raw, 0),
  },
  {
    name: 'cheaper-initial',
    key: 'cheaperInitial',
    group: 'cheaper',
    arg: 'N',
    description: 'workers started with --cheaper (default: the --cheaper minimum)',
    default: 0,
    parse: (raw) => parseInteger(raw, 0),
  },
  {
    name: 'cheaper-step',
    key: 'cheaperStep',
    group: 'cheaper',
    arg: 'N',
    description: 'workers added at once when busy',
    default: 1,
    parse: (raw) => parseInteger(raw),
  },
  {
    name: 'cheaper-overload',
    key: 'cheaperOverload',
    group: 'cheaper',
    arg: 'SECONDS',
    description: 'how often the load is measured and acted on',
    default: 3,
    parse: parseSeconds,
  },
  {
    name: 'cheaper-busyness-max',
    key: 'cheaperBusynessMax',
    group: 'cheaper',
    arg: 'PERCENT',
    description: 'average event-loop busyness above which workers are added',
    default: 50,
    parse: parsePercent,
  },
  {
    name: 'cheaper-busyness-min',
    key: 'cheaperBusynessMin',
    group: 'cheaper',
    arg: 'PERCENT',
    description: 'average event-loop busyness below which a worker is stopped',
    default: 25,
    parse: parsePercent,
  },
  // control
  {
    name: 'pidfile',
    key: 'pidfile',
    group: 'control',
    arg: 'PATH',
    description: "write the master's pid here (removed on exit)",
    default: undefined,
    parse: str,
  },
  {
    name: 'master-fifo',
    key: 'masterFifo',
    group: 'control',
    arg: 'PATH',
    description: 'a FIFO taking uWSGI master-FIFO commands (r c q Q + - s ...; see docs/appserver.md)',
    default: undefined,
    parse: str,
  },
  {
    name: 'stats',
    key: 'stats',
    group: 'control',
    arg: 'HOST:PORT',
    description: 'serve uWSGI-style stats JSON to whoever connects here',
    default: undefined,
    parse: parseHostPort,
  },
  {
    name: 'ready-file',
    key: 'readyFile',
    group: 'control',
    arg: 'PATH',
    description: 'written (JSON: pid, url, workers) once every worker listens; removed on exit',
    default: undefined,
    parse: str,
  },
  // logging
  {
    name: 'access-log',
    key: 'accessLog',
    group: 'logging',
    description: 'log every request to standard output',
    default: false,
    parse: parseBool,
  },
  {
    name: 'access-log-format',
    key: 'accessLogFormat',
    group: 'logging',
    arg: 'FORMAT',
    description: 'combined, common, uwsgi, json, or a format with %(var) variables',
    default: 'combined',
    parse: (raw) => {
      const format = str(raw);
      compileAccessLog(format);
      return format;
    },
  },
  {
    name: 'log-level',
    key: 'logLevel',
    group: 'logging',
    arg: 'LEVEL',
    description: `least severe level logged: ${LOG_LEVELS.join(', ')}`,
    default: 'info',
    parse: (raw) => parseChoice(raw, LOG_LEVELS),
  },
  // hooks
  {
    name: 'on-starting',
    key: 'onStarting',
    group: 'hooks',
    arg: 'MODULE:FN',
    description: 'called in the master before the first worker is forked',
    default: undefined,
    parse: hookParse,
  },
  {
    name: 'when-ready',
    key: 'whenReady',
    group: 'hooks',
    arg: 'MODULE:FN',
    description: 'called in the master once every worker listens',
    default: undefined,
    parse: hookParse,
  },
  {
    name: 'pre-fork',
    key: 'preFork',
    group: 'hooks',
    arg: 'MODULE:FN',
    description: 'called in the master before each worker is forked',
    default: undefined,
    parse: hookParse,
  },
  {
    name: 'post-fork',
    key: 'postFork',
    group: 'hooks',
    arg: 'MODULE:FN',
    description: 'called in each new worker before it loads the application',
    default: undefined,
    parse: hookParse,
  },
  {
    name: 'worker-exit',
    key: 'workerExit',
    group: 'hooks',
    arg: 'MODULE:FN',
    description: 'called in the master when a worker has exited',
    default: undefined,
    parse: hookParse,
  },
  {
    name: 'on-exit',
    key: 'onExit',
    group: 'hooks',
    arg: 'MODULE:FN',
    description: 'called in the master just before it exits',
    default: undefined,
    parse: hookParse,
  },
];

/** The options by name. */
export const OPTIONS_BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(
  OPTIONS.flatMap((o) => [o.name, ...(o.aliases ?? [])].map((name) => [name, o] as const)),
);

/** The configuration with every option at its default. */
export function defaultConfig(): AppServerConfig {
  const config: Record<string, unknown> = {};
  for (const option of OPTIONS) config[option.key] = structuredClone(option.default);
  return config as unknown as AppServerConfig;
}

/** `limitPost`, `limit_post` or `LIMIT_POST` → `limit-post` (the schema's spelling). */
export function normalizeOptionName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/** The environment variable that sets an option: `PORTICO_LIMIT_POST`. */
export function envName(option: string): string {
  return `PORTICO_${option.toUpperCase().replace(/-/g, '_')}`;
}
