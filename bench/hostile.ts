/**
 * `hostile`: what abusive clients cost each engine, with numbers. For each engine
 * `portico serve` runs one worker (bench/servers/hostile-app.ts; header-timeout,
 * keepalive-timeout and send-timeout 5 s), and each attack runs for a bounded time while a
 * well-behaved client sends one request at a time on a kept-alive connection:
 *
 * - slowloris: 1,000 connections trickling a request head, one byte a second;
 * - crlf: 200 kept-alive connections sending an empty line every 500 ms;
 * - chunks: 20 connections streaming 1-byte chunks (no extensions) to an app that does not read
 *   (each is closed within ~0.1 s: a closed one is replaced by a new one for 5 s);
 * - chunk-ext: the same with 1,000-byte chunk extensions;
 * - chunks-read: 20 connections streaming 1-byte chunks for 5 s to an app that reads the body;
 * - chunks-read-1: the same from one connection (what a single client can make the worker hold);
 * - no-read: 50 connections asking for 8 MiB and never reading (send-timeout 5 s);
 * - pipeline: 10,000 pipelined GETs on one connection.
 *
 * Reported per attack: how long the bad connections took to be closed (median and max,
 * against the timeout that should close them), the server's peak RSS growth over its
 * idle RSS (read from /proc), the good client's p99 latency against an idle server's (and
 * how many requests it made), and how long the server's event loop stalled meanwhile
 * (bench/lib/stalls.ts: a slow good client with short stalls is the CPU going elsewhere).
 *
 * `floor` (bench/servers/hostile-floor.ts) is bare `node:net` under the same floods, bytes
 * counted and never decoded: the least any Node server pays under them on this machine.
 *
 * The server runs pinned to one CPU; the attack runs in a child process of its own at
 * `nice 19` on the other CPU, beside this process (the good client and the samplers), so the
 * good client measures the server's fairness, not the attacker's hold on a shared CPU.
 *
 * Run: `node bench/hostile.ts [--engines portico,node,floor] [--only NAME,…] [--profile DIR]
 * [--node-flags='--trace-gc …'] [--sustain MS]` (Linux; loopback only; about two minutes).
 * `--profile`: the server's CPU profile, for its longest tasks; `--node-flags`: more flags for
 * the server's node; `--sustain`: how long the `chunks` floods go on (0: the first 20 only).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { detectPinning, LOAD_CPUS, pinned, SERVER_CPUS } from './lib/pin.ts';

const USAGE =
  "Usage: node bench/hostile.ts [--engines portico,node,floor] [--only NAME,...] [--profile DIR] [--node-flags='...'] [--sustain MS]\n";

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  engines: { type: 'string', default: 'portico,node,floor' },
  only: { type: 'string' },
  // A folder for the server's CPU profile (node --cpu-prof, sampled every 100 µs).
  profile: { type: 'string' },
  // More flags for the server's node (space-separated), e.g. `--trace-gc`.
  'node-flags': { type: 'string' },
  // How long (ms) the `chunks` floods go on, closed connections replaced (0: the first 20 only).
  sustain: { type: 'string', default: '5000' },
  // Internal: run one attack in this process (the attacker child) and print its result.
  attack: { type: 'string' },
  port: { type: 'string' },
  'server-pid': { type: 'string' },
  engine: { type: 'string' },
} as const;

function parseOptions() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (error) {
    process.stderr.write(`hostile: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const { values } = parseOptions();
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

let serverPid = 0;

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

interface Server {
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** How long its event loop stalled since the last call (bench/lib/stalls.ts). */
  stalls(): Promise<string>;
}

/**
 * `portico serve` with one worker, pinned to the server's CPU: what users run, the master's
 * flags for its workers included (bench/servers/hostile-app.ts is the application). The
 * figures are the worker's: its pid is taken from the master's log. The {@link FLOOR}
 * "engine" is bench/servers/hostile-floor.ts instead, alone.
 */
