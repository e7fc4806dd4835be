/**
 * Running `portico serve` as a real process in tests: start it on a free port, wait for
 * its ready line, read its logs and stats, and always kill it (by pid) afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A running `portico serve`. */
export interface Portico {
  child: ChildProcess;
  pid: number;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves when `pattern` appears in standard error (or standard output), else fails after `ms`. */
  waitFor(pattern: RegExp, ms?: number, stream?: 'stderr' | 'stdout'): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Environment without the caller's PORTICO_ options, so tests see only their own. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PORTICO_')) env[key] = value;
  return { ...env, ...extra };
}

/**
 * Starts `portico serve ARGS --http 127.0.0.1:0` (without that `--http` when `http` is
 * false) and waits for the ready line.
 */
export async function startPortico(
  args: string[],
  options: {
    env?: Record<string, string>;
    readyMs?: number;
    http?: boolean;
    /**
     * Kill it (by pid) when the current test ends (default). Pass false when starting it
     * in a suite's `before` hook, where `after` would fire at the end of the hook: the
     * suite's own `after` must stop it then.
     */
    killAfterTest?: boolean;
    /** The `portico` command to run (default: this checkout's `bin/portico.js`). */
    bin?: string;
  } = {},
): Promise<Portico> {
  const http = options.http === false ? [] : ['--http', '127.0.0.1:0'];
  const child = spawn(process.execPath, [options.bin ?? bin, 'serve', ...args, ...http], {
    cwd: root,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid as number;
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = once(child, 'exit').then(([code, signal]) => {
    clearTimeout(killer);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  if (options.killAfterTest !== false) {
    after(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    });
  }
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const wake of waiters) wake();
  });
  const waitFor = (pattern: RegExp, ms = 10_000, stream: 'stderr' | 'stdout' = 'stderr') =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(stream === 'stderr' ? err : out);
        if (match === null) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
      }, ms);
      waiters.add(check);
      check();
    });
  const ready = await Promise.race([
    // `on URL, URL... (master pid`: the first socket (the first HTTP one, when there is one).
    // Bounded, and generous: a project that migrates several apps on start, on a loaded 2-core CI machine.
    waitFor(/ on ([^\s,]+)[^\n]* \(master pid/, options.readyMs ?? 45_000, 'stdout'),
    exited.then(({ code }) => {
      throw new Error(`portico exited ${code} before ready:\n${err}`);
    }),
  ]);
  return { child, pid, url: ready[1] as string, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Reads the stats server's JSON document. */
export async function readStats(address: string): Promise<StatsDocument> {
  const colon = address.lastIndexOf(':');
  const socket = net.connect(Number(address.slice(colon + 1)), address.slice(0, colon));
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  await once(socket, 'end');
  socket.destroy();
  return JSON.parse(text) as StatsDocument;
}

/** The parts of the stats document tests look at. */
export interface StatsDocument {
  pid: number;
  listen_queue: number;
  workers_target: number;
  workers: {
    id: number;
    pid: number;
    status: string;
    requests: number;
    respawn_count: number;
    harakiri_count: number;
    current_request: { method: string; uri: string; age_ms: number } | null;
    [key: string]: unknown;
  }[];
  [key: string]: unknown;
}

/** Polls `check` every 100 ms until it returns a value, or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A GET that resolves to status and body, never rejects (status 0 on a network error). */
export async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}
