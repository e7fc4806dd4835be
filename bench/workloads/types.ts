/**
 * What a workload is: a name, the servers that compete on it, the request(s) the load
 * generator sends, and the response every server must give.
 */

/** One request the load generator sends (rotated in order when there are several). */
export interface BenchRequest {
  readonly method: string;
  /** Origin-form target: `/users/42?x=1`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** What the server must answer; checked once per server before any load is sent. */
  readonly expect: {
    readonly status: number;
    readonly contentType?: string;
    readonly body?: string;
  };
}

/** One competitor: a script started in its own child process. */
export interface BenchServer {
  /** Short name shown in the table and the JSON (`node`, `fastify`, `portico`). */
  readonly name: string;
  /**
   * The script, relative to the repository root. It takes its port as `argv[2]` (0 means
   * any), prints `ready http://HOST:PORT` once it accepts connections, and exits on SIGTERM.
   */
  readonly script: string;
  /** Extra arguments after the port. */
  readonly args?: readonly string[];
  /** Extra environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * CPUs the server process (and its children) may use, as `taskset -c` takes them.
   * Default `1`: the load generator has CPU 0. A multi-worker workload may widen it,
   * and then says so in its description, since server and load then share a CPU.
   */
  readonly cpus?: string;
  /**
   * Why this server cannot run on this machine (a missing uWSGI or Django), or undefined
   * when it can. The harness then leaves it out with a note instead of failing the run.
   */
  readonly unavailable?: () => string | undefined;
  /** How long it may take to print its ready line (default 15 s). */
  readonly readyTimeoutMs?: number;
}

/** A named benchmark: every server gets the same requests, one server at a time. */
export interface Workload {
  readonly name: string;
  /** One line for `--list` and the report. */
  readonly description: string;
  /** Name of the server the others are divided by (the ratio column); usually `node`. */
  readonly baseline: string;
  readonly servers: readonly BenchServer[];
  /** At least one; several are sent round-robin on every connection. */
  readonly requests: readonly BenchRequest[];
  /**
   * Fractions of each server's measured peak (its saturated run in the same round) at which
   * it is run again with paced load, for the latency below saturation (`[0.5, 0.9]`: the
   * p99 at 50% and 90% of peak). None by default.
   */
  readonly loadLevels?: readonly number[];
  /**
   * Run once per server start, after its ready line and before the correctness check:
   * resolves to headers added to every request sent to that server (a session cookie
   * from logging in).
   */
  readonly prepare?: (url: string) => Promise<Readonly<Record<string, string>>>;
}

/**
 * A benchmark that is a script of its own rather than HTTP load (the resolver scaling
 * bench): `npm run bench -- NAME` runs it with node and passes its output through.
 */
export interface ScriptBench {
  readonly name: string;
  /** One line for `--list`. */
  readonly description: string;
  /** The script, relative to the repository root. */
  readonly script: string;
}
