/**
 * The raw-request corpus (gunicorn's valid and invalid requests, in ../shared/http-corpus)
 * against the real server over a socket: every invalid request is refused without calling
 * the application; every valid one reaches it with the expected environ.
 *
 * Our stance on the policy cases (see docs/server.md, "Parser stance"): no PROXY protocol;
 * no obsolete line folding; only registered methods, case-sensitive; `Name : value` (space
 * before the colon) refused; names with `_` dropped, never mapped onto their dashed twin.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { defaultServerOptions, type ServerOptions } from '../../src/server/options.ts';
import { decodePathInfo } from '../../src/tsgi/url.ts';
import type { Application, Environ } from '../../src/tsgi/types.ts';
import { plainEnviron, startServer } from '../helpers/apps.ts';
import { ENGINES } from '../helpers/http1.ts';
import { exchangeRaw, parseResponses } from '../helpers/raw-http.ts';

interface CorpusRequest {
  method: string;
  path: string;
  query: string;
  raw_target: string;
  headers: [string, string][];
  body_base64: string;
}

interface CorpusCase {
  name: string;
  kind: 'valid' | 'invalid';
  raw_base64: string;
  raw_with_host_base64?: string;
  parser_settings: Record<string, unknown>;
  requests?: CorpusRequest[];
  rfc_may_refuse?: string[];
  error?: string;
}

const corpusFile = new URL('../../../shared/http-corpus/gunicorn-cases.json', import.meta.url);

/** Settings under which a case tests a policy we deliberately do not share. */
const notOurPolicy = new Set([
  'proxy_protocol',
  'permit_obsolete_folding',
  'permit_unconventional_http_method',
  'casefold_http_method',
  'strip_header_spaces',
  'header_map',
]);

/** A case whose body is shorter than its Content-Length: gunicorn's harness never reads it all. */
function truncatedBody(c: CorpusCase): boolean {
  const raw = Buffer.from(c.raw_base64, 'base64');
  const headEnd = raw.indexOf('\r\n\r\n');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.subarray(0, headEnd).toString('latin1'));
  return length !== null && c.requests?.length === 1 && Number(length[1]) > raw.length - headEnd - 4;
}

function policyCase(c: CorpusCase): boolean {
  return Object.keys(c.parser_settings).some((key) => notOurPolicy.has(key));
}

function expectedEnvironKey(name: string): string | null {
  if (name.includes('_')) return null;
  const key = name.toUpperCase().replaceAll('-', '_');
  return key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH' ? key : `HTTP_${key}`;
}

const corpus: CorpusCase[] = existsSync(corpusFile) ? JSON.parse(readFileSync(corpusFile, 'utf8')).cases : [];