async function startServer(engine: string): Promise<Server> {
  const profile =
    values.profile === undefined
      ? []
      : ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', path.resolve(values.profile)];
  const flags = values['node-flags']?.split(' ').filter((flag) => flag !== '') ?? [];
  const server =
    engine === FLOOR
      ? [path.join(root, 'bench/servers/hostile-floor.ts')]
      : [
          path.join(root, 'bin/portico.js'),
          'serve',
          path.join(root, 'bench/servers/hostile-app.ts'),
          ...['--http', '127.0.0.1:0', '--workers', '1', '--http-engine', engine, '--max-connections', '0'],
          ...['--header-timeout', '5', '--keepalive-timeout', '5'],
          ...['--send-timeout', String(SEND_TIMEOUT_MS / 1000)],
        ];
  const [command, args] = pinned(pinning, SERVER_CPUS, process.execPath, [...flags, ...profile, ...server]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const reports: ((line: string) => void)[] = [];
  let log = '';
  const ready = new Promise<{ port: number; pid: number }>((resolve, reject) => {
    let started = false;
    const read = (text: string) => {
      for (const line of text.match(/^stalls .*$/gm) ?? []) reports.shift()?.(line.slice(7));
      // What those flags print (--trace-gc writes to stdout).
      if (flags.length > 0) process.stderr.write(text);
      if (started) return;
      log += text;
      const pid = /worker 1 \(pid (\d+)\) ready/.exec(log)?.[1];
      const port = /on http:\/\/[^\s,]+:(\d+)/.exec(log)?.[1];
      if (pid === undefined || port === undefined) return;
      started = true;
      resolve({ port: Number(port), pid: Number(pid) });
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    child.once('exit', () => reject(new Error(`portico serve exited:\n${log.slice(-2000)}`)));
  });
  const { port, pid } = await ready;
  return {
    port,
    pid,
    // A graceful stop (the attacks are over by then), so that a worker's profile is written.
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    stalls: () =>
      new Promise<string>((resolve) => {
        reports.push(resolve);
        process.kill(pid, 'SIGUSR2');
      }),
  };
}

/** The good client's pause between two requests. */
const GOOD_CLIENT_PAUSE_MS = 2;

/** A well-behaved client: sequential GETs on one kept-alive connection until `stop()`; latencies in ms. */
function goodClient(port: number): { stop(): Promise<number[]> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', () => resolve());
        req.setTimeout(10_000, () => req.destroy());
        req.end();
      });
      latencies.push(performance.now() - started);
      await sleep(GOOD_CLIENT_PAUSE_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return latencies;
    },
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      openedAt.set(socket, Date.now());
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

interface AttackResult {
  /** ms from the attack's start until each bad connection closed (undefined: still open at the end). */
  closedAfter: (number | undefined)[];
  /** ms the server should need at most to close them (undefined: nothing should close them). */
  expectMs?: number;
  note?: string;
}

type Attack = (port: number, deadline: number) => Promise<AttackResult>;

const openedAt = new WeakMap<Socket, number>();

/**
 * Tracks when the server gave up each socket (its FIN, or the close), relative to `start`
 * (or, without it, to the socket's own opening). Sockets are read and their bytes dropped
 * unless `read` is false, so that a FIN is seen when it comes; after a FIN the server
 * still drains for a while (a lingering close, so its last response is not lost to a reset).
 */
function track(sockets: Socket[], start?: number, read = true): (number | undefined)[] {
  const closed: (number | undefined)[] = sockets.map(() => undefined);
  sockets.forEach((socket, i) => {
    socket.on('error', () => {});
    const from = start ?? openedAt.get(socket) ?? Date.now();
    const mark = () => (closed[i] ??= Date.now() - from);
    socket.on('end', mark);
    socket.on('close', mark);
    if (read) socket.resume();
  });
  return closed;
}

/**
 * Not an engine: bare `node:net` counting the floods' bytes without decoding them
 * (bench/servers/hostile-floor.ts), the least any Node server pays under them here. It runs
 * the floods only ({@link FLOOR_ATTACKS}): the other attacks test timeouts it does not have.
 */
const FLOOR = 'floor';
const FLOOR_ATTACKS = new Set(['chunks', 'chunk-ext', 'chunks-read', 'chunks-read-1']);

/** The server's send-timeout (given to `portico serve` in {@link startServer}). */
const SEND_TIMEOUT_MS = 5000;

/** Local ports of this host's IPv4 TCP connections to `port` that are ESTABLISHED (from /proc/net/tcp). */
function establishedTo(port: number): Set<number> {
  const ports = new Set<number>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== '01') continue;
    const remote = Number.parseInt(fields[2]?.split(':')[1] ?? '', 16);
    if (remote === port) ports.add(Number.parseInt(fields[1]?.split(':')[1] ?? '', 16));
  }
  return ports;
}

