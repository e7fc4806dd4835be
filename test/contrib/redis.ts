/**
 * Redis for the contrib tests: TEST_REDIS_URL (CI starts a throwaway server, .ci/redis.sh)
 * for the ordinary cases, and servers of a test's own — redis-server children on a free
 * loopback port, no persistence — for outages (killed by PID, started again on the port).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const REDIS_URL = process.env.TEST_REDIS_URL;

/** Whether a redis-server binary is on the PATH. */
export const HAVE_REDIS_SERVER = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Why the Redis cases are skipped, or false to run them. */
export const SKIP_REDIS: string | false = REDIS_URL ? false : 'TEST_REDIS_URL is not set';
export const SKIP_OWN_REDIS: string | false =
  SKIP_REDIS || (HAVE_REDIS_SERVER ? false : 'redis-server is not installed');

/** A key prefix no other test run shares (the server may be shared). */
export function uniquePrefix(label: string): string {
  return `portico-test-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A free loopback port (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** True once something on `port` answers PING with PONG. */
async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** A redis-server child of this test. */
export class OwnRedis {
  readonly port: number;
  #child: ChildProcess | null = null;

  constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server and waits (at most 5 s) until it answers. */
  async start(): Promise<void> {
    this.#child = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (await answers(this.port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) it: a server that accepts but never answers. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.#child?.kill(signal);
  }

  /** Kills it by PID and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child === null || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

/** Starts a server of the test's own on a free port. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const redis = new OwnRedis(await freePort());
  await redis.start();
  return redis;
}