for (const engine of ENGINES) {
  describe(
    `HTTP corpus: ${engine} engine`,
    { skip: corpus.length === 0 ? 'shared/http-corpus not found' : false },
    async () => {
      // Pipelined requests run concurrently (responses still go out in order), so a call is
      // recorded when it starts; `body` is filled in once the whole body has been read, and
      // stays undefined when reading it failed.
      const seen: { environ: Record<string, string | number | boolean>; body?: Buffer }[] = [];
      const recorder: Application = async (environ: Environ, start) => {
        const record: (typeof seen)[number] = { environ: plainEnviron(environ) };
        seen.push(record);
        record.body = Buffer.from(await environ['tsgi.input'].read());
        start('200 OK', [['Content-Type', 'text/plain']]);
        return ['ok'];
      };
      // One server per set of limits a case asks for (gunicorn's names, our options), all
      // started here so they live as long as the suite.
      const optionsFor = (settings: Record<string, unknown>): Partial<ServerOptions> => {
        const options: Partial<ServerOptions> = {};
        const {
          limit_request_fields: fields,
          limit_request_field_size: fieldSize,
          limit_request_line: line,
        } = settings;
        if (typeof fields === 'number' && fields > 0) options.limitRequestFields = fields;
        if (typeof fieldSize === 'number' && fieldSize > 0) options.limitRequestFieldSize = fieldSize;
        if (typeof line === 'number' && line > 0) options.limitRequestLine = line;
        // gunicorn bounds a head only by those limits; our buffer-size caps the whole head, so
        // a case raising them gets room for one longest line and one longest field.
        const room = (options.limitRequestLine ?? 0) + (options.limitRequestFieldSize ?? 0) + 64;
        if (room > defaultServerOptions.bufferSize) options.bufferSize = room;
        return options;
      };
      const servers = new Map<string, { port: number }>();
      for (const c of corpus) {
        const key = JSON.stringify(optionsFor(c.parser_settings));
        if (!servers.has(key)) {
          servers.set(key, await startServer(recorder, { ...optionsFor(c.parser_settings), engine }));
        }
      }
      const serverFor = (settings: Record<string, unknown>) =>
        servers.get(JSON.stringify(optionsFor(settings))) as { port: number };
      /** True when the application was called and read the whole body: the request was accepted. */
      const accepted = () => seen.some((record) => record.body !== undefined);

      for (const c of corpus.filter((x) => x.kind === 'invalid')) {
        test(
          `${c.name} (${c.error}) is refused`,
          {
            skip: policyCase(c) ? 'a policy we do not share' : false,
          },
          async () => {
            seen.length = 0;
            const server = serverFor(c.parser_settings);
            // The client half-closes after its bytes, as gunicorn's harness ends its input.
            const { data, closed } = await exchangeRaw(server.port, Buffer.from(c.raw_base64, 'base64'), {
              idleMs: 300,
              end: true,
            });
            const responses = data.length > 0 ? parseResponses(data) : [];
            // A defect in the body (framing, trailers) shows only once the application reads it:
            // then the read fails and the request is refused all the same.
            assert.ok(
              !accepted(),
              `the request must not be accepted (saw ${JSON.stringify(seen[0]?.environ.REQUEST_URI)})`,
            );
            assert.ok(
              closed || responses.some((r) => r.status >= 400),
              `expected a 4xx or a closed connection, got ${JSON.stringify(data.toString('latin1').slice(0, 80))}`,
            );
          },
        );
      }

      for (const c of corpus.filter((x) => x.kind === 'valid')) {
        const mayRefuse = (c.rfc_may_refuse ?? []).length > 0;
        const skip = policyCase(c)
          ? 'a policy we do not share'
          : truncatedBody(c)
            ? 'its body is shorter than its Content-Length'
            : false;
        test(`${c.name} reaches the application`, { skip }, async () => {
          seen.length = 0;
          const server = serverFor(c.parser_settings);
          const raw = Buffer.from(c.raw_with_host_base64 ?? c.raw_base64, 'base64');
          const { data } = await exchangeRaw(server.port, raw, { idleMs: 300 });
          const expected = c.requests ?? [];
          if (mayRefuse && !accepted()) {
            // Refusing is allowed here (RFC grounds listed in the case); then it must be a clean refusal.
            const responses = data.length > 0 ? parseResponses(data) : [];
            assert.ok(responses.every((r) => r.status >= 400));
            return;
          }
          assert.equal(seen.length, expected.length, 'one application call per request');
          expected.forEach((want, i) => {
            const got = seen[i];
            assert.ok(got);
            const env = got.environ;
            assert.equal(env.REQUEST_METHOD, want.method);
            assert.equal(env.REQUEST_URI, want.raw_target);
            assert.equal(env.QUERY_STRING, want.query);
            const wantPath = want.path.includes('://') ? new URL(want.path).pathname : want.path;
            assert.equal(env.PATH_INFO, wantPath === '*' ? '*' : decodePathInfo(wantPath));
            const joined = new Map<string, string>();
            for (const [name, value] of want.headers) {
              const key = expectedEnvironKey(name);
              if (key === null) continue;
              const prev = joined.get(key);
              joined.set(
                key,
                prev === undefined ? value : `${prev}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`,
              );
            }
            for (const [key, value] of joined) assert.equal(env[key], value, key);
            assert.deepEqual(got.body, Buffer.from(want.body_base64, 'base64'), 'the body');
          });
        });
      }
    },
  );
}

