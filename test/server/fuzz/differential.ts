/**
 * Differential fuzzing of the two HTTP engines: request byte streams, mutated from the
 * corpus, are sent to Portico's engine and to the `node` engine (llhttp) at once, and what
 * each hands to the application is compared.
 *
 * The property checked is the one request smuggling breaks: the engines never frame the
 * same bytes differently. Every request both served must be the same (method, target,
 * headers, body), in the same order; when one engine served fewer, it must have refused
 * the rest (a 4xx or a closed connection), which is a difference of policy, not of framing,
 * and is counted rather than failed.
 *
 * Used by `test/server/fuzz.test.ts` (a bounded run) and `bench/fuzz-http.ts` (a long one).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { serve, type TsgiServer } from '../../../src/server/index.ts';
import type { Application, Environ, ErrorStream } from '../../../src/tsgi/types.ts';

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The starting points: every case of the external corpus, and a few plain requests. */
export function seeds(): Buffer[] {
  const out: Buffer[] = [
    Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'),
    Buffer.from(
      'POST /p?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: a\r\n\r\n',
    ),
    Buffer.from(
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nX: y\r\n\r\nGET /n HTTP/1.1\r\nHost: a\r\n\r\n',
    ),
    Buffer.from('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n'),
  ];
  for (const file of ['llhttp.json', 'smuggling.json']) {
    const url = new URL(`../corpus/${file}`, import.meta.url);
    const cases = JSON.parse(readFileSync(url, 'utf8')).cases as {
      raw?: string;
      raw_base64?: string;
      raw_with_host_base64?: string;
    }[];
    for (const c of cases) {
      if (c.raw_with_host_base64 !== undefined) out.push(Buffer.from(c.raw_with_host_base64, 'base64'));
      else if (c.raw_base64 !== undefined) out.push(Buffer.from(c.raw_base64, 'base64'));
      else if (c.raw !== undefined) out.push(Buffer.from(c.raw, 'latin1'));
    }
  }
  return out;
}

const INTERESTING = [
  '\r',
  '\n',
  '\r\n',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '0',
  '1',
  'a',
  'f',
  '\x00',
  '\x0b',
  '\xa0',
  '\x7f',
  '\xff',
  '"',
  '\r\n\r\n',
  ' chunked',
  ',chunked',
  'Transfer-Encoding: chunked\r\n',
  'Content-Length: 3\r\n',
  'Content-Length: 0\r\n',
  'Connection: close\r\n',
  'Expect: 100-continue\r\n',
  '0\r\n\r\n',
  '3\r\nabc\r\n',
  ';x=y',
  'GET / HTTP/1.1\r\nHost: b\r\n\r\n',
].map((text) => Buffer.from(text, 'latin1'));

/** One mutation of `input`, chosen by `random`. */
function mutate(input: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * (input.length + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  switch (Math.floor(random() * 7)) {
    case 0: // replace a byte
      if (input.length === 0) return input;
      return Buffer.concat([input.subarray(0, at), pick(INTERESTING).subarray(0, 1), input.subarray(at + 1)]);
    case 1: // insert something
      return Buffer.concat([input.subarray(0, at), pick(INTERESTING), input.subarray(at)]);
    case 2: {
      // delete a short range
      const length = 1 + Math.floor(random() * 4);
      return Buffer.concat([input.subarray(0, at), input.subarray(at + length)]);
    }
    case 3: {
      // duplicate a line
      const start = input.lastIndexOf('\n', at - 1) + 1;
      const end = input.indexOf('\n', at);
      if (end === -1) return input;
      const line = input.subarray(start, end + 1);
      return Buffer.concat([input.subarray(0, end + 1), line, input.subarray(end + 1)]);
    }
    case 4: {
      // a CRLF becomes a bare LF or a bare CR
      const crlf = input.indexOf('\r\n', at);
      if (crlf === -1) return input;
      const keep = random() < 0.5 ? '\n' : '\r';
      return Buffer.concat([input.subarray(0, crlf), Buffer.from(keep), input.subarray(crlf + 2)]);
    }
    case 5: {
      // a digit changes
      for (let i = at; i < input.length; i++) {
        const code = input[i] as number;
        if (code >= 48 && code <= 57) {
          const copy = Buffer.from(input);
          copy[i] = 48 + Math.floor(random() * 10);
          return copy;
        }
      }
      return input;
    }
    default: {
      // a header name's case or a letter changes
      const copy = Buffer.from(input);
      if (copy.length > 0 && at < copy.length) copy[at] = (copy[at] as number) ^ 0x20;
      return copy;
    }
  }
}

/** `count` cases from `seed`: each a corpus entry with one to three mutations. */
export function generateCases(seed: number, count: number): Buffer[] {
  const random = prng(seed);
  const base = seeds();
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    let bytes = base[Math.floor(random() * base.length)] as Buffer;
    const mutations = 1 + Math.floor(random() * 3);
    for (let m = 0; m < mutations; m++) bytes = mutate(bytes, random);
    out.push(bytes);
  }
  return out;
}

/** What one engine made of one case. */
export interface Outcome {
  /** The requests whose bodies were read whole, in order. */
  served: string[];
  /** True when the engine answered a 4xx/5xx or closed the connection. */
  refused: boolean;
}

/** A case where the engines framed the bytes differently. */
export interface Disagreement {
  index: number;
  bytes: string;
  portico: Outcome;
  node: Outcome;
}

const quiet: ErrorStream = { write() {}, flush() {} };

