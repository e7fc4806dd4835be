/**
 * The autoreloader of `portico runserver` (Django's `autoreload`): the server runs in a
 * child process; when a file under the project directory changes, the child is stopped
 * and a new one started, so every module is imported afresh (an ES module cannot be
 * re-imported in place).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type FSWatcher, watch } from 'node:fs';
import { relative } from 'node:path';

/** Changes within this many milliseconds of each other cause one restart (editors save in bursts). */
export const DEBOUNCE_MS = 150;

/**
 * Never watched: dependencies, VCS data, build output, and SQLite databases (a project's
 * `db.sqlite3` and its WAL files change on every write, which is no reason to restart).
 */
const IGNORED = /(^|[/\\])(node_modules|\.git|dist|coverage)([/\\]|$)|\.(sqlite3?|db)(-wal|-shm|-journal)?$/;

/** What the reloader runs and watches. */
export interface ReloaderOptions {
  /** The directory watched, recursively. */
  readonly dir: string;
  /** The child's command line (after `node`). */
  readonly args: readonly string[];
  /** Extra environment for the child. */
  readonly env: NodeJS.ProcessEnv;
  /** Where "reloading" lines go. */
  readonly log: (line: string) => void;
}

/** Runs the child and restarts it on changes; resolves with the exit code when told to stop (SIGINT/SIGTERM). */
export function runWithReloader(options: ReloaderOptions): Promise<number> {
  let child: ChildProcess | null = null;
  let timer: NodeJS.Timeout | null = null;
  let changed: string | null = null;
  let stopping = false;

  const start = (): void => {
    const current = spawn(process.execPath, [...options.args], {
      stdio: 'inherit',
      env: { ...process.env, ...options.env },
    });
    child = current;
    current.once('exit', (code, signal) => {
      if (child === current) child = null;
      // Stopped by us (a reload or the end): nothing to say. Stopped by itself (a syntax
      // error, a port in use): keep watching, so saving the fix brings it back.
      if (!stopping && signal === null && code !== 0 && timer === null && changed === null)
        options.log('portico: the server stopped; waiting for a file change to restart');
    });
  };

  const restart = async (): Promise<void> => {
    timer = null;
    const file = changed;
    changed = null;
    options.log(
      `portico: ${file === null ? 'files' : relative(options.dir, file) || file} changed, reloading`,
    );
    await stopChild();
    if (!stopping) start();
  };

  const stopChild = async (): Promise<void> => {
    const current = child;
    if (current === null || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill('SIGTERM');
    // A child that ignores SIGTERM (a busy request) is not waited for long.
    const force = setTimeout(() => current.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  };

  let watcher: FSWatcher;
  try {
    watcher = watch(options.dir, { recursive: true }, (_event, name) => {
      if (name === null || IGNORED.test(name)) return;
      changed = `${options.dir}/${name}`;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => void restart(), DEBOUNCE_MS);
    });
  } catch (error) {
    return Promise.reject(error);
  }
  start();
  return new Promise((resolve) => {
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      watcher.close();
      if (timer !== null) clearTimeout(timer);
      await stopChild();
      resolve(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}
