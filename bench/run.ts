/**
 * The benchmark harness: `npm run bench -- [WORKLOAD...] [options]` (see `bench/README.md`).
 *
 * For each workload, rounds are interleaved (round 1: every server once, round 2: every
 * server once, ...) so that drift in the machine hits every server alike, and each
 * server runs alone, in its own child process, pinned to CPU 1 while the load generator
 * has CPU 0. Each run is preceded by a correctness check and a warm-up; any error
 * response or socket error under load fails the whole run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { autocannonGenerator } from './lib/autocannon.ts';
import { checkResponses } from './lib/check.ts';
import { type CpuWindow, cpuSnapshot, cpuWindow } from './lib/contention.ts';
import { type BenchOptions, parseBenchArgs, USAGE } from './lib/cli.ts';
import type { LoadGenerator, LoadResult } from './lib/load.ts';
import { detectPinning, LOAD_CPUS, type Pinning, pinned, SERVER_CPUS } from './lib/pin.ts';
import { type LevelSample, type Row, type Sample, summarise, table } from './lib/report.ts';
import { startServer } from './lib/server-process.ts';
import { hasWrk, wrk } from './lib/wrk.ts';
import {
  findScriptBench,
  findWorkload,
  type ScriptBench,
  scriptBenches,
  type Workload,
  workloadGroups,
  workloads,
} from './workloads/index.ts';

const root = path.resolve(import.meta.dirname, '..');
/** CPUs' worth of other processes' work during a run above which the report warns. */
const NOISY = 0.1;

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function chooseLoadGenerator(options: BenchOptions): LoadGenerator {
  if (options.load === 'autocannon') return autocannonGenerator;
  if (hasWrk()) return wrk;
  if (options.load === 'wrk') throw new Error('--load wrk: wrk is not installed (apt-get install -y wrk)');
  progress('wrk not found: falling back to autocannon (install wrk for figures that mean something)');
  return autocannonGenerator;
}

function assertClean(server: string, phase: string, result: LoadResult): void {
  if (result.badStatus > 0 || result.socketErrors > 0) {
    throw new Error(`${server} had errors during the ${phase}: ${result.errorDetail}`);
  }
  if (result.requests === 0) throw new Error(`${server} completed no request during the ${phase}`);
}

/** Runs every round of one workload; returns the samples in the order they were taken. */
async function runWorkload(
  workload: Workload,
  options: BenchOptions,
  load: LoadGenerator,
  pinning: Pinning,
): Promise<Sample[]> {
  const servers = workload.servers.filter((server) => {
    if (options.skip.includes(server.name)) return false;
    if (
      options.servers.length > 0 &&
      !options.servers.includes(server.name) &&
      server.name !== workload.baseline
    )
      return false;
    const missing = server.unavailable?.();
    if (missing !== undefined) progress(`[${workload.name}] ${server.name} skipped: ${missing}`);
    return missing === undefined;
  });
  const loadPin = (command: string, args: readonly string[]) => pinned(pinning, LOAD_CPUS, command, args);
  const nodeArgs =
    options.cpuProf === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProf)}`];
  const samples: Sample[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const server of servers) {
      const running = await startServer(server, {
        root,
        pin: (command, args) => pinned(pinning, server.cpus ?? SERVER_CPUS, command, args),
        nodeArgs,
        readyTimeoutMs: server.readyTimeoutMs ?? 15_000,
      });
      try {
        const headers = workload.prepare === undefined ? undefined : await workload.prepare(running.url);
        const requests =
          headers === undefined
            ? workload.requests
            : workload.requests.map((request) => ({
                ...request,
                headers: { ...request.headers, ...headers },
              }));
        await checkResponses(server.name, running.url, requests);
        const run = (durationS: number, rate?: number) =>
          load.run({
            url: running.url,
            requests,
            connections: options.connections,
            durationS,
            rate,
            pin: loadPin,
          });
        if (options.warmupS > 0) assertClean(server.name, 'warm-up', await run(options.warmupS));
        let result: LoadResult;
        let cpu: CpuWindow | undefined;
        for (let attempt = 0; ; attempt++) {
          const before = cpuSnapshot(running.pid);
          result = await run(options.durationS);
          cpu = cpuWindow(before, cpuSnapshot(running.pid));
          if (running.exited) throw new Error(`${server.name} exited under load:\n${running.output()}`);
          assertClean(server.name, 'measured run', result);
          if (cpu === undefined || cpu.otherCpu <= NOISY || attempt >= options.retryNoisy) break;
          progress(
            `[${workload.name}] round ${round}/${options.rounds} ${server.name}: other processes used ` +
              `${cpu.otherCpu.toFixed(2)} CPU, measuring again (${attempt + 1}/${options.retryNoisy})`,
          );
        }
        const cpuUsPerRequest = cpu === undefined ? undefined : (cpu.serverCpuS * 1e6) / result.requests;
        // Below saturation: paced runs at fractions of the peak just measured, then at the
        // rates asked for on the command line (the same offered load for every server).
        const levels: LevelSample[] = [];
        const asked = [
          ...(workload.loadLevels ?? []).map((fraction) => ({
            level: { fraction },
            rate: fraction * result.rps,
            what: `${Math.round(fraction * 100)}% of peak`,
          })),
          ...options.rates.map((rate) => ({ level: { rate }, rate, what: `${rate} rps offered` })),
        ];
        for (const { level, rate, what } of asked) {
          const paced = await run(options.durationS, rate);
          assertClean(server.name, `run at ${what}`, paced);
          levels.push({ ...level, rps: paced.rps, p99Ms: paced.p99Ms });
          progress(
            `[${workload.name}] round ${round}/${options.rounds} ${server.name}: at ${what} ` +
              `${Math.round(paced.rps).toLocaleString('en-US')} rps, p99 ${paced.p99Ms.toFixed(2)} ms`,
          );
        }
        samples.push({
          round,
          server: server.name,
          result,
          otherCpu: cpu?.otherCpu,
          cpuUsPerRequest,
          ...(levels.length === 0 ? {} : { levels }),
        });
        progress(
          `[${workload.name}] round ${round}/${options.rounds} ${server.name.padEnd(8)} ` +
            `${Math.round(result.rps).toLocaleString('en-US').padStart(8)} rps  p99 ${result.p99Ms.toFixed(2)} ms` +
            (cpu === undefined || cpuUsPerRequest === undefined
              ? ''
              : `  ${cpuUsPerRequest.toFixed(1)} CPU µs/req  (other processes: ${cpu.otherCpu.toFixed(2)} CPU)`),
        );
      } catch (error) {
        throw new Error(`[${workload.name}] round ${round}, ${server.name}: ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        await running.stop();
      }
    }
  }
  return samples;
}

