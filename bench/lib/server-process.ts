/**
 * One server under test in its own child process: started, awaited until it prints its
 * ready line, and stopped (SIGTERM, then SIGKILL) before the next one starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { BenchServer } from '../workloads/types.ts';

const READY = /^ready (http:\/\/\S+)\s*$/m;
const KEEP = 8192;

/** Every child still running, killed if the harness itself dies. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface RunningServer {
  readonly url: string;
  readonly pid: number;
  /** Whether the process has exited (a crash under load). */
  readonly exited: boolean;
  /** The last few KiB of its output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly root: string;
  /** Wraps the command line (CPU pinning). */
  readonly pin: (command: string, args: readonly string[]) => [string, string[]];
  /** Extra `node` flags (`--cpu-prof`...). */
  readonly nodeArgs: readonly string[];
  readonly readyTimeoutMs: number;
}

/** Starts `server` and resolves once it has printed `ready URL`. */
export function startServer(server: BenchServer, options: StartOptions): Promise<RunningServer> {
  const script = path.resolve(options.root, server.script);
  const [command, args] = options.pin(process.execPath, [
    ...options.nodeArgs,
    script,
    '0',
    ...(server.args ?? []),
  ]);
  const child = spawn(command, args, {
    cwd: options.root,
    env: { ...process.env, ...server.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  let exited = false;
  const append = (text: string) => {
    output = (output + text).slice(-KEEP);
  };
  child.stderr.setEncoding('utf8').on('data', append);
  const exit = new Promise<string>((resolve) => {
    child.once('close', (code, signal) => {
      exited = true;
      live.delete(child);
      resolve(String(code ?? signal));
    });
  });

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exit;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    let stdout = '';
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() =>
        reject(new Error(`server ${server.name} (${server.script}) ${why}\n--- its output ---\n${output}`)),
      );
    };
    const timer = setTimeout(
      () => fail(`printed no ready line in ${options.readyTimeoutMs} ms`),
      options.readyTimeoutMs,
    );
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    void exit.then((status) => fail(`exited (${status}) before it was ready`));
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      append(text);
      if (settled) return;
      stdout += text;
      const match = READY.exec(stdout);
      if (match === null) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        url: match[1] as string,
        pid: child.pid as number,
        get exited() {
          return exited;
        },
        output: () => output,
        stop,
      });
    });
  });
}
