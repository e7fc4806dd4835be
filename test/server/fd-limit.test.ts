/**
 * Running out of file descriptors (EMFILE) must not kill a server: accepting fails, is
 * reported, and resumes once descriptors are free again. The server runs in a child
 * process under a small `ulimit -n`, and is flooded with more connections than that.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENGINES, sleep, within } from '../helpers/http1.ts';
import { startPortico } from '../appserver/helpers.ts';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const script = fileURLToPath(new URL('../helpers/fd-starved-server.ts', import.meta.url));

function open(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => resolve(undefined));
  });
}

function request(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'),
    );
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
}

for (const engine of ENGINES) {
  describe(`out of file descriptors: ${engine} engine`, { skip: process.platform === 'win32' }, () => {
    test('a flood past ulimit -n is survived, and the server serves again afterwards', async () => {
      const child = spawn(
        'bash',
        ['-c', `ulimit -n 64 && exec "${process.execPath}" "${script}" ${engine}`],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const port = await within(
          new Promise<number>((resolve) =>
            child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))),
          ),
          10_000,
          'the server starting',
        );
        const sockets: Socket[] = [];
        for (let i = 0; i < 120; i++) {
          const socket = await open(port);
          if (socket !== undefined) sockets.push(socket);
        }
        await sleep(300);
        assert.equal(child.exitCode, null, `the server died: ${stderr}`);
        for (const socket of sockets) socket.destroy();
        await sleep(300);
        const response = await within(request(port), 5000, 'a request after the flood');
        assert.match(response, /^HTTP\/1\.1 200 /);
        assert.equal(child.exitCode, null, `the server died: ${stderr}`);
      } finally {
        child.stdin.end();
        await within(exited, 5000, 'the server exiting').catch(() => child.kill('SIGKILL'));
      }
    });
  });
}

describe(
  'out of file descriptors: a portico serve worker',
  { skip: !existsSync('/usr/bin/prlimit') ? 'no prlimit' : false },
  () => {
    test('under --accept master, a worker out of descriptors is handed connections again once it has some', async () => {
      const portico = await startPortico([
        'examples/echo/app.ts:application',
        '--workers',
        '1',
        '--max-connections',
        '0',
        '--accept',
        'master',
      ]);
      const worker = await portico.waitFor(/worker 1 \(pid (\d+)\) ready/);
      const pid = Number(worker[1]);
      const masterFds = () => readdirSync(`/proc/${portico.pid}/fd`).length;
      const before = masterFds();
      execFileSync('/usr/bin/prlimit', [`--pid=${pid}`, '--nofile=64:64']);
      const port = Number(new URL(portico.url).port);
      const sockets: Socket[] = [];
      for (let i = 0; i < 120; i++) {
        const socket = await open(port);
        if (socket !== undefined) sockets.push(socket);
      }
      await sleep(1500);
      // The connections the worker could not take were closed, by the master too.
      assert.match(portico.stderr(), /PORTICO_ERR_ACCEPT_FAILED: \d+ connections? handed over by the master/);
      assert.ok(masterFds() < before + 10, `the master holds ${masterFds() - before} more descriptors`);
      for (const socket of sockets) socket.destroy();
      await sleep(500);
      assert.doesNotThrow(() => process.kill(pid, 0), 'the worker is alive');
      for (let i = 0; i < 3; i++) {
        const response = await within(request(port), 5000, `request ${i + 1} after the flood`).catch((e) => {
          throw new Error(`${e}\n${portico.stderr()}`);
        });
        assert.match(response, /^HTTP\/1\.1 200 /);
      }
      assert.doesNotMatch(portico.stderr(), /SentHandleNotReceivedWarning/);
    });

    test('the worker outlives EMFILE in its stats heartbeat and in accept', async () => {
      const portico = await startPortico([
        'examples/echo/app.ts:application',
        '--workers',
        '1',
        '--max-connections',
        '0',
        '--accept',
        'workers',
      ]);
      const worker = await portico.waitFor(/worker 1 \(pid (\d+)\) ready/);
      const pid = Number(worker[1]);
      // Shrink the running worker's descriptor limit, then hold more connections than it allows
      // across a few heartbeats (one a second).
      execFileSync('/usr/bin/prlimit', [`--pid=${pid}`, '--nofile=64:64']);
      const port = Number(new URL(portico.url).port);
      const sockets: Socket[] = [];
      for (let i = 0; i < 120; i++) {
        const socket = await open(port);
        if (socket !== undefined) sockets.push(socket);
      }
      await sleep(2500);
      for (const socket of sockets) socket.destroy();
      await sleep(300);
      assert.doesNotMatch(portico.stderr(), /PORTICO_ERR_WORKER_DIED|worker 1 \(pid \d+\) (died|exited)/);
      assert.doesNotThrow(() => process.kill(pid, 0), 'the worker is alive');
      const response = await within(request(port), 5000, 'a request after the flood');
      assert.match(response, /^HTTP\/1\.1 200 /);
    });
  },
);
