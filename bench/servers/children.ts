/**
 * For benchmark servers made of several processes (an app server and its workers, nginx in
 * front): start each as a child and wait for its ready sign, stop them all on SIGTERM.
 * Children inherit the launcher's CPU pinning, so the whole stack runs on the server's CPUs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

const children: { child: ChildProcess; stopSignal: NodeJS.Signals }[] = [];

/** Options of {@link startChild}. */
export interface ChildOptions {
  timeoutMs?: number;
  /** The signal that stops it at once (uWSGI 2.0 takes SIGTERM as "reload"; SIGINT stops it). */
  stopSignal?: NodeJS.Signals;
}

/** Starts `command args`; resolves once `ready` matches its output (stdout or stderr). */
export function startChild(
  command: string,
  args: readonly string[],
  ready: RegExp,
  { timeoutMs = 15_000, stopSignal = 'SIGTERM' }: ChildOptions = {},
): Promise<RegExpExecArray> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push({ child, stopSignal });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed nothing matching ${ready} in ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n${output.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      // Keep draining the pipes, so a chatty child never blocks on a full one.
      output = '';
      resolve(match);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      onData(chunk);
      process.stderr.write(chunk); // the harness keeps the last few KiB for error messages
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
  });
}

/** Resolves once something accepts connections on the unix socket `path` or TCP `port`. */
export async function waitForSocket(where: string | number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = typeof where === 'number' ? connect(where, '127.0.0.1') : connect(where);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${where} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops every child at once, each with its stop signal; SIGKILL after a second. */
export async function stopChildren(): Promise<void> {
  await Promise.all(
    [...children].reverse().map(
      ({ child, stopSignal }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 1000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill(stopSignal);
        }),
    ),
  );
}
