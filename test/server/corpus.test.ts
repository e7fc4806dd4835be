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
import { describe, test } from 'node:test';
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