/**
 * The external corpus (test/server/corpus/*.json): request cases from public suites nobody
 * here wrote (llhttp's request tests, Node's request-smuggling regression tests, h11,
 * http-garden's findings, the classic CL.TE / TE.CL / TE.TE obfuscations), each with its
 * source and licence, and what llhttp (or the RFC) makes of the bytes: the messages, in
 * order, and whether the stream is refused after them.
 *
 * What RFC 9112 allows a server, and so what is checked on both engines:
 * - every request the application sees is one of the expected messages, in order, with the
 *   same method, target and body: never a different framing;
 * - after the last request served, the rest is refused (a 4xx or a close) or never read;
 * - serving fewer requests than expected, or more, is a deviation: it must be listed below
 *   with its reason.
 */
interface ExternalMessage {
  method: string;
  target: string;
  body_base64: string;
}

interface ExternalCase {
  name: string;
  source: string;
  licence: string;
  raw_base64?: string;
  raw?: string;
  raw_with_host_base64?: string;
  /** `refusal_allowed`: refusing the whole stream conforms too (the RFC leaves the choice). */
  llhttp: { messages: ExternalMessage[]; error: string | null; refusal_allowed?: boolean };
}

const externalFiles = ['llhttp.json', 'smuggling.json'];
const external: { file: string; cases: ExternalCase[] }[] = externalFiles
  .map((file) => new URL(`./corpus/${file}`, import.meta.url))
  .filter((url) => existsSync(url))
  .map((url) => ({
    file: url.pathname.split('/').pop() as string,
    cases: JSON.parse(readFileSync(url, 'utf8')).cases,
  }));

const CONNECT = 'CONNECT is answered 405: an origin server is not a proxy (RFC 9110 9.3.6 lets it refuse)';
const NOT_HTTP =
  'ICE/ and RTSP/ request lines are not HTTP: a 400 (the node engine serves them as HTTP/1.x, as llhttp parses them)';

/**
 * Where an engine serves a different number of requests than llhttp (never different ones):
 * the case's name, the engines, and why. A case listed here that no longer deviates fails
 * too, so the list stays exact.
 */
const EXTERNAL_DEVIATIONS: Record<string, { engines: ServerOptions['engine'][]; reason: string }> = {
  'content-length:446 Content-Length reset when no body is received': {
    engines: ['portico', 'node'],
    reason:
      "llhttp's harness skips the body here (its callback says so); by RFC 9112 6.3 the bytes after the " +
      'first head are its 123-byte body, which never completes: nothing is served',
  },
  'method:29 CONNECT request': { engines: ['portico', 'node'], reason: CONNECT },
  'method:64 CONNECT request with CAPS': { engines: ['portico', 'node'], reason: CONNECT },
  'method:98 CONNECT with body': { engines: ['portico', 'node'], reason: CONNECT },
  'uri:190 Underscore in hostname': { engines: ['portico', 'node'], reason: CONNECT },
  'method:137 M-SEARCH request': {
    engines: ['portico', 'node'],
    reason: 'the asterisk form is for OPTIONS only (RFC 9112 3.2.4): M-SEARCH * (SSDP) is a 400',
  },
  'method:374 SOURCE request with ICE': { engines: ['portico'], reason: NOT_HTTP },
  'method:404 OPTIONS request with RTSP': { engines: ['portico'], reason: NOT_HTTP },
  'method:432 ANNOUNCE request with RTSP': { engines: ['portico'], reason: NOT_HTTP },
  'sample:316 No HTTP version': {
    engines: ['portico', 'node'],
    reason: 'an HTTP/0.9 request line (no version) is refused: 400 (portico) or 505 (node)',
  },
  'h11: test_ChunkedReader: extensions with spaces and quotes': {
    engines: ['node'],
    reason: 'llhttp refuses whitespace around `;` in a chunk extension, which RFC 9112 7.1.1 allows (BWS)',
  },
  'transfer-encoding:188 `chunked` / Trailing headers': {
    engines: ['portico', 'node'],
    reason:
      'Content-Type in a trailer is refused (RFC 9110 6.5.1: content metadata must come before the body)',
  },
};

