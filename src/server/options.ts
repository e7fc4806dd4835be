/**
 * The HTTP server's options, their uWSGI-style names and their defaults.
 *
 * Defaults are chosen to be safe behind a proxy: the keep-alive idle timeout sits above
 * the 60 s that nginx (`keepalive_timeout`) and cloud load balancers use, so the server
 * never closes a connection that the proxy is about to reuse (a classic source of 502s).
 */
import type { ErrorStream } from '../tsgi/types.ts';

/** Options of {@link serve}; every field has a default. */
export interface ServerOptions {
  /** Address to bind. Default `127.0.0.1`. */
  host: string;
  /** Port to bind; 0 picks a free one. Default 8000. */
  port: number;
  /**
   * `listen`: the kernel's queue of connections not yet accepted (capped by
   * `net.core.somaxconn`). Default 1024: a short queue is a known source of 502s behind nginx.
   */
  backlog: number;
  /** `limit-post`: largest request body in bytes; larger is a 413 before the body is read. 0: no limit (as in uWSGI). Default 16 MiB. */
  limitPost: number;
  /** `buffer-size`: largest request head (request line and headers) in bytes; larger is a 431. Default 16 KiB. */
  bufferSize: number;
  /** `limit-request-line`: longest request line (method, target, version) in bytes; longer is a 414. 0: no limit (as in gunicorn; `buffer-size` still bounds the head). Default 4094 (gunicorn's). */
  limitRequestLine: number;
  /** `limit-request-field-size`: longest header field line (`name: value` and CRLF) in bytes; longer is a 431. 0: no limit (`buffer-size` still bounds the head). Default 8190. */
  limitRequestFieldSize: number;
  /** `limit-request-fields`: most header fields in one request; more is a 431. 0: no limit (`buffer-size` still bounds the head). Default 100. */
  limitRequestFields: number;
  /** `header-timeout`: seconds a client has to send the request head; then 408. Default 30. */
  headerTimeout: number;
  /** `keepalive-timeout`: seconds an idle kept-alive connection stays open. Default 75 (above 60). */
  keepaliveTimeout: number;
  /**
   * `send-timeout`: seconds a response may wait on a client that does not read (bytes
   * waiting to be sent, none taken by the kernel); then the connection is closed. 0: no
   * bound. Default 60 (nginx's `send_timeout`).
   */
  sendTimeout: number;
  /**
   * `max-connections`: most connections one listener keeps open at once (gunicorn's
   * `worker_connections`); one past it is answered 503 and closed. 0: no bound (then the
   * process's file-descriptor limit is the bound). Default 1024.
   */
  maxConnections: number;
  /** `max-requests-per-connection`: requests served on one connection before it is closed. Default 1000. */
  maxRequestsPerConnection: number;
  /**
   * `http-engine`: what parses HTTP/1.1. `portico` (default) is Portico's own parser on
   * `node:net`, the faster; `node` is `node:http` (llhttp), for whoever wants Node's parser.
   */
  engine: 'portico' | 'node';
  /** `forwarded-allow-ips`: peers whose X-Forwarded-* headers are trusted (IPs, CIDRs, or `*`). */
  forwardedAllowIps: string[];
  /** Where `tsgi.errors` and the server's error log go. Default: standard error. */
  errors: ErrorStream;
  /** `tsgi.multiprocess`: true when other processes serve the same app (set by the app server). */
  multiprocess: boolean;
}

const MiB = 1024 * 1024;

/** The defaults, in one place so docs and `--help` can quote them. */
export const defaultServerOptions: Readonly<Omit<ServerOptions, 'errors'>> = Object.freeze({
  host: '127.0.0.1',
  port: 8000,
  backlog: 1024,
  limitPost: 16 * MiB,
  bufferSize: 16 * 1024,
  limitRequestLine: 4094,
  limitRequestFieldSize: 8190,
  limitRequestFields: 100,
  headerTimeout: 30,
  keepaliveTimeout: 75,
  sendTimeout: 60,
  maxRequestsPerConnection: 1000,
  maxConnections: 1024,
  engine: 'portico',
  forwardedAllowIps: ['127.0.0.1', '::1'],
  multiprocess: false,
});

/** A standard-error stream for `tsgi.errors`. */
export const stderrStream: ErrorStream = {
  write(text: string) {
    process.stderr.write(text);
  },
  flush() {},
};

/** Fills every missing option with its default. */
export function resolveServerOptions(partial: Partial<ServerOptions> = {}): ServerOptions {
  const merged = { ...defaultServerOptions, errors: stderrStream };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged as ServerOptions;
}
