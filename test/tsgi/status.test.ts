import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../src/tsgi/errors.ts';
import { parseStatus, reasonPhrase, reasonPhrases, statusLine } from '../../src/tsgi/status.ts';

const invalidStatus = (error: unknown) => hasCode(error, 'PORTICO_ERR_INVALID_STATUS');

test('reasonPhrase gives the standard phrase, and "Unknown" for an unregistered code', () => {
  assert.equal(reasonPhrase(200), 'OK');
  assert.equal(reasonPhrase(404), 'Not Found');
  assert.equal(reasonPhrase(413), 'Content Too Large');
  assert.equal(reasonPhrase(422), 'Unprocessable Content');
  assert.equal(reasonPhrase(451), 'Unavailable For Legal Reasons');
  assert.equal(reasonPhrase(511), 'Network Authentication Required');
  assert.equal(reasonPhrase(299), 'Unknown');
  assert.equal(reasonPhrase(Number.NaN), 'Unknown');
});

test('the table covers every code of the IANA registry that has a name', () => {
  const expected = [
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307,
    308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
    422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
  ];
  assert.deepEqual([...reasonPhrases.keys()], expected);
  for (const phrase of reasonPhrases.values()) assert.match(phrase, /^[A-Za-z][A-Za-z' -]*[A-Za-z]$/);
});

test('statusLine joins code and phrase', () => {
  assert.equal(statusLine(404), '404 Not Found');
  assert.equal(statusLine(200), '200 OK');
  assert.equal(statusLine(599), '599 Unknown');
  assert.throws(() => statusLine(99), invalidStatus);
  assert.throws(() => statusLine(1000), invalidStatus);
  assert.throws(() => statusLine(200.5), invalidStatus);
});

test('parseStatus returns the code of a well-formed status', () => {
  assert.equal(parseStatus('200 OK'), 200);
  assert.equal(parseStatus('404 Not Found'), 404);
  assert.equal(parseStatus('599 Whatever we like'), 599);
  assert.equal(parseStatus('201 Cr\u00e9\u00e9'), 201);
  assert.equal(parseStatus('200 a\tb'), 200);
});

test('parseStatus rejects every malformed status with PORTICO_ERR_INVALID_STATUS', () => {
  const bad = [
    '',
    '200',
    '200 ',
    '200OK',
    '200  OK',
    '200 OK ',
    ' 200 OK',
    '20 OK',
    '2000 OK',
    'OK 200',
    '099 Low',
    '100 Continue',
    '199 Info',
    '600 High',
    '200 OK\r\n',
    '200 OK\nX: y',
    '200 O\u0000K',
    '200 O\u007fK',
    '200 \u20ac',
  ];
  for (const status of bad) {
    assert.throws(() => parseStatus(status), invalidStatus, JSON.stringify(status));
  }
  assert.throws(() => parseStatus(200 as unknown as string), invalidStatus);
});

test('the error message says what is wrong', () => {
  assert.throws(() => parseStatus('200OK'), /single space/);
  assert.throws(() => parseStatus('100 Continue'), /final status code/);
  assert.throws(() => parseStatus('abc'), /three-digit code/);
});