function externalBytes(c: ExternalCase): Buffer {
  if (c.raw_with_host_base64 !== undefined) return Buffer.from(c.raw_with_host_base64, 'base64');
  if (c.raw_base64 !== undefined) return Buffer.from(c.raw_base64, 'base64');
  return Buffer.from(c.raw as string, 'latin1');
}

for (const engine of ENGINES) {
  describe(
    `external HTTP corpus: ${engine} engine`,
    { skip: external.length === 0 ? 'no corpus' : false },
    async () => {
      const seen: { method: string; target: string; body?: Buffer }[] = [];
      const recorder: Application = async (environ: Environ, start) => {
        const record: (typeof seen)[number] = {
          method: environ.REQUEST_METHOD as string,
          target: environ.REQUEST_URI as string,
        };
        seen.push(record);
        record.body = Buffer.from(await environ['tsgi.input'].read());
        start('200 OK', [['Content-Type', 'text/plain']]);
        return ['ok'];
      };
      const server = await startServer(recorder, { engine, headerTimeout: 2 });
      const deviations: string[] = [];
      for (const { file, cases } of external) {
        for (const c of cases) {
          test(`${file}: ${c.name}`, async () => {
            seen.length = 0;
            // The client half-closes, so the server answers and closes, or waits for its
            // header timeout; the idle wait only bounds a stalled exchange, and is long
            // enough that a loaded machine's slow answer is not taken for no answer.
            const { data, closed } = await exchangeRaw(server.port, externalBytes(c), {
              idleMs: 2500,
              end: true,
            });
            await new Promise((resolve) => setImmediate(resolve));
            const served = seen.filter((record) => record.body !== undefined);
            const expected = c.llhttp.messages;
            // Never a different framing: what was served is a prefix of what is expected.
            served.forEach((got, i) => {
              const want = expected[i];
              assert.ok(
                want !== undefined,
                `request ${i + 1} served, llhttp saw ${expected.length} (${c.source})`,
              );
              assert.equal(got.method, want.method, `method of request ${i + 1}`);
              assert.equal(got.target, want.target, `target of request ${i + 1}`);
              assert.equal(
                (got.body as Buffer).toString('latin1'),
                Buffer.from(want.body_base64, 'base64').toString('latin1'),
                `body of request ${i + 1}`,
              );
            });
            const responses = data.length > 0 ? parseResponses(data) : [];
            const refusedRest = closed || responses.some((r) => r.status >= 400);
            const refusedWhole = served.length === 0 && refusedRest && c.llhttp.refusal_allowed === true;
            const deviates =
              !refusedWhole &&
              (served.length !== expected.length || (c.llhttp.error !== null && !refusedRest));
            const listed = EXTERNAL_DEVIATIONS[c.name];
            if (deviates) {
              deviations.push(
                `${c.name}: served ${served.length}, llhttp ${expected.length}${c.llhttp.error ? ` then error ${c.llhttp.error}` : ''}; responses ${responses.map((r) => r.status).join(',')}`,
              );
            }
            if (process.env.PORTICO_CORPUS_REPORT === undefined) {
              assert.equal(
                deviates,
                listed !== undefined && listed.engines.includes(engine),
                deviates
                  ? `served ${served.length} request(s), llhttp ${expected.length}${c.llhttp.error === null ? '' : ` then refused (${c.llhttp.error})`}: not a listed deviation (${c.source})`
                  : 'listed as a deviation, but no longer deviates',
              );
            }
          });
        }
      }
      after(() => {
        if (process.env.PORTICO_CORPUS_REPORT !== undefined)
          console.log(`${engine} deviations:\n${deviations.join('\n')}`);
      });
    },
  );
}
