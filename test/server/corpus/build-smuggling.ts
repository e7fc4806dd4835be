/**
 * Builds `smuggling.json`: request-smuggling cases, each with its source and licence and
 * the outcome RFC 9112 allows, in the external corpus's format (`llhttp.messages` is what
 * a conforming server may serve, in order; `error` says the rest must be refused).
 *
 * - Node.js's regression tests for its request-smuggling CVEs (MIT licence): the request
 *   bytes each test sends, with the outcome the test asserts;
 * - the classic CL.TE / TE.CL / TE.TE obfuscations (James Kettle, "HTTP Desync Attacks",
 *   PortSwigger 2019; the header variants of his and the later http-garden survey), written
 *   out here as request bytes: the technique, not anyone's code;
 * - RFC 9112's own framing rules (sections 6.1, 6.3, 7.1), one case each.
 *
 * Run: `node test/server/corpus/build-smuggling.ts`.
 */
import { writeFileSync } from 'node:fs';

const NODE = 'MIT (Node.js contributors)';
const OURS = 'MIT (Portico), after the cited technique';
const crlf = (...lines: string[]) => lines.join('\r\n');
const msg = (method: string, target: string, body = '') => ({
  method,
  target,
  body_base64: Buffer.from(body, 'latin1').toString('base64'),
});
const REFUSE = 'refused: the framing is ambiguous';

interface Case {
  name: string;
  source: string;
  licence: string;
  raw: string;
  messages: ReturnType<typeof msg>[];
  error: string | null;
  /** Refusing the whole stream also conforms (RFC leeway); serving must still match. */
  refusalAllowed?: boolean;
}
const cases: Case[] = [];
const add = (c: Case) => cases.push(c);

// Node.js test/parallel (commit cited per file).
add({
  name: 'node: two Transfer-Encoding lines, the last not chunked (CVE-2022-32215)',
  source: 'nodejs/node@a63f8c907d26 test/parallel/test-http-transfer-encoding-smuggling.js (first case)',
  licence: NODE,
  raw: crlf(
    'POST / HTTP/1.1',
    'Host: 127.0.0.1',
    'Transfer-Encoding: chunked',
    'Transfer-Encoding: chunked-false',
    'Connection: upgrade',
    '',
    '1',
    'A',
    '0',
    '',
    'GET /flag HTTP/1.1',
    'Host: 127.0.0.1',
    '',
    '',
  ),
  messages: [],
  error: REFUSE,
});
add({
  name: 'node: Transfer-Encoding continued by obs-fold with a second coding',
  source: 'nodejs/node@a63f8c907d26 test/parallel/test-http-transfer-encoding-smuggling.js (second case)',
  licence: NODE,
  raw: crlf(
    'POST / HTTP/1.1',
    'Host: 127.0.0.1',
    'Transfer-Encoding: chunked',
    ' , chunked-false',
    'Connection: upgrade',
    '',
    '1',
    'A',
    '0',
    '',
    'GET /flag HTTP/1.1',
    'Host: 127.0.0.1',
    '',
    '',
  ),
  // RFC 9112 5.2: reject obs-fold, or unfold it, which gives `chunked , chunked-false`: not chunked last, a 400.
  messages: [],
  error: REFUSE,
});
add({
  name: 'node: bare LF after an empty chunk extension (CVE-2021-22959 family)',
  source: 'nodejs/node@65d5a5886dba test/parallel/test-http-chunked-smuggling.js',
  licence: NODE,
  raw: 'GET / HTTP/1.1\r\nHost: localhost:8080\r\nTransfer-Encoding: chunked\r\n\r\n2;\nxx\r\n4c\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: localhost:8080\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  messages: [],
  error: REFUSE,
});
add({
  name: 'node: a space before the colon of Content-Length (CVE-2021-22960 family)',
  source:
    'nodejs/node test/parallel/test-http-request-smuggling-content-length.js (as in LiviaMedeiros/done@3c40ebe10d37)',
  licence: NODE,
  raw: 'GET / HTTP/1.1\r\nHost: localhost:5000\r\nContent-Length : 5\r\n\r\nhello',
  messages: [],
  error: REFUSE,
});

