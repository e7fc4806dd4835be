/**
 * The app server's own log (the error log): one line per event on standard error, with
 * the time, the process and a level, so master and worker lines interleave readably:
 *
 * ```
 * 2026-11-21T19:39:49.298Z portico[master 4242] info: worker 1 (pid 4243) ready
 * ```
 *
 * @module
 */
import { describeError } from '../../tsgi/log.ts';
import { LOG_LEVELS, type LogLevel } from '../config/schema.ts';

/** A leveled logger. */
export interface Logger {
  readonly level: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  /** An error, with its code first when it has one, and its cause chain. */
  error(message: string, error?: unknown): void;
  critical(message: string, error?: unknown): void;
  /** True when lines of `level` are written. */
  enabled(level: LogLevel): boolean;
}

/**
 * Creates a logger for this process (`who`: `master`, `worker 3`). Lines go out with one
 * synchronous write each, so lines from several processes never interleave mid-line.
 */
export function createLogger(
  who: string,
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) >= threshold;
  const emit = (l: LogLevel, message: string, error?: unknown) => {
    if (!enabled(l)) return;
    const detail = error === undefined ? '' : `: ${describeError(error)}`;
    write(`${new Date().toISOString()} portico[${who} ${process.pid}] ${l}: ${message}${detail}\n`);
  };
  return {
    level,
    enabled,
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warning: (m) => emit('warning', m),
    error: (m, e) => emit('error', m, e),
    critical: (m, e) => emit('critical', m, e),
  };
}
