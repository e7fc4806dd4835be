/**
 * The autoreloader of `portico runserver` (Django's `autoreload`). An ES module cannot be
 * re-imported in place, so the project runs in a child process, started afresh on every
 * change. This process owns the listening socket and hands each connection to the child
 * that is serving: a new child takes over only once it has loaded, so a change that breaks
 * the project leaves the last good version serving until the next change.
 *
 * Only module and template files count as changes (not logs or other output), and each
 * directory is watched itself rather than each file, so editors' atomic saves (a temporary
 * file renamed over the original), deletions and new files are all seen.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import net from 'node:net';
import { basename, join, relative, sep } from 'node:path';
import { PorticoError } from '../tsgi/errors.ts';

/** Changes within this many milliseconds of each other cause one restart (editors save in bursts). */
export const DEBOUNCE_MS = 150;

/** Directories never watched: dependencies, VCS data, build output. */
const IGNORED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'coverage', '.cache']);

/** Files whose change means the code changed: modules, JSON they import, and templates. */
const MODULE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;
const TEMPLATE_FILE = /\.(?:html?|txt|xml|njk|jinja2?|j2)$/;

/** More directories than this are not watched (a project that size has node_modules inside). */
const MAX_DIRS = 2000;

/** Connections waiting for a server (while the first one starts) beyond this are closed. */
const MAX_WAITING = 128;

/** Whether a change to `file` should reload: a module or template, not an editor's scratch file. */
export function isWatchedFile(file: string, templateDirs: readonly string[] = []): boolean {
  const name = basename(file);
  // Emacs lock links (.#views.ts) and other hidden scratch files.
  if (name.startsWith('.#') || name.startsWith('.~')) return false;
  if (MODULE_FILE.test(name) || TEMPLATE_FILE.test(name)) return true;
  return templateDirs.some((dir) => file.startsWith(dir.endsWith(sep) ? dir : dir + sep));
}

/**
 * Watches a directory tree, one watcher per directory (a rename over a file keeps its
 * directory's watcher, where a watcher on the file itself would go stale). New
 * directories are watched as they appear.
 */
export class TreeWatcher {
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #onChange: (file: string) => void;

  constructor(root: string, onChange: (file: string) => void) {
    this.#onChange = onChange;
    this.#add(root);
  }

  #add(dir: string): void {
    if (this.#watchers.has(dir) || this.#watchers.size >= MAX_DIRS) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (name === null) return;
        const file = join(dir, name);
        let isDir = false;
        try {
          isDir = statSync(file).isDirectory();
        } catch {
          // deleted: a change all the same
        }
        if (isDir) {
          if (!IGNORED_DIRS.has(name)) this.#add(file);
          return;
        }
        this.#onChange(file);
      });
    } catch {
      return;
    }
    // A directory that goes away takes its watcher with it.
    watcher.on('error', () => this.#remove(dir));
    this.#watchers.set(dir, watcher);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !IGNORED_DIRS.has(entry.name))
        .map((entry) => entry.name);
    } catch {
      // unreadable: watched, not descended
    }
    for (const entry of entries) this.#add(join(dir, entry));
  }

  #remove(dir: string): void {
    this.#watchers.get(dir)?.close();
    this.#watchers.delete(dir);
  }

  /** How many directories are watched. */
  get size(): number {
    return this.#watchers.size;
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }
}

/** What the reloader runs and watches. */
export interface ReloaderOptions {
  /** The directory watched, recursively. */
  readonly dir: string;
  /** Directories whose every file is a template (changes there reload too). */
  readonly templateDirs: readonly string[];
  /** Where to listen. */
  readonly host: string;
  readonly port: number;
  /** The child's command line (after `node`); the child serves connections sent to it. */
  readonly args: readonly string[];
  /** Extra environment for the child. */
  readonly env: NodeJS.ProcessEnv;
  /** Where this process's own lines go ("changed, reloading"). */
  readonly log: (line: string) => void;
  /** Called once listening, with the URL. */
  readonly onListening: (url: string) => void;
}

/** The message a child sends once it has loaded the project and can take connections. */
export const READY_MESSAGE = 'portico:runserver-ready';
/** The message that carries a connection to the child. */
export const CONNECTION_MESSAGE = 'portico:runserver-connection';

/**
 * Listens, runs the child and replaces it on changes; resolves with the exit code when
 * told to stop (SIGINT/SIGTERM), rejects when it cannot listen.
 */
export async function runWithReloader(options: ReloaderOptions): Promise<number> {
  let current: ChildProcess | null = null;
  let pending: ChildProcess | null = null;
  let timer: NodeJS.Timeout | null = null;
  let changed: string | null = null;
  let stopping = false;
  const waiting: net.Socket[] = [];

  const hand = (socket: net.Socket): void => {
    const child = current;
    if (child === null || !child.connected) {
      if (waiting.length >= MAX_WAITING) socket.destroy();
      else waiting.push(socket);
      return;
    }
    child.send(CONNECTION_MESSAGE, socket, { keepOpen: false }, (error) => {
      if (error) socket.destroy();
    });
  };

  const server = net.createServer({ pauseOnConnect: true }, hand);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
      reject(
        new PorticoError(
          'PORTICO_ERR_LISTEN',
          `cannot listen on ${options.host}:${options.port}: ${reason}`,
          {
            cause: error,
          },
        ),
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  options.onListening(`http://${host}:${address.port}`);

  const retire = (child: ChildProcess): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // A child busy with a long request is not waited for long.
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => clearTimeout(force));
  };

  const start = (): void => {
    const child = spawn(process.execPath, [...options.args], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...options.env },
    });
    if (pending !== null) retire(pending);
    pending = child;
    child.on('message', (message) => {
      if (message !== READY_MESSAGE || pending !== child) return;
      pending = null;
      const previous = current;
      current = child;
      if (previous !== null) retire(previous);
      for (const socket of waiting.splice(0)) hand(socket);
    });
    child.once('exit', () => {
      if (stopping) return;
      if (pending === child) {
        pending = null;
        // The child printed why; this says what happens next.
        options.log(
          current === null
            ? 'portico: the server did not start; waiting for a file change to try again'
            : 'portico: the reload failed; still serving the last good version until the next change',
        );
      } else if (current === child) {
        current = null;
        options.log('portico: the server stopped; waiting for a file change to restart');
      }
    });
  };

  const restart = (): void => {
    timer = null;
    const file = changed;
    changed = null;
    options.log(
      `portico: ${file === null ? 'files' : relative(options.dir, file) || file} changed, reloading`,
    );
    if (!stopping) start();
  };

  const watcher = new TreeWatcher(options.dir, (file) => {
    if (!isWatchedFile(file, options.templateDirs)) return;
    changed = file;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(restart, DEBOUNCE_MS);
  });
  start();
  return new Promise((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      watcher.close();
      if (timer !== null) clearTimeout(timer);
      server.close();
      for (const socket of waiting.splice(0)) socket.destroy();
      const children = [current, pending].filter(
        (child): child is ChildProcess =>
          child !== null && child.exitCode === null && child.signalCode === null,
      );
      let left = children.length;
      if (left === 0) resolve(0);
      for (const child of children) {
        child.once('exit', () => {
          if (--left === 0) resolve(0);
        });
        retire(child);
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