// The classic desync shapes: each must be refused, or framed exactly one way.
const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
const teVariants: [string, string][] = [
  ['Transfer-Encoding: xchunked', 'unknown coding'],
  ['Transfer-Encoding : chunked', 'space before the colon'],
  ['Transfer-Encoding: chunked\r\nTransfer-Encoding: x', 'a second, unknown coding'],
  ['Transfer-Encoding:\tchunked', 'tab as OWS (valid)'],
  ['Transfer-Encoding: chunked, identity', 'identity after chunked'],
  ['Transfer-Encoding: identity, chunked', 'identity before chunked (valid: chunked is last)'],
  ['Transfer-Encoding:\x0bchunked', 'vertical tab'],
  ['Transfer-Encoding:\x0cchunked', 'form feed'],
  ['Transfer-Encoding: chunked\x00', 'NUL'],
  ['Transfer-Encoding: \xa0chunked', 'U+00A0 before'],
  ['Transfer-Encoding: chunked\xa0', 'U+00A0 after'],
  ['Transfer-Encoding: "chunked"', 'quoted'],
  ['Transfer-Encoding: chunk', 'truncated'],
  ['Transfer-Encoding: CHUNKED', 'upper case (valid: codings are case-insensitive)'],
  ['X: y\nTransfer-Encoding: chunked', 'after a bare LF'],
  ['Transfer-Encoding\r\n : chunked', 'obs-fold before the colon'],
  [' Transfer-Encoding: chunked', 'leading space (obs-fold of the line before)'],
  ['Transfer-Encoding: chunked;q=1', 'a parameter on chunked'],
];
for (const [header, what] of teVariants) {
  const valid = what.includes('(valid');
  // CL.TE: a front end that ignores this Transfer-Encoding uses the Content-Length; both together are a 400 anyway.
  add({
    name: `TE.CL: ${what} beside Content-Length`,
    source:
      'Kettle, "HTTP Desync Attacks" (PortSwigger, 2019): TE.TE obfuscation, CL.TE/TE.CL shapes; RFC 9112 6.1',
    licence: OURS,
    raw: `POST / HTTP/1.1\r\nHost: x\r\n${header}\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n`,
    messages: [],
    error:
      'refused: Transfer-Encoding beside Content-Length (RFC 9112 6.1: may be refused; framing on either is unsafe)',
  });
  // TE alone: the body is chunked when the coding is chunked, else the request is a 400.
  add({
    name: `TE alone: ${what}`,
    source: 'Kettle, "HTTP Desync Attacks" (PortSwigger, 2019): TE.TE obfuscation; RFC 9112 6.3 (3)',
    licence: OURS,
    raw: `POST / HTTP/1.1\r\nHost: x\r\n${header}\r\n\r\n3\r\nabc\r\n0\r\n\r\n${smuggled}`,
    messages: valid ? [msg('POST', '/', 'abc'), msg('GET', '/smuggled')] : [],
    error: valid ? null : REFUSE,
  });
}
// `Transfer_Encoding` is not Transfer-Encoding: only the length frames the request.
add({
  name: 'TE.CL: Transfer_Encoding (underscore) beside Content-Length',
  source: 'Kettle, "HTTP Desync Attacks" (PortSwigger, 2019): header-name obfuscation; RFC 9112 6.3 (5)',
  licence: OURS,
  raw: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer_Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n',
  messages: [msg('POST', '/', '5c\r\n')],
  error: 'refused: GPOST is not a method',
});
add({
  name: 'TE alone: Transfer_Encoding (underscore)',
  source: 'Kettle, "HTTP Desync Attacks" (PortSwigger, 2019): header-name obfuscation; RFC 9112 6.3 (7)',
  licence: OURS,
  raw: `POST / HTTP/1.1\r\nHost: x\r\nTransfer_Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n${smuggled}`,
  messages: [msg('POST', '/')],
  error: 'refused: what follows is not a request line',
});
const clVariants: [string, string, string | null][] = [
  ['Content-Length: 3\r\nContent-Length: 4', 'two different lengths', null],
  ['Content-Length: 3, 4', 'a list of two', null],
  ['Content-Length: 3, 3', 'a list of one value twice (RFC 9110 8.6 may accept; refused here)', null],
  ['Content-Length: +3', 'a sign', null],
  ['Content-Length: 3 ', 'trailing space (OWS, valid)', 'abc'],
  ['Content-Length: 0x3', 'hex', null],
  ['Content-Length: 3\x00', 'NUL', null],
  ['Content-Length: \xa03', 'U+00A0', null],
  ['Content-Length: 03', 'a leading zero (valid)', 'abc'],
  ['Content-Length:3', 'no space (valid)', 'abc'],
  ['Content-Length: 99999999999999999999', 'past 2^53', null],
];
for (const [header, what, body] of clVariants) {
  add({
    name: `CL: ${what}`,
    source: 'RFC 9112 6.3 (5), RFC 9110 8.6; Kettle 2019 CL.CL',
    licence: OURS,
    raw: `POST / HTTP/1.1\r\nHost: x\r\n${header}\r\n\r\nabc${smuggled}`,
    messages: body === null ? [] : [msg('POST', '/', body), msg('GET', '/smuggled')],
    error: body === null ? REFUSE : null,
  });
}
const chunkVariants: [string, string, string | null][] = [
  ['3\r\nabc\r\n0\r\n\r\n', 'plain (valid)', 'abc'],
  ['3;a=b\r\nabc\r\n0\r\n\r\n', 'an extension (valid)', 'abc'],
  ['3;a="b;c"\r\nabc\r\n0\r\n\r\n', 'a quoted extension value (valid)', 'abc'],
  ['3 \r\nabc\r\n0\r\n\r\n', 'space after the size', null],
  ['3\nabc\r\n0\r\n\r\n', 'bare LF after the size', null],
  ['3\r\nabc\n0\r\n\r\n', 'bare LF after the data', null],
  ['3\r\nabcd\r\n0\r\n\r\n', 'more data than the size', null],
  ['-3\r\nabc\r\n0\r\n\r\n', 'a negative size', null],
  ['0x3\r\nabc\r\n0\r\n\r\n', 'a 0x prefix', null],
  ['10000000000000003\r\nabc\r\n0\r\n\r\n', 'a size overflowing 64 bits', null],
  ['3;\r\nabc\r\n0\r\n\r\n', 'an empty extension name', null],
  ['3\r\nabc\r\n0\r\nX: y\r\n\r\n', 'a trailer (valid)', 'abc'],
  ['3\r\nabc\r\n0\r\nX: y\n\r\n', 'a trailer ending in a bare LF', null],
  ['3\r\nabc\r\n0\r\n\n', 'a bare LF ending the trailer section', null],
  ['003\r\nabc\r\n000\r\n\r\n', 'leading zeros (valid)', 'abc'],
];
for (const [body, what, decoded] of chunkVariants) {
  add({
    name: `chunked: ${what}`,
    source: 'RFC 9112 7.1; Node CVE-2021-22959/22960, CVE-2023-30589, CVE-2024-22019 shapes',
    licence: OURS,
    raw: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body}${smuggled}`,
    messages: decoded === null ? [] : [msg('POST', '/', decoded), msg('GET', '/smuggled')],
    error: decoded === null ? REFUSE : null,
  });
}
add({
  name: 'HTTP/1.0 with Transfer-Encoding',
  source: 'RFC 9112 6.1 (a server MUST treat such a message as faulty and close)',
  licence: OURS,
  raw: `POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n${smuggled}`,
  messages: [],
  error: REFUSE,
});
add({
  name: 'GET with a Content-Length body, then a pipelined request',
  source: 'RFC 9112 6.3 (5): the length frames any method',
  licence: OURS,
  raw: `GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc${smuggled}`,
  messages: [msg('GET', '/', 'abc'), msg('GET', '/smuggled')],
  error: null,
});

// h11's parser tests (python-hyper/h11, MIT): its chunked-body and request-line cases, sent
// as the body of a POST (or as the request) followed by a pipelined request.
const H11 = 'python-hyper/h11@114803a29ce5 h11/tests/test_io.py';
const H11_LICENCE = 'MIT (h11 contributors)';
const h11Chunked: [string, string, string | null, string?][] = [
  ['0\r\n\r\n', 'test_ChunkedReader: empty', ''],
  ['0\r\nSome: header\r\n\r\n', 'test_ChunkedReader: a trailer', ''],
  [
    '5\r\n01234\r\n10\r\n0123456789abcdef\r\n0\r\nSome: header\r\n\r\n',
    'test_ChunkedReader: two chunks and a trailer',
    '012340123456789abcdef',
  ],
  [`aA\r\n${'x'.repeat(0xaa)}\r\n0\r\n\r\n`, 'test_ChunkedReader: mixed-case hex', 'x'.repeat(0xaa)],
  [`${'9'.repeat(100)}\r\nxxx`, 'test_ChunkedReader: an arbitrarily long size', null],
  ['10\x00\r\nxxx', 'test_ChunkedReader: NUL in the size', null],
  [
    '5; hello=there\r\nxxxxx\r\n0; random="junk"; some=more; canbe=lonnnnngg\r\n\r\n',
    'test_ChunkedReader: extensions with spaces and quotes',
    'xxxxx',
  ],
  [
    '5   \t \r\n01234\r\n0\r\n\r\n',
    'test_ChunkedReader: whitespace after the size',
    null,
    'h11 accepts it; RFC 9112 7.1 allows BWS only before a `;` (llhttp refuses it outside its lenient mode)',
  ],
  ['3\r\nxxx__1a\r\n', 'test_ChunkedReader: bad chunk terminator', null],
  ['3\r\nxxx\r_1a\r\n', 'test_ChunkedReader: CR then garbage after the data', null],
  ['3\r\nxxx_\n1a\r\n', 'test_ChunkedReader: garbage then LF after the data', null],
];
for (const [body, what, decoded, note] of h11Chunked) {
  add({
    name: `h11: ${what}${note === undefined ? '' : ` (${note})`}`,
    source: H11,
    licence: H11_LICENCE,
    raw: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body}${decoded === null ? '' : smuggled}`,
    messages: decoded === null ? [] : [msg('POST', '/', decoded), msg('GET', '/smuggled')],
    error: decoded === null ? REFUSE : null,
  });
}
const h11Heads: [string, string][] = [
  ['HEAD /foo HTTP/1.1 xxxxxx\r\nHost: a\r\n\r\n', 'test_reject_garbage_after_response_line'],
  ['HEAD /foo HTTP/1.1\r\nHost: foo\x00bar\r\n\r\n', 'test_reject_garbage_in_header_line'],
  ['HEAD /\x00 HTTP/1.1\r\nHost: foobar\r\n\r\n', 'test_reject_non_vchar_in_path: NUL'],
  ['HEAD /\x7f HTTP/1.1\r\nHost: foobar\r\n\r\n', 'test_reject_non_vchar_in_path: DEL'],
  ['HEAD /\xee HTTP/1.1\r\nHost: foobar\r\n\r\n', 'test_reject_non_vchar_in_path: 0xEE'],
];
for (const [raw, what] of h11Heads) {
  add({ name: `h11: ${what}`, source: H11, licence: H11_LICENCE, raw, messages: [], error: REFUSE });
}

