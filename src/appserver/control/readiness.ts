/**
 * Telling the outside world about the master: the pidfile, the ready file, and systemd's
 * `NOTIFY_SOCKET` protocol.
 *
 * Node cannot send datagrams on a unix socket, which `sd_notify` needs, so the
 * notification goes through `systemd-notify` (installed with systemd). systemd then only
 * accepts it with `NotifyAccess=all` in the unit, because the sender is a child of the
 * master rather than the master itself.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PorticoError } from '../../tsgi/errors.ts';
import type { Logger } from '../logging/log.ts';

/** Writes `contents` to `path` atomically enough for a watcher: the whole file at once. */
function writeControlFile(path: string, contents: string, what: string): void {
  try {
    writeFileSync(path, contents);
  } catch (error) {
    throw new PorticoError(
      'PORTICO_ERR_CONTROL',
      `cannot write the ${what} ${path}: ${(error as Error).message}`,
    );
  }
}

/** Writes the master's pid. */
export function writePidfile(path: string): void {
  writeControlFile(path, `${process.pid}\n`, 'pidfile');
}

/** Removes the pidfile if it is still ours (a newer master may have taken it over). */
export function removePidfile(path: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
  } catch {}
}

/** What the ready file says. */
export interface ReadyInfo {
  pid: number;
  /** The first socket (an HTTP one when there is one). */
  url: string;
  /** Every socket: `http://…`, `uwsgi://…`, `http+unix:/…`, `uwsgi+unix:/…`. */
  urls: string[];
  workers: number;
  /** The stats server's address, when there is one. */
  stats?: string;
}

/** Writes the ready file (JSON) once every worker listens. */
export function writeReadyFile(path: string, info: ReadyInfo): void {
  writeControlFile(path, `${JSON.stringify(info)}\n`, 'ready file');
}

/** Removes the ready file: the server is no longer ready. */
export function removeReadyFile(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Sends `READY=1`, `STOPPING=1`, `RELOADING=1` or `STATUS=...` to systemd when
 * `NOTIFY_SOCKET` is set; does nothing otherwise.
 */
export function systemdNotify(assignments: string[], log: Logger, env = process.env): void {
  if (!env.NOTIFY_SOCKET) return;
  // --no-block: systemd-notify would otherwise wait on a barrier only a real systemd answers.
  const child = spawn('systemd-notify', ['--no-block', `--pid=${process.pid}`, ...assignments], {
    stdio: 'ignore',
    env,
  });
  child.on('error', (error) =>
    log.warning(`PORTICO_ERR_CONTROL: cannot notify systemd (${assignments.join(' ')}): ${error.message}`),
  );
  child.on('exit', (code) => {
    if (code !== 0)
      log.warning(`PORTICO_ERR_CONTROL: systemd-notify ${assignments.join(' ')} exited ${code}`);
  });
}
