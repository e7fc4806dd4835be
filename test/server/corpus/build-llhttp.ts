/**
 * Builds `llhttp.json`, the llhttp part of the external corpus, from a checkout of
 * nodejs/llhttp (MIT licence): its `test/request/*.md` cases of the strict `request` type
 * (the lenient modes are policies Node does not enable). Each case keeps the exact bytes
 * (escapes decoded as llhttp's own harness decodes them), where it came from, and what
 * llhttp made of them: the messages it completed (method, target, body) and whether it
 * stopped on an error. Run: `node test/server/corpus/build-llhttp.ts /path/to/llhttp`.
 *
 * Only data is taken from llhttp (request bytes and expected results), never its code.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const repo = process.argv[2] ?? '/work/.mirror/nodejs+llhttp/repo';
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'latin1' });
const commit = git('rev-parse', 'HEAD').trim();
const files = git('ls-tree', '--name-only', 'HEAD', 'test/request/')
  .split('\n')
  .filter((f) => f.endsWith('.md'));

/** Decodes an http block as llhttp's md-test harness does (the JS-eval escape is left out). */
function decodeInput(block: string): string | undefined {
  let input = block.replace(/\n$/, '');
  input = input.replace(/\\(\r\n|\r|\n)/g, '');
  input = input.replace(/\r\n|\r|\n/g, '\r\n');
  input = input.replace(/\\r/g, '\r');
  input = input.replace(/\\n/g, '\n');
  input = input.replace(/\\t/g, '\t');
  input = input.replace(/\\f/g, '\f');
  input = input.replace(/\\x([0-9a-fA-F]+)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  input = input.replace(/\\([0-7]{1,3})/g, (_, digits: string) => String.fromCharCode(parseInt(digits, 8)));
  if (/\$\{.+?\}/.test(input)) return undefined;
  return input;
}

/** A span value as llparse's test fixture prints it (quotes and backslashes as they are). */
function decodeSpan(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|[rntf])/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return { r: '\r', n: '\n', t: '\t', f: '\f' }[e] as string;
  });
}

interface Message {
  method: string;
  target: string;
  body_base64: string;
  begin: number;
}

function readLog(log: string): { messages: Message[]; error: string | null; started: number[] } {
  const messages: Message[] = [];
  const started: number[] = [];
  let current: { method: string; target: string; body: string; begin: number } | undefined;
  let error: string | null = null;
  for (const line of log.split('\n')) {
    const begin = /^off=(\d+) message begin/.exec(line);
    if (begin !== null) {
      current = { method: '', target: '', body: '', begin: Number(begin[1]) };
      started.push(current.begin);
      continue;
    }
    const span = /^off=\d+ len=\d+ span\[(method|url|body)\]="(.*)"$/.exec(line);
    if (span !== null && current !== undefined) {
      const value = decodeSpan(span[2] as string);
      if (span[1] === 'method') current.method += value;
      else if (span[1] === 'url') current.target += value;
      else current.body += value;
      continue;
    }
    if (/ message complete/.test(line) && current !== undefined) {
      messages.push({
        method: current.method,
        target: current.target,
        body_base64: Buffer.from(current.body, 'latin1').toString('base64'),
        begin: current.begin,
      });
      current = undefined;
      continue;
    }
    const failed = /^off=\d+ error code=(\d+) reason="(.*)"$/.exec(line);
    if (failed !== null) error = `${failed[1]}: ${failed[2]}`;
  }
  return { messages, error, started };
}

const cases: unknown[] = [];
for (const file of files) {
  const text = git('show', `HEAD:${file}`);
  const lines = text.split('\n');
  const headings: string[] = [];
  let meta: Record<string, unknown> | undefined;
  let metaLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^(#{1,4}) (.*)$/.exec(line);
    const underline = /^(=+|-+)$/.exec(lines[i + 1] ?? '');
    if (heading !== null || (underline !== null && line.trim() !== '')) {
      const level =
        heading !== null ? (heading[1] as string).length : underline?.[1]?.startsWith('=') ? 1 : 2;
      headings.length = level - 1;
      headings.push((heading !== null ? (heading[2] as string) : line).trim());
      continue;
    }
    const metaMatch = /^<!-- meta=(\{.*\}) -->$/.exec(line);
    if (metaMatch !== null) {
      meta = JSON.parse(metaMatch[1] as string) as Record<string, unknown>;
      metaLine = i + 1;
      continue;
    }
    if (line === '```http' && meta !== undefined) {
      const end = lines.indexOf('```', i + 1);
      const block = lines.slice(i + 1, end).join('\n') + '\n';
      const logStart = lines.indexOf('```log', end);
      const logEnd = lines.indexOf('```', logStart + 1);
      const log = lines.slice(logStart + 1, logEnd).join('\n');
      i = logEnd;
      const thisMeta = meta;
      meta = undefined;
      if (thisMeta.type !== 'request' || thisMeta.skip === true || thisMeta.noScan === true) continue;
      const input = decodeInput(block);
      if (input === undefined) continue;
      const { messages, error, started } = readLog(log);
      // RFC 9112 3.2 makes Host mandatory in HTTP/1.1 and llhttp's cases mostly lack it: like
      // the gunicorn corpus, a copy with `Host: corpus.test` added to each such request is kept.
      let withHost = input;
      for (const begin of [...started].reverse()) {
        const lineEnd = input.indexOf('\r\n', begin);
        const headEnd = input.indexOf('\r\n\r\n', begin);
        if (lineEnd === -1 || !input.slice(begin, lineEnd).endsWith('HTTP/1.1')) continue;
        const head = input.slice(lineEnd, headEnd === -1 ? input.length : headEnd + 2);
        if (/\r\nhost:/i.test(head)) continue;
        withHost = `${withHost.slice(0, lineEnd + 2)}Host: corpus.test\r\n${withHost.slice(lineEnd + 2)}`;
      }
      cases.push({
        name: `${file.replace('test/request/', '').replace('.md', '')}:${metaLine} ${headings.filter(Boolean).slice(1).join(' / ')}`,
        source: `nodejs/llhttp@${commit.slice(0, 12)} ${file}:${metaLine}`,
        licence: 'MIT (llhttp, Copyright Fedor Indutny)',
        raw_base64: Buffer.from(input, 'latin1').toString('base64'),
        ...(withHost === input
          ? {}
          : { raw_with_host_base64: Buffer.from(withHost, 'latin1').toString('base64') }),
        llhttp: {
          messages: messages.map(({ method, target, body_base64 }) => ({ method, target, body_base64 })),
          error,
        },
      });
    }
  }
}

const out = new URL('./llhttp.json', import.meta.url);
writeFileSync(
  out,
  `${JSON.stringify({ source: `nodejs/llhttp ${commit}, test/request/*.md`, licence: 'MIT', cases }, null, 1)}\n`,
);
console.log(`${cases.length} cases from ${files.length} files -> ${out.pathname}`);
