/**
 * How long a benchmark server's event loop was held up, for the `hostile` bench: a slow
 * good client is either the server stalling (ours to fix) or the machine's CPU going
 * elsewhere (another process on a loaded machine), and these tell the two apart.
 *
 * - `eld`: the event-loop delay (`monitorEventLoopDelay`, 1 ms resolution), max and p99:
 *   how late a timer ran, whatever the cause;
 * - `cpu`: the CPU time the process used between two consecutive 1 ms ticks, max and
 *   p99, and how many such gaps took over 5 ms: runs of work with no turn for timers (the
 *   process is pinned to one CPU, so a late tick with little CPU in its gap was time the
 *   CPU spent on something else: another process on a loaded machine).
 *
 * On SIGUSR2 the server prints `stalls eld-max=… eld-p99=… cpu-max=… cpu-p99=… cpu>5ms=N`
 * (ms) on stdout and starts counting afresh.
 */
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export function reportStallsOnSignal(): void {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // CPU µs per gap between ticks.
  const gaps = createHistogram();
  let lastCpu = process.cpuUsage();
  let over5 = 0;
  const tick = setInterval(() => {
    const cpu = process.cpuUsage();
    const used = cpu.user - lastCpu.user + cpu.system - lastCpu.system;
    lastCpu = cpu;
    gaps.record(Math.max(1, used));
    if (used > 5000) over5++;
  }, 1);
  tick.unref();
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    process.stdout.write(
      `stalls eld-max=${ms(histogram.max)} eld-p99=${ms(histogram.percentile(99))} cpu-max=${ms(gaps.max * 1000)} cpu-p99=${ms(gaps.percentile(99) * 1000)} cpu>5ms=${over5}\n`,
    );
    histogram.reset();
    gaps.reset();
    over5 = 0;
  });
}
