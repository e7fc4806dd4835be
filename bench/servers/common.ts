/**
 * What every benchmark server shares: where to listen, the ready line the harness waits
 * for, and a clean exit on SIGTERM (so `node --cpu-prof` gets to write its profile).
 */

/** The host every benchmark server binds: load never leaves the loopback interface. */
export const HOST = '127.0.0.1';

/** The port from `argv[2]`, else `$PORT`, else 0 (the kernel picks one; the ready line says which). */
export function portFromArgs(): number {
  const raw = process.argv[2] ?? process.env.PORT ?? '0';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`bad port ${JSON.stringify(raw)}: give a number from 0 to 65535`);
  }
  return port;
}

/**
 * Prints the line the harness waits for, `ready http://127.0.0.1:PORT`, and arranges for
 * SIGTERM/SIGINT to close the server and exit 0.
 */
export function announce(port: number, close: () => Promise<unknown> | void): void {
  process.stdout.write(`ready http://${HOST}:${port}\n`);
  const stop = () => {
    // Connections are kept alive by the load generator: do not wait for them.
    const timer = setTimeout(() => process.exit(0), 500);
    timer.unref();
    Promise.resolve(close()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