/** A request as compared: method, target, protocol, every header in environ form, the body. */
function describe(environ: Environ, body: Uint8Array): string {
  const headers = Object.keys(environ)
    .filter((key) => key.startsWith('HTTP_') || key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH')
    .sort()
    .map((key) => `${key}=${JSON.stringify(environ[key])}`);
  return JSON.stringify([
    environ.REQUEST_METHOD,
    environ.REQUEST_URI,
    environ.SERVER_PROTOCOL,
    headers,
    Buffer.from(body).toString('latin1'),
  ]);
}

/** Requests recorded per client port (an array per connection: a reused port gets a new one). */
type Records = Map<number, (string | undefined)[]>;

/** The two servers under comparison, recording requests by the client's port. */
export async function startPair(): Promise<{
  portico: TsgiServer;
  node: TsgiServer;
  records: { portico: Records; node: Records };
  close(): Promise<void>;
}> {
  const records = { portico: new Map() as Records, node: new Map() as Records };
  const recorder =
    (records: Records): Application =>
    async (environ, start) => {
      // A slot is taken when the application is called, in request order (node:http runs
      // pipelined requests concurrently), and filled once the body has been read whole.
      const port = Number(environ.REMOTE_PORT);
      let list = records.get(port);
      if (list === undefined) records.set(port, (list = []));
      const slot = list.length;
      list.push(undefined);
      const body = await environ['tsgi.input'].read();
      list[slot] = describe(environ, body);
      start('200 OK', [['Content-Type', 'text/plain']]);
      return ['ok'];
    };
  const options = { host: '127.0.0.1', port: 0, errors: quiet, headerTimeout: 2, keepaliveTimeout: 2 };
  const portico = await serve(recorder(records.portico), { ...options, engine: 'portico' });
  const node = await serve(recorder(records.node), { ...options, engine: 'node' });
  return {
    portico,
    node,
    records,
    async close() {
      await Promise.all([portico.close(50), node.close(50)]);
    },
  };
}

/** Sends `bytes` on a new connection; resolves with the client port, what came back, and whether it closed. */
function send(
  port: number,
  bytes: Buffer,
  idleMs: number,
  records: Records,
): Promise<{ local: number; data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let local = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(cap);
      socket.destroy();
      resolve({ local, data: Buffer.concat(chunks), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    const cap = setTimeout(() => finish(false), 3000);
    socket.on('connect', () => {
      local = socket.localPort ?? 0;
      // The port may have served an earlier case: what that one recorded late is not ours.
      records.delete(local);
      socket.write(bytes);
      arm();
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      arm();
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

/** The requests read whole, in the order they were called (up to the first that was not). */
function servedOf(list: (string | undefined)[] | undefined): string[] {
  const out: string[] = [];
  for (const entry of list ?? []) {
    if (entry === undefined) break;
    out.push(entry);
  }
  return out;
}

function refusedBy(data: Buffer, closed: boolean): boolean {
  return closed || /HTTP\/1\.[01] [45]\d\d /.test(data.toString('latin1'));
}

/**
 * Runs `cases` against both engines, `concurrency` at a time; returns the framing
 * disagreements and how many cases differed only in policy (one engine refused sooner).
 */
export async function runDifferential(
  cases: Buffer[],
  { concurrency = 16, idleMs = 60 }: { concurrency?: number; idleMs?: number } = {},
): Promise<{ disagreements: Disagreement[]; policy: number; agreed: number; served: number }> {
  const pair = await startPair();
  const disagreements: Disagreement[] = [];
  let policy = 0;
  let agreed = 0;
  let served = 0;
  try {
    let next = 0;
    /** Runs one case on both engines; `wait` is the quiet time that ends a connection. */
    const once = async (bytes: Buffer, wait: number): Promise<[Outcome, Outcome]> => {
      const [a, b] = await Promise.all([
        send(pair.portico.address.port, bytes, wait, pair.records.portico),
        send(pair.node.address.port, bytes, wait, pair.records.node),
      ]);
      // Let an application still finishing its read record it.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const portico: Outcome = {
        served: servedOf(pair.records.portico.get(a.local)),
        refused: refusedBy(a.data, a.closed),
      };
      const node: Outcome = {
        served: servedOf(pair.records.node.get(b.local)),
        refused: refusedBy(b.data, b.closed),
      };
      pair.records.portico.delete(a.local);
      pair.records.node.delete(b.local);
      return [portico, node];
    };
    const differs = (portico: Outcome, node: Outcome): boolean => {
      const common = Math.min(portico.served.length, node.served.length);
      for (let i = 0; i < common; i++) if (portico.served[i] !== node.served[i]) return true;
      const shorter = portico.served.length < node.served.length ? portico : node;
      return portico.served.length !== node.served.length && !shorter.refused;
    };
    const worker = async () => {
      while (next < cases.length) {
        const index = next++;
        const bytes = cases[index] as Buffer;
        let [portico, node] = await once(bytes, idleMs);
        // On a loaded machine an engine may not have answered within the quiet time: a
        // difference counts only if it is still there when both are given ample time.
        for (let retry = 0; retry < 2 && differs(portico, node); retry++) {
          [portico, node] = await once(bytes, 500);
        }
        served += portico.served.length + node.served.length;
        if (differs(portico, node)) {
          disagreements.push({ index, bytes: JSON.stringify(bytes.toString('latin1')), portico, node });
        } else if (portico.served.length !== node.served.length) policy++;
        else agreed++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pair.close();
  }
  return { disagreements, policy, agreed, served };
}
