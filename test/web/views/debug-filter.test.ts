import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLEANSED_SUBSTITUTE,
  cleanseSetting,
  safeCookies,
  safeMeta,
  safeSettings,
} from '../../../src/web/views/debug/filter.ts';
import { parseStack } from '../../../src/web/views/debug/frames.ts';

describe('the debug page filter (SafeExceptionReporterFilter)', () => {
  test('masks names matching API|TOKEN|KEY|SECRET|PASS|SIGNATURE, at any depth, case-insensitively', () => {
    const cleansed = cleanseSetting('databases', {
      default: { user: 'app', password: 'hunter2', options: { sslKey: '/k.pem', port: 5432 } },
      apiUrl: 'https://x',
    });
    assert.deepEqual(cleansed, {
      default: {
        user: 'app',
        password: CLEANSED_SUBSTITUTE,
        options: { sslKey: CLEANSED_SUBSTITUTE, port: 5432 },
      },
      apiUrl: CLEANSED_SUBSTITUTE,
    });
    for (const key of ['secretKey', 'GITHUB_TOKEN', 'Signature', 'passphrase', 'apiKey'])
      assert.equal(cleanseSetting(key, 'x'), CLEANSED_SUBSTITUTE, key);
    assert.equal(cleanseSetting('debug', true), true);
  });

  test('settings are sorted, functions shown by name', () => {
    function home() {}
    assert.deepEqual(safeSettings({ secretKey: 's', debug: false, handler404: home }), [
      ['debug', 'false'],
      ['handler404', '"[function home]"'],
      ['secretKey', CLEANSED_SUBSTITUTE],
    ]);
  });

  test('META: cookies and authorization masked, objects left out; cookies by name', () => {
    const meta = safeMeta({
      HTTP_COOKIE: 'sessionid=abc',
      HTTP_AUTHORIZATION: 'Bearer x',
      PATH_INFO: '/a',
      'tsgi.input': { read() {} },
    });
    assert.deepEqual(meta, [
      ['HTTP_AUTHORIZATION', CLEANSED_SUBSTITUTE],
      ['HTTP_COOKIE', CLEANSED_SUBSTITUTE],
      ['PATH_INFO', '/a'],
    ]);
    assert.deepEqual(safeCookies({ theme: 'dark', authToken: 't' }), [
      ['theme', 'dark'],
      ['authToken', CLEANSED_SUBSTITUTE],
    ]);
  });
});

describe('stack frames with source lines', () => {
  test('each frame of a local file comes with the lines around it, the failing one included', () => {
    const error = new Error('x'); // MARKER LINE
    const [frame] = parseStack(error.stack ?? '');
    assert.ok(frame);
    assert.equal(frame.file, new URL(import.meta.url).pathname);
    assert.equal(frame.library, false);
    const current = frame.context.find((l) => l.number === frame.line);
    assert.match(current?.text ?? '', /MARKER LINE/);
    assert.ok(frame.context.length > 1 && frame.context.length <= 11);
  });

  test('internals have no source, and text that is not a frame is skipped', () => {
    const frames = parseStack(
      'Error: x\n    at async Promise.all (index 0)\n    at run (node:internal/x:10:3)\n    at /nope/missing.ts:3:1',
    );
    assert.deepEqual(
      frames.map((f) => [f.functionName, f.file, f.line, f.context.length, f.library]),
      [
        ['run', 'node:internal/x', 10, 0, true],
        [null, '/nope/missing.ts', 3, 0, false],
      ],
    );
  });
});
