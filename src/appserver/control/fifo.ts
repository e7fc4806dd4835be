/**
 * The master FIFO (uWSGI's `master-fifo`): a named pipe that takes one-letter commands,
 * so operators can script the server without pids and signals (`echo r > /run/portico.fifo`).
 *
 * Node has no `mkfifo`, so the FIFO is made with the `mkfifo` command. It is opened
 * read-write: the master then always holds a writer itself, so the open never blocks and
 * reads never see end-of-file between two operators' writes.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { constants, openSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';

/** The commands, as uWSGI names them (the subset that fits Portico's process model). */
export const FIFO_COMMANDS: Readonly<Record<string, string>> = {
  r: 'graceful reload: new workers first, then the old ones finish and stop',
  w: 'graceful reload (as r: workers always load the application themselves)',
  R: 'brutal reload: kill the workers, start new ones',
  W: 'brutal reload (as R)',
  c: 'chain reload: replace the workers one at a time',
  q: 'graceful stop: finish in-flight requests, then exit',
  Q: 'immediate stop',
  '+': 'add a worker',
  '-': 'remove a worker',
  s: 'print stats (the stats JSON) to the log',
  P: 'rewrite the pidfile',
};

/** An open master FIFO. */
export interface MasterFifo {
  close(): void;
}

/**
 * Creates (or reuses) the FIFO at `path` and calls `onCommand` for each command letter
 * written to it; whitespace is skipped.
 */
export function openMasterFifo(path: string, onCommand: (letter: string) => void): MasterFifo {
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch {}
  if (stat !== undefined && !stat.isFIFO()) {
    throw new PorticoError('PORTICO_ERR_CONTROL', `master-fifo ${path} exists and is not a FIFO`);
  }
  if (stat === undefined) {
    try {
      execFileSync('mkfifo', ['-m', '600', path], { stdio: 'pipe' });
    } catch (error) {
      throw new PorticoError(
        'PORTICO_ERR_CONTROL',
        `cannot create master-fifo ${path}: ${(error as Error).message}`,
      );
    }
  }
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const stream = new net.Socket({ fd, readable: true, writable: false });
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    for (const letter of text) if (!/\s/.test(letter)) onCommand(letter);
  });
  stream.unref();
  return {
    close() {
      stream.destroy();
      rmSync(path, { force: true });
    },
  };
}