const attacks: Record<string, Attack> = {
  async slowloris(port, deadline) {
    const sockets: Socket[] = [];
    for (let i = 0; i < 1000; i++) sockets.push(await open(port));
    // From each connection's own opening: header-timeout runs from the accept.
    const closed = track(sockets);
    const head = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200));
    for (let i = 0; i < head.length && Date.now() < deadline && closed.some((c) => c === undefined); i++) {
      for (const socket of sockets) if (!socket.destroyed) socket.write(head.subarray(i, i + 1));
      await sleep(1000);
    }
    for (const socket of sockets) socket.destroy();
    return { closedAfter: closed, expectMs: 5000 + 2000 };
  },
  async crlf(port, deadline) {
    const sockets: Socket[] = [];
    for (let i = 0; i < 200; i++) {
      const socket = await open(port);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      sockets.push(socket);
    }
    await sleep(200);
    const start = Date.now();
    const closed = track(sockets, start);
    while (Date.now() < deadline && closed.some((c) => c === undefined)) {
      for (const socket of sockets) if (!socket.destroyed) socket.write('\r\n');
      await sleep(500);
    }
    for (const socket of sockets) socket.destroy();
    // portico: keepalive-timeout; node: keepalive-timeout + header-timeout (Portico's sweep).
    return { closedAfter: closed, expectMs: (engineNow === 'node' ? 10_000 : 5000) + 2000 };
  },
  async chunks(port, deadline) {
    return chunkFlood(port, deadline, '1\r\nx\r\n', '/discard', 20, SUSTAIN_MS);
  },
  async 'chunk-ext'(port, deadline) {
    return chunkFlood(port, deadline, `1;e=${'x'.repeat(1000)}\r\nx\r\n`, '/discard', 20, SUSTAIN_MS);
  },
  async 'chunks-read'(port, deadline) {
    // The same flood at an application that reads the body: nothing closes it before
    // limit-post, so this is the sustained case (fairness between connections).
    return chunkFlood(port, Math.min(deadline, Date.now() + 5000), '1\r\nx\r\n', '/');
  },
  async 'chunks-read-1'(port, deadline) {
    // One connection's share of the above: the memory a single abusive client can hold.
    return chunkFlood(port, Math.min(deadline, Date.now() + 5000), '1\r\nx\r\n', '/', 1);
  },
  async 'no-read'(port, deadline) {
    const start = Date.now();
    const sockets: Socket[] = [];
    for (let i = 0; i < 50; i++) {
      const socket = await open(port);
      socket.pause();
      socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      sockets.push(socket);
    }
    const closed = track(sockets, start, false);
    // A socket that is not read sees no 'close': the server's reset shows in the kernel's
    // table instead (the connection leaves ESTABLISHED).
    while (Date.now() < deadline && closed.some((c) => c === undefined)) {
      const established = establishedTo(port);
      sockets.forEach((socket, i) => {
        if (closed[i] === undefined && !established.has(socket.localPort ?? 0))
          closed[i] = Date.now() - start;
      });
      await sleep(100);
    }
    for (const socket of sockets) socket.destroy();
    return { closedAfter: closed, expectMs: SEND_TIMEOUT_MS + 2000, note: 'send-timeout 5 s: reset' };
  },
  async 'trickled-head'(port, deadline) {
    // A 16 KiB head, one byte per write (TCP_NODELAY: mostly one byte per read), on 10
    // connections at once: the server's CPU time for it shows whether parsing is linear.
    const head = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'v'.repeat(16 * 1024 - 64)}\r\n\r\n`);
    const sockets: Socket[] = [];
    for (let i = 0; i < 10; i++) {
      const socket = await open(port);
      socket.setNoDelay(true);
      sockets.push(socket);
    }
    for (const socket of sockets) socket.on('error', () => {}).resume();
    const cpu = cpuOf(serverPid);
    const started = Date.now();
    for (let i = 0; i < head.length && Date.now() < deadline; i++) {
      for (const socket of sockets) socket.write(head.subarray(i, i + 1));
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
    await sleep(500);
    const used = cpuOf(serverPid) - cpu;
    for (const socket of sockets) socket.destroy();
    return {
      closedAfter: [],
      note: `server CPU ${used.toFixed(2)} s for 10 × 16 KiB heads a byte at a time (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    };
  },
  async pipeline(port, deadline) {
    const start = Date.now();
    const socket = await open(port);
    const closed = track([socket], start);
    let received = 0;
    let answered = 0;
    let doneAt: number | undefined;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      for (let i = chunk.indexOf('HTTP/1.1 200'); i !== -1; i = chunk.indexOf('HTTP/1.1 200', i + 1))
        answered++;
      if (answered >= 10_000 && doneAt === undefined) doneAt = Date.now() - start;
    });
    socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(10_000)));
    while (Date.now() < deadline && doneAt === undefined) await sleep(100);
    socket.destroy();
    return {
      closedAfter: closed,
      note: `${answered} of 10,000 answered${doneAt === undefined ? '' : ` in ${doneAt} ms`} (${(received / 1024).toFixed(0)} KiB)`,
    };
  },
};

