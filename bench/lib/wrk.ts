/**
 * wrk as the load generator: one thread (it has one CPU), keep-alive connections, and a
 * generated Lua script whose `done()` prints the figures as one JSON line, so nothing is
 * parsed out of wrk's human report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRequest } from '../workloads/types.ts';
import type { LoadGenerator, LoadOptions, LoadResult } from './load.ts';
import { runToEnd } from './process.ts';

const MARK = 'wrk-json ';

/** True when a `wrk` binary answers on PATH. */
export function hasWrk(): boolean {
  const probe = spawnSync('wrk', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined;
}

/** A Lua string literal: printable ASCII as is, everything else as a decimal escape. */
function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte}`;
  }
  return `${out}"`;
}

function luaRequest(request: BenchRequest): string {
  const headers = Object.entries(request.headers ?? {})
    .map(([name, value]) => `[${luaString(name)}] = ${luaString(value)}`)
    .join(', ');
  const body = request.body === undefined ? 'nil' : luaString(request.body);
  return `wrk.format(${luaString(request.method)}, ${luaString(request.path)}, { ${headers} }, ${body})`;
}

/**
 * The Lua script for `requests`. One request is set as wrk's static request (wrk's
 * fastest path, no Lua per request); several are pre-formatted and sent round-robin.
 */
export function wrkScript(
  requests: readonly BenchRequest[],
  pacing?: { rate: number; connections: number },
): string {
  const lines: string[] = [];
  if (pacing !== undefined) {
    // wrk's delay() is whole milliseconds: the fraction is kept on average by rounding up
    // at random. The interval runs after each response, so the offered rate is an upper
    // bound, and what was achieved is what the report shows.
    const interval = (pacing.connections * 1000) / pacing.rate;
    lines.push(
      `local interval = ${interval.toFixed(4)}`,
      'delay = function()',
      '  local whole = math.floor(interval)',
      '  if math.random() < interval - whole then return whole + 1 end',
      '  return whole',
      'end',
    );
  }
  const [first] = requests;
  if (first === undefined) throw new Error('a workload needs at least one request');
  if (requests.length === 1) {
    lines.push(`wrk.method = ${luaString(first.method)}`, `wrk.path = ${luaString(first.path)}`);
    for (const [name, value] of Object.entries(first.headers ?? {})) {
      lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
    }
    if (first.body !== undefined) lines.push(`wrk.body = ${luaString(first.body)}`);
  } else {
    lines.push(
      'local formatted = {}',
      'local index = 0',
      'init = function(args)',
      ...requests.map((request) => `  table.insert(formatted, ${luaRequest(request)})`),
      'end',
      'request = function()',
      '  index = index % #formatted + 1',
      '  return formatted[index]',
      'end',
    );
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${MARK}{"requests":%.0f,"duration_us":%.0f,"p50_us":%.0f,"p99_us":%.0f,' ..`,
    `    '"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f}\\n',`,
    '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),',
    '    e.connect, e.read, e.write, e.status, e.timeout))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

interface WrkReport {
  requests: number;
  duration_us: number;
  p50_us: number;
  p99_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

export const wrk: LoadGenerator = {
  name: 'wrk',
  async run(options: LoadOptions): Promise<LoadResult> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
    try {
      const script = path.join(dir, 'workload.lua');
      writeFileSync(
        script,
        wrkScript(
          options.requests,
          options.rate === undefined ? undefined : { rate: options.rate, connections: options.connections },
        ),
      );
      const durationS = Math.max(1, Math.round(options.durationS));
      const [command, args] = options.pin('wrk', [
        '--threads',
        '1',
        '--connections',
        String(options.connections),
        '--duration',
        `${durationS}s`,
        '--timeout',
        '5s',
        '--script',
        script,
        options.url,
      ]);
      const finished = await runToEnd(command, args, (durationS + 30) * 1000);
      const line = finished.stdout.split('\n').find((text) => text.startsWith(MARK));
      if (finished.code !== 0 || line === undefined) {
        throw new Error(
          `wrk failed (exit ${finished.code ?? finished.signal}):\n${finished.stdout}${finished.stderr}`,
        );
      }
      const report = JSON.parse(line.slice(MARK.length)) as WrkReport;
      const seconds = report.duration_us / 1e6;
      const socketErrors = report.connect + report.read + report.write + report.timeout;
      return {
        requests: report.requests,
        durationS: seconds,
        rps: report.requests / seconds,
        p50Ms: report.p50_us / 1000,
        p99Ms: report.p99_us / 1000,
        badStatus: report.status,
        socketErrors,
        errorDetail:
          `${report.status} responses with status >= 400; socket errors: connect ${report.connect}, ` +
          `read ${report.read}, write ${report.write}, timeout ${report.timeout}`,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
