/**
 * The access log: one line per request on standard output, in a format made of uWSGI's
 * `%(var)` variables, one of the presets (`combined`, `common`, `uwsgi`), or JSON lines.
 *
 * @module
 */
import { headerNameOf } from '../../tsgi/headers.ts';
import { escapeLogValue } from '../../tsgi/log.ts';

/** What is known about a finished request. */
export interface AccessRecord {
  method: string;
  uri: string;
  proto: string;
  status: number;
  addr: string;
  /** Request headers, lower-cased names (Node's `req.headers`). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Bytes of the whole response on the wire. */
  rsize: number;
  /** Bytes of the response head (status line and headers). */
  hsize: number;
  /** Start, milliseconds since the epoch. */
  startMs: number;
  /** Duration, microseconds. */
  micros: number;
  pid: number;
  wid: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Apache's `[10/Oct/2000:13:55:36 +0000]` date, in UTC. */
function apacheTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function header(record: AccessRecord, name: string): string {
  const value = record.headers[name];
  if (value === undefined) return '-';
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The variables, named as uWSGI's `log-format` names them. */
const VARIABLES: Record<string, (r: AccessRecord) => string | number> = {
  method: (r) => r.method,
  uri: (r) => r.uri,
  proto: (r) => r.proto,
  status: (r) => r.status,
  addr: (r) => r.addr,
  user: () => '-',
  host: (r) => header(r, 'host'),
  uagent: (r) => header(r, 'user-agent'),
  referer: (r) => header(r, 'referer'),
  cl: (r) => header(r, 'content-length'),
  size: (r) => Math.max(0, r.rsize - r.hsize),
  hsize: (r) => r.hsize,
  rsize: (r) => r.rsize,
  headers: (r) => Object.keys(r.headers).length,
  micros: (r) => Math.round(r.micros),
  msecs: (r) => Math.round(r.micros / 1000),
  secs: (r) => (r.micros / 1e6).toFixed(6),
  time: (r) => Math.floor(r.startMs / 1000),
  epoch: () => Math.floor(Date.now() / 1000),
  tmsecs: (r) => Math.floor(r.startMs),
  tmicros: (r) => Math.floor(r.startMs * 1000),
  ctime: (r) => new Date(r.startMs).toUTCString(),
  ltime: (r) => apacheTime(r.startMs),
  ftime: (r) => new Date(r.startMs).toISOString(),
  pid: (r) => r.pid,
  wid: (r) => r.wid,
};

/** The named formats. */
export const ACCESS_LOG_PRESETS: Readonly<Record<string, string>> = {
  common: '%(addr) - %(user) [%(ltime)] "%(method) %(uri) %(proto)" %(status) %(size)',
  combined:
    '%(addr) - %(user) [%(ltime)] "%(method) %(uri) %(proto)" %(status) %(size) "%(referer)" "%(uagent)"',
  uwsgi:
    '[pid: %(pid)|wid: %(wid)] %(addr) () {%(headers) headers} [%(ctime)] %(method) %(uri) => generated %(rsize) bytes in %(msecs) msecs (%(proto) %(status)) %(hsize) bytes of headers',
};

/** The names a format may use: the variables above and `var.HTTP_<HEADER>`. */
export const ACCESS_LOG_VARIABLES: readonly string[] = Object.keys(VARIABLES);

function jsonLine(r: AccessRecord): string {
  return JSON.stringify({
    time: new Date(r.startMs).toISOString(),
    pid: r.pid,
    wid: r.wid,
    addr: r.addr,
    method: r.method,
    uri: r.uri,
    proto: r.proto,
    status: r.status,
    size: Math.max(0, r.rsize - r.hsize),
    msecs: Math.round(r.micros / 1000),
    host: r.headers.host ?? null,
    referer: r.headers.referer ?? null,
    uagent: r.headers['user-agent'] ?? null,
  });
}

/** A variable's text for a text-format line: wire values escaped (see {@link escapeLogValue}). */
const escaped =
  (variable: (r: AccessRecord) => string | number) =>
  (r: AccessRecord): string | number => {
    const value = variable(r);
    return typeof value === 'string' ? escapeLogValue(value) : value;
  };

/**
 * Compiles a format (a preset name, `json`, or text with `%(var)`) into a function that
 * turns a record into one line, newline included. An unknown variable throws, naming it.
 */
export function compileAccessLog(format: string): (record: AccessRecord) => string {
  if (format === 'json') return (r) => `${jsonLine(r)}\n`;
  const text = ACCESS_LOG_PRESETS[format] ?? format;
  const parts: ((r: AccessRecord) => string | number)[] = [];
  let last = 0;
  for (const match of text.matchAll(/%\(([\w.-]+)\)/g)) {
    const literal = text.slice(last, match.index);
    parts.push(() => literal);
    const name = match[1] as string;
    const variable = VARIABLES[name];
    if (variable !== undefined) parts.push(escaped(variable));
    else if (/^var\.HTTP_[A-Z0-9_]+$/.test(name)) {
      const headerName = headerNameOf(name.slice('var.'.length)) as string;
      parts.push(escaped((r) => header(r, headerName)));
    } else {
      throw new Error(`unknown variable %(${name}) (known: ${ACCESS_LOG_VARIABLES.join(', ')}, var.HTTP_*)`);
    }
    last = match.index + match[0].length;
  }
  const tail = text.slice(last);
  parts.push(() => tail);
  return (r) => {
    let line = '';
    for (const part of parts) line += part(r);
    return `${line}\n`;
  };
}
