/**
 * A real nginx for integration tests: a temp prefix holding the config, pid, logs and every
 * temp path; listening on a free loopback port; started as a child process and stopped by
 * its PID.
 *
 * nginx is a Debian package (`apt-get install nginx`, done by `.ci/run`). Outside CI a
 * machine without it skips these tests with a message; in CI (`CI` set) they fail instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingHttpHeaders, type OutgoingHttpHeaders, request as plainRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The uwsgi_params nginx ships (upstream `conf/uwsgi_params`), for hosts without Debian's copy. */
const UPSTREAM_UWSGI_PARAMS = `uwsgi_param  QUERY_STRING       $query_string;
uwsgi_param  REQUEST_METHOD     $request_method;
uwsgi_param  CONTENT_TYPE       $content_type;
uwsgi_param  CONTENT_LENGTH     $content_length;
uwsgi_param  REQUEST_URI        $request_uri;
uwsgi_param  PATH_INFO          $document_uri;
uwsgi_param  DOCUMENT_ROOT      $document_root;
uwsgi_param  SERVER_PROTOCOL    $server_protocol;
uwsgi_param  REQUEST_SCHEME     $scheme;
uwsgi_param  HTTPS              $https if_not_empty;
uwsgi_param  REMOTE_ADDR        $remote_addr;
uwsgi_param  REMOTE_PORT        $remote_port;
uwsgi_param  SERVER_PORT        $server_port;
uwsgi_param  SERVER_NAME        $server_name;
`;

/** The nginx binary: `$NGINX`, else `nginx` on PATH, else `/usr/sbin/nginx`; undefined when none. */
export function nginxBinary(): string | undefined {
  const candidates = [
    process.env.NGINX,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nginx')),
    '/usr/sbin/nginx',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * The `skip` option for nginx tests: a reason outside CI when nginx is missing, else
 * false (so in CI a missing nginx fails the tests rather than hiding them).
 */
export function nginxSkip(): string | false {
  if (nginxBinary() !== undefined || process.env.CI) return false;
  return 'nginx is not installed (apt-get install nginx): nginx integration tests skipped outside CI';
}

/** The installed nginx's version, e.g. `1.22.1`. */
export function nginxVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(requireBinary(), ['-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(/nginx\/(\S+)/.exec(text)?.[1] ?? text.trim()));
  });
}

function requireBinary(): string {
  const binary = nginxBinary();
  if (binary === undefined) throw new Error('nginx not found (set $NGINX or apt-get install nginx)');
  return binary;
}

/** A free loopback TCP port (free when asked; nginx start is retried if it is taken since). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** What goes into the config. */
export interface NginxConfig {
  /** Directives at `http {}` level: upstream blocks, maps. */
  http?: string;
  /** Directives inside the `server {}` block: locations, body size. */
  server: string;
  /** `worker_connections` (default 256); a client and its upstream connection take two. */
  workerConnections?: number;
}

/** A running nginx. */
export interface Nginx {
  readonly port: number;
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** The temp prefix: config, logs, temp files. */
  readonly dir: string;
  readonly pid: number;
  /** The full nginx.conf written. */
  readonly config: string;
  /** The error log so far (for failure messages). */
  errorLog(): string;
  /** Stops nginx (TERM, then KILL after 5 s) and removes its temp prefix. */
  stop(): Promise<void>;
}

function renderConfig(dir: string, port: number, config: NginxConfig): string {
  // As root, nginx's workers would switch to an unprivileged user that cannot reach the
  // temp prefix (mkdtemp makes it 0700); keep them as the current user.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `    ${name}_temp_path ${join(dir, name)};`)
    .join('\n');
  return `daemon off;
master_process on;
worker_processes 1;
${user}pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;
events { worker_connections ${config.workerConnections ?? 256}; }
http {
    access_log ${join(dir, 'access.log')};
${temp}
${config.http ?? ''}
    server {
        listen 127.0.0.1:${port};
        server_name localhost;
${config.server}
    }
}
`;
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`nginx exited (${child.exitCode ?? child.signalCode})`));
        return;
      }
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new Error(`nginx did not accept on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    // TERM: nginx's fast shutdown; the master stops its workers before it exits.
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  });
}

/** Writes the config into a fresh temp prefix, starts nginx and waits until it accepts. */
export async function startNginx(config: NginxConfig): Promise<Nginx> {
  const binary = requireBinary();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'portico-nginx-'));
    const params = existsSync('/etc/nginx/uwsgi_params')
      ? readFileSync('/etc/nginx/uwsgi_params', 'utf8')
      : UPSTREAM_UWSGI_PARAMS;
    await writeFile(join(dir, 'uwsgi_params'), params);
    const port = await freePort();
    const text = renderConfig(dir, port, config);
    const confPath = join(dir, 'nginx.conf');
    await writeFile(confPath, text);
    const errorPath = join(dir, 'error.log');
    const child = spawn(binary, ['-p', `${dir}/`, '-c', confPath, '-e', errorPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const errorLog = () => (existsSync(errorPath) ? readFileSync(errorPath, 'utf8') : '') + stderr;
    try {
      await waitForPort(port, child, 10_000);
    } catch (error) {
      await stopChild(child);
      lastError = new Error(`${(error as Error).message}\n${errorLog()}`);
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    return {
      port,
      url: `http://127.0.0.1:${port}`,
      dir,
      pid: child.pid as number,
      config: text,
      errorLog,
      async stop() {
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError;
}

/** A response read whole. */
export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request with exact headers (repeated ones as arrays) and no connection reuse; over
 * TLS for `https:` URLs, accepting the tests' self-signed certificate.
 */
export function httpRequest(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
  }: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | string } = {},
): Promise<SimpleResponse> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : plainRequest)(url, {
      method,
      headers,
      agent: false,
      ...(secure ? { rejectUnauthorized: false } : {}),
    });
    request.once('error', reject);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.end(body);
  });
}

/** A self-signed certificate for `localhost` (needs the `openssl` command), in `dir`. */
export function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '2',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve({ cert, key }) : reject(new Error(`openssl: ${stderr}`)),
    );
  });
}