/**
 * 1-byte chunks (`chunk`, repeated) streamed on `connections` connections at once. With
 * `sustainMs`, a connection the server closes is replaced by a new one until then, so that
 * the good client is measured over seconds of flood, not the ~0.1 s the server needs to
 * refuse the first twenty (a p99 of a handful of requests); each closing time then runs
 * from that connection's own opening.
 */
async function chunkFlood(
  port: number,
  deadline: number,
  chunk: string,
  path = '/discard',
  connections = 20,
  sustainMs = 0,
): Promise<AttackResult> {
  const start = Date.now();
  const sustainUntil = Math.min(deadline, start + sustainMs);
  const marks: (number | undefined)[][] = [];
  const openOne = async (): Promise<{ socket: Socket; closed: (number | undefined)[] }> => {
    const socket = await open(port);
    socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const closed = track([socket], sustainMs > 0 ? undefined : start);
    marks.push(closed);
    return { socket, closed };
  };
  const active: { socket: Socket; closed: (number | undefined)[] }[] = [];
  for (let i = 0; i < connections; i++) active.push(await openOne());
  const burst = Buffer.from(chunk.repeat(Math.ceil(65536 / chunk.length)));
  let sent = 0;
  while (Date.now() < deadline && (Date.now() < sustainUntil || marks.some(([c]) => c === undefined))) {
    for (const { socket } of active) {
      if (!socket.destroyed && socket.writableLength < 1024 * 1024) {
        socket.write(burst);
        sent += burst.length;
      }
    }
    for (let i = 0; i < active.length && Date.now() < sustainUntil; i++) {
      if (active[i]?.closed[0] !== undefined) {
        active[i]?.socket.destroy();
        active[i] = await openOne();
      }
    }
    await sleep(5);
  }
  for (const { socket } of active) socket.destroy();
  const opened = sustainMs > 0 ? `, ${marks.length} connections` : '';
  return { closedAfter: marks.map(([c]) => c), note: `${(sent / 1048576).toFixed(0)} MiB sent${opened}` };
}

const ATTACK_MS = 15_000;
/** How long the good client warms the server up before the idle figures. */
const WARM_UP_MS = 3000;
/**
 * How long the idle figures are taken over: long enough for a steady p99 (the yardstick of
 * every attack; over 3 s, ~550 requests, one quiet run's idle p99 went from 0.9 to 2.2 ms).
 */
const IDLE_MS = 8000;
/** How long the `chunks` floods go on, their connections replaced as the server closes them. */
const SUSTAIN_MS = Number(values.sustain);
let engineNow = values.engine ?? '';

/**
 * Runs one attack in a child process at the lowest priority, on the load generator's CPU:
 * on a real network the attacker is another machine; here it shares a CPU with the good
 * client, and without `nice` the good client's p99 measured how long the attacker's busy
 * event loop kept it waiting rather than how fairly the server served it.
 */
function attackInChild(
  name: string,
  port: number,
  pid: number,
  engine: string,
  onStart: () => void,
): Promise<AttackResult> {
  const script = [
    import.meta.filename,
    '--attack',
    name,
    '--port',
    String(port),
    '--server-pid',
    String(pid),
    '--engine',
    engine,
    '--sustain',
    String(SUSTAIN_MS),
  ];
  const [pinnedCommand, pinnedArgs] = pinned(pinning, LOAD_CPUS, process.execPath, script);
  const [command, args] = niceAvailable
    ? ['nice', ['-n', '19', pinnedCommand, ...pinnedArgs]]
    : [pinnedCommand, pinnedArgs];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let started = false;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    output += text;
    if (!started && output.includes(ATTACKING)) {
      started = true;
      onStart();
    }
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        const result = JSON.parse(output.slice(output.indexOf(ATTACKING) + ATTACKING.length)) as AttackResult;
        // JSON has no undefined: a connection still open came back as null.
        result.closedAfter = result.closedAfter.map((after) => after ?? undefined);
        resolve(result);
      } catch {
        reject(new Error(`attack ${name} exited with ${code}: ${output}`));
      }
    });
  });
}

const pinning = detectPinning();
/** The attacker child's first line: the attack starts now. */
const ATTACKING = 'attacking\n';
const niceAvailable = spawnSync('nice', ['-n', '19', 'true']).status === 0;

