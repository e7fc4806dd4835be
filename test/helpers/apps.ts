/**
 * Small TSGI applications and a server fixture for tests.
 */
import { after } from 'node:test';
import { serve, type TsgiServer } from '../../src/server/index.ts';
import type { ServerOptions } from '../../src/server/options.ts';
import type { Application, Environ, ErrorStream } from '../../src/tsgi/types.ts';

/** An error stream that keeps what was written, for asserting on logs. */
export function memoryErrors(): ErrorStream & { text: () => string } {
  const lines: string[] = [];
  return {
    write: (text: string) => void lines.push(text),
    flush: () => {},
    text: () => lines.join(''),
  };
}

/** Starts a server on a free loopback port, closed after the test file. */
export async function startServer(
  app: Application | { prefix: string; app: Application }[],
  options: Partial<ServerOptions> = {},
): Promise<TsgiServer & { port: number; errors: ReturnType<typeof memoryErrors> }> {
  const errors = memoryErrors();
  const server = await serve(app, { host: '127.0.0.1', port: 0, errors, ...options });
  after(() => server.close(100));
  return Object.assign(server, { port: server.address.port, errors });
}

/** Answers with the environ's string/number/boolean entries as JSON (and the body). */
export const environApp: Application = async (environ, start) => {
  const body = await environ['tsgi.input'].read();
  start('200 OK', [['Content-Type', 'application/json']]);
  return [JSON.stringify({ ...plainEnviron(environ), body: Buffer.from(body).toString('latin1') })];
};

/** The JSON-safe part of an environ. */
export function plainEnviron(environ: Environ): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(environ)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  return out;
}