// http-garden's list of server bugs it found (narfindustries/http-garden, TROPHIES.md, "Server
// Bugs"): each bug's one-line example payload, quoted as data with its number. Payloads without a
// Host get `Host: a` after the request line (else every one would be refused for that alone).
const GARDEN = 'narfindustries/http-garden@68698e91e8fb TROPHIES.md, server bug';
const GARDEN_LICENCE = 'no licence file in the repository: one-line example payloads quoted with attribution';
const withHost = (raw: string) =>
  /\r\nhost:/i.test(raw.slice(0, raw.indexOf('\r\n\r\n') + 2)) ? raw : raw.replace('\r\n', '\r\nHost: a\r\n');
const garden: [number, string, ReturnType<typeof msg>[], boolean?][] = [
  [
    1,
    'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0_2e\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    [],
  ],
  [2, 'GET / HTTP/1.1\r\nHost: a\r\nHeader: v\x00\ralue\r\n\r\n', []],
  [
    3,
    'GET / HTTP/1.1\r\nHost: whatever\r\nContent-Length : 34\r\n\r\nGET / HTTP/1.1\r\nHost: whatever\r\n\r\n',
    [],
  ],
  [4, 'GET / HTTP/1.1\r\n\tContent-Length: 1\r\n\r\nX', []],
  [5, 'GET /test HTTP/1.32\r\n\r\n', []],
  [6, 'G=":<>(e),[T];?" /get HTTP/1.1\r\n\r\n', []],
  [7, 'GET ! HTTP/1.1\r\n\r\n', []],
  [8, 'GET / HTTP/1.1\r\n\xefoo: bar\r\n\r\n', []],
  [9, 'GET /\nHTTP/1.1\r\n\r\n', []],
  [10, 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +1_0\r\n\r\n0123456789', []],
  [
    11,
    'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nZ\r\n0\r\n\r\n',
    [],
  ],
  [12, 'POST / HTTP/1.1\r\nHost: whatever\r\nTransfer-Encoding: \xa0chunked\xa0\r\n\r\n0\r\n\r\n', []],
  [13, 'GET / HTTP/1.1\r\nVisible: :/\rSmuggled: :)\r\n\r\n', []],
  [
    14,
    'GET / HTTP/1.1\r\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "(),/;<=>?@[/]{}: whatever\r\n\r\n',
    [],
  ],
  [15, 'GET / HTTP/\r\r1.1\r\n\r\n', []],
  [16, 'GET / HTTP/1.1\r\nHost: whatever\r\nContent-Length: \r\n\r\n', []],
  [17, 'GET / HTTP/1.1\r\nHost: whatever\r\nTransfer-Encoding: chunked\r\n\r\n\r\n\r\n', []],
  [18, 'GET / HTTP/1.1\r\n: ignored\r\nHost: whatever\r\n\r\n', []],
  [19, 'GET / HTTP/1.1\r\nHost: a\r\nUseless:\n\nGET / HTTP/1.1\r\n\r\n', []],
  [20, 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length\x85: 10\r\n\r\n0123456789', []],
  [
    21,
    'GET / HTTP/1.1\r\nHost: whatever\r\nTransfer-Encoding: ,chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    [],
  ],
  [
    22,
    'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0_2e\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    [],
  ],
  [23, 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 0\r\n\r\nZ', []],
  [24, 'GET / HTTP/4294967295.255\r\n\r\n', []],
  [26, 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -48\r\n\r\n', []],
  [27, 'GET / HTTP/1.1\r\n:\r\nI: am chopped off\r\n\r\n', []],
  [28, 'GET / HTTP/1.1\r\nContent-Length 10\r\n\r\n0123456789', []],
  [29, 'GET / HTTP/1.1\r\nContent-Length: 1Z\r\n\r\nZ', []],
  [30, 'GET / HTTP/1.1\r\nHost: a\r\n\rZGET /evil: HTTP/1.1\r\nHost: a\r\n\r\n', []],
  [
    31,
    'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    [],
  ],
  // 010 is ten: eight bytes follow, so the body never completes and nothing is served.
  [32, 'GET / HTTP/1.1\r\nHost: whatever\r\nContent-Length: 010\r\n\r\n01234567', []],
  [33, 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\nZ', []],
  [34, 'GET / HTTP/1.1\r\nHost: whatever\r\nHeader: va\rlue\r\n\r\n', []],
  [
    35,
    'GET / HTTP/1.1\r\nHost: whatever\r\nTest: test\x00THESE BYTES GET DROPPED\r\nConnection: close\r\n\r\n',
    [],
  ],
  [
    37,
    'POST / HTTP/1.1\r\nHost: whatever\r\nTransfer-\r\nEncoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    [],
  ],
  [
    38,
    'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: \r\n\r\nGET / HTTP/1.1\r\nHost: localhost\r\n\r\n',
    [],
  ],
  // A valid trailer field (`X` = `POST / HTTP/1.1`): one request, its body empty.
  [
    39,
    'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX:POST / HTTP/1.1\r\n\r\n',
    [msg('GET', '/')],
  ],
  [40, '\x00 / HTTP/............0596.7407.\r\n\r\n', []],
  // obs-text in a field value is valid (RFC 9110 5.5), kept as it is; refusing it also conforms.
  [41, 'GET /login HTTP/1.1\r\nHost: a\r\nUser: \x85admin\xa0\r\n\r\n', [msg('GET', '/login')], true],
];
for (const [bug, raw, messages, refusalAllowed] of garden) {
  add({
    name: `http-garden: server bug ${bug}`,
    source: `${GARDEN} ${bug}`,
    licence: GARDEN_LICENCE,
    raw: withHost(raw),
    messages,
    error: messages.length === 0 ? REFUSE : null,
    ...(refusalAllowed === true ? { refusalAllowed } : {}),
  });
}

// RFC 9112 3 lets a recipient split the request line on whitespace: either outcome conforms.
add({
  name: 'h11: test_reject_non_vchar_in_path: space (two spaces before the version)',
  source: H11,
  licence: H11_LICENCE,
  raw: 'HEAD /  HTTP/1.1\r\nHost: foobar\r\n\r\n',
  messages: [msg('HEAD', '/')],
  error: null,
  refusalAllowed: true,
});

writeFileSync(
  new URL('./smuggling.json', import.meta.url),
  `${JSON.stringify(
    {
      source: 'see each case',
      cases: cases.map(({ messages, error, refusalAllowed, ...rest }) => ({
        ...rest,
        llhttp: { messages, error, ...(refusalAllowed === true ? { refusal_allowed: true } : {}) },
      })),
    },
    null,
    1,
  )}\n`,
);
console.log(`${cases.length} cases`);