if (values.attack !== undefined) {
  // The attacker child: one attack, its result as JSON on stdout.
  serverPid = Number(values['server-pid']);
  const attack = attacks[values.attack];
  if (attack === undefined) throw new Error(`unknown attack ${values.attack}`);
  // The good client starts measuring now, not while this process was starting up.
  process.stdout.write(ATTACKING);
  const result = await attack(Number(values.port), Date.now() + ATTACK_MS);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

// The measuring process (good client, samplers) runs where the attacker does, at normal priority.
if (pinning.enabled) spawnSync('taskset', ['-p', '-c', LOAD_CPUS, String(process.pid)], { stdio: 'ignore' });
console.error(
  `hostile: ${pinning.note}; attacker ${niceAvailable ? 'at nice 19' : 'at normal priority (no nice)'}`,
);
const lines: string[] = [];
for (const engine of values.engines.split(',')) {
  engineNow = engine;
  const server = await startServer(engine);
  serverPid = server.pid;
  // A warm-up first, not counted: the first requests of a fresh worker compile its code,
  // which would make the idle p99 (the attacks' yardstick) a measure of that.
  const warmUp = goodClient(server.port);
  await sleep(WARM_UP_MS);
  await warmUp.stop();
  // Idle latency, and the idle RSS every attack is measured against.
  await server.stalls();
  const idleClient = goodClient(server.port);
  await sleep(IDLE_MS);
  const idle = await idleClient.stop();
  const idleStalls = await server.stalls();
  const idleP99 = percentile(idle, 99);
  lines.push(
    `| ${engine} | idle | | | ${(rssOf(server.pid) / 1048576).toFixed(0)} MB RSS | ${idleP99.toFixed(2)} ms (${idle.length}; p50 ${percentile(idle, 50).toFixed(2)}) | ${idleStalls} | |`,
  );
  for (const name of Object.keys(attacks)) {
    if (values.only !== undefined && !values.only.split(',').includes(name)) continue;
    if (engine === FLOOR && !FLOOR_ATTACKS.has(name)) continue;
    await sleep(1000);
    const base = rssOf(server.pid);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server.pid))), 100);
    let client: ReturnType<typeof goodClient> | undefined;
    let reset: Promise<string> | undefined;
    const result = await attackInChild(name, server.port, server.pid, engine, () => {
      reset = server.stalls();
      client = goodClient(server.port);
    });
    const latencies = (await client?.stop()) ?? [];
    await reset;
    const stalls = await server.stalls();
    clearInterval(sampler);
    // What the server still had to chew through after the attack ended (bytes already in
    // its socket buffers): wait until it is idle, so the next attack starts clean.
    const idleSince = Date.now();
    for (let cpu = cpuOf(server.pid); Date.now() - idleSince < 60_000;) {
      await sleep(500);
      const now = cpuOf(server.pid);
      if (now - cpu < 0.05) break;
      cpu = now;
    }
    const busyAfter = (Date.now() - idleSince - 500) / 1000;
    if (busyAfter >= 1) result.note = `${result.note ?? ''}; busy ${busyAfter.toFixed(0)} s after the attack`;
    const closedTimes = result.closedAfter.filter((t): t is number => t !== undefined);
    const open = result.closedAfter.length - closedTimes.length;
    const closedText =
      result.closedAfter.length === 0
        ? '—'
        : closedTimes.length === 0
          ? `none closed (${open} open)`
          : `median ${(percentile(closedTimes, 50) / 1000).toFixed(1)} s, max ${(Math.max(...closedTimes) / 1000).toFixed(1)} s${open > 0 ? `, ${open} still open` : ''}`;
    const target = result.expectMs === undefined ? '—' : `≤ ${(result.expectMs / 1000).toFixed(0)} s`;
    const line = `| ${engine} | ${name} | ${closedText} | ${target} | +${((peak - base) / 1048576).toFixed(1)} MB | ${percentile(latencies, 99).toFixed(2)} ms (${(percentile(latencies, 99) / idleP99).toFixed(1)}×, ${latencies.length}; p50 ${percentile(latencies, 50).toFixed(2)}) | ${stalls} | ${result.note ?? ''} |`;
    lines.push(line);
    console.error(line);
  }
  await server.stop();
}
console.log(
  '| engine | attack | bad connections closed | target | peak RSS growth | good client p99 (× idle, requests; p50) | server stalls (ms) | note |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const line of lines) console.log(line);