/** Runs a script benchmark in a child node process, its output passed through. */
function runScriptBench(bench: ScriptBench): void {
  progress(`bench: ${bench.name}: ${bench.description}`);
  const result = spawnSync(process.execPath, [path.resolve(root, bench.script)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`${bench.name} failed (exit ${result.status ?? result.signal})`);
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.list) {
    for (const workload of workloads) {
      process.stdout.write(
        `${workload.name}: ${workload.description} [${workload.servers.map((s) => s.name).join(', ')}]\n`,
      );
    }
    for (const bench of scriptBenches) process.stdout.write(`${bench.name}: ${bench.description}\n`);
    return;
  }
  const known = [...workloads, ...scriptBenches]
    .map((w) => w.name)
    .concat(Object.keys(workloadGroups))
    .join(', ');
  const named = options.workloads.flatMap((name) => workloadGroups[name] ?? [name]);
  const chosen = (named.length === 0 ? workloads.map((w) => w.name) : named).map((name) => {
    const found = findWorkload(name) ?? findScriptBench(name);
    if (found === undefined) throw new Error(`unknown workload ${name}; known: ${known}`);
    return found;
  });
  // Script benchmarks run in-process, without HTTP load: no load generator, no pinning.
  const httpWorkloads = chosen.filter((w): w is Workload => 'servers' in w);
  for (const bench of chosen.filter((w): w is ScriptBench => !('servers' in w))) {
    runScriptBench(bench);
  }
  if (httpWorkloads.length === 0) return;
  const load = chooseLoadGenerator(options);
  const pinning: Pinning = options.pin ? detectPinning() : { enabled: false, note: 'not pinned: --no-pin' };
  if (options.cpuProf !== undefined) mkdirSync(options.cpuProf, { recursive: true });
  const setup =
    `${load.name}, ${options.connections} connections, ${options.durationS} s runs after ` +
    `${options.warmupS} s warm-up, ${options.rounds} interleaved round(s), medians; ${pinning.note}`;
  const machine = `${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ${os.platform()} ${os.release()}`;
  progress(`bench: ${setup}\nbench: ${machine}`);

  for (const workload of httpWorkloads) {
    const samples = await runWorkload(workload, options, load, pinning);
    const rows: Row[] = summarise(workload, samples, {
      loadGenerator: load.name,
      connections: options.connections,
      durationS: options.durationS,
    });
    if (options.json) {
      for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    } else {
      process.stdout.write(`\n${workload.name}: ${workload.description}\n${setup}\n\n`);
      process.stdout.write(`${table(rows, workload.baseline)}\n`);
      if (!rows.some((row) => row.server === workload.baseline)) {
        process.stdout.write(
          `\nnote: the baseline ${workload.baseline} did not run (skipped), so there are no ratios\n`,
        );
      }
      const busiest = Math.max(0, ...rows.map((row) => row.other_cpu_max ?? 0));
      if (busiest > NOISY) {
        process.stdout.write(
          `\nwarning: other processes used up to ${busiest.toFixed(2)} CPU during a measured run; ` +
            'the machine was not quiet, so treat these figures with care (or rerun with more --rounds)\n',
        );
      }
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
