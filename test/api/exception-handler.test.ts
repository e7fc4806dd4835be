import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  APIView,
  ErrorDetail,
  exceptionHandler,
  type ExceptionHandler,
  NotFound,
  type Request,
  Response,
  Throttled,
  ValidationError,
} from '../../src/api/index.ts';
import { authtokenApp, Token } from '../../src/api/authtoken/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { configureDatabases, connections, migrate } from '../../src/db/index.ts';
import { PermissionDenied, path, type Settings } from '../../src/web/index.ts';

class Create extends APIView {
  async post(request: Request) {
    const data = request.data as { digest: string; fail?: boolean };
    await Token.objects.create({ digest: data.digest, prefix: 'p', userId: '1' });
    if (data.fail)
      throw new ValidationError({ digest: [new ErrorDetail('Rejected after the insert.', 'late')] });
    return new Response({ created: data.digest }, { status: 201 });
  }
}

class Failing extends APIView {
  get(request: Request) {
    const what = request.queryParams.get('what');
    if (what === 'denied') throw new PermissionDenied('framework says no');
    if (what === 'throttled') throw new Throttled(2.2);
    if (what === 'missing') throw new NotFound('No such note.');
    if (what === 'custom') throw new RangeError('out of range');
    throw new ValidationError('Just one message.');
  }
}

const dir = mkdtempSync(join(tmpdir(), 'portico-api-eh-'));
const databases = {
  default: { engine: 'sqlite' as const, name: join(dir, 'db.sqlite3'), atomicRequests: true },
};

const base: Settings = {
  rootUrlconf: [path('create/', Create.asView()), path('fail/', Failing.asView())],
  allowedHosts: ['testserver'],
  secretKey: 'api-eh-test',
  installedApps: [authtokenApp],
  databases,
};

before(async () => {
  await connections.reset();
  configureDatabases({ databases });
  await migrate([authtokenApp]);
});
after(async () => {
  await connections.reset();
  rmSync(dir, { recursive: true, force: true });
});

describe('the exception handler', () => {
  test('an error answered under atomicRequests rolls the request’s writes back', async () => {
    const client = new APIClient(base);
    const ok = await client.post('/create/', { digest: 'kept' });
    assert.equal(ok.status, 201);
    const refused = await client.post('/create/', { digest: 'dropped', fail: true });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json(), { digest: ['Rejected after the insert.'] });
    assert.equal(await Token.objects.filter({ digest: 'kept' }).count(), 1);
    assert.equal(await Token.objects.filter({ digest: 'dropped' }).count(), 0);
  });

  test('framework PermissionDenied → 403 {"detail"}; Throttled → Retry-After rounded up; a bare message → a list', async () => {
    const client = new APIClient(base);
    const denied = await client.get('/fail/', { what: 'denied' });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { detail: 'You do not have permission to perform this action.' });
    const throttled = await client.get('/fail/', { what: 'throttled' });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '3');
    const missing = await client.get('/fail/', { what: 'missing' });
    assert.deepEqual(missing.json(), { detail: 'No such note.' });
    const invalid = await client.get('/fail/');
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.json(), ['Just one message.']);
  });

  test('validationErrorStatus 422 answers an RFC 9457 problem', async () => {
    const client = new APIClient({ ...base, api: { validationErrorStatus: 422 } });
    const response = await client.post('/create/', { digest: 'problem', fail: true });
    assert.equal(response.status, 422);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(response.json(), {
      type: 'about:blank',
      title: 'Unprocessable Content',
      status: 422,
      detail: 'The request data did not pass validation.',
      errors: { digest: ['Rejected after the insert.'] },
    });
    assert.equal(await Token.objects.filter({ digest: 'problem' }).count(), 0);
  });

  test('a custom handler: can wrap the default, and returning null lets the error through', async () => {
    const wrapped: ExceptionHandler = (error, context) => {
      if (error instanceof RangeError) return new Response({ error: error.message }, { status: 422 });
      const response = exceptionHandler(error, context);
      if (response !== null) response.data = { error: response.data, status: response.statusCode };
      return response;
    };
    const client = new APIClient({ ...base, api: { exceptionHandler: wrapped } });
    assert.deepEqual((await client.get('/fail/', { what: 'custom' })).json(), { error: 'out of range' });
    assert.deepEqual((await client.get('/fail/', { what: 'missing' })).json(), {
      error: { detail: 'No such note.' },
      status: 404,
    });
    const none = new APIClient(
      { ...base, api: { exceptionHandler: () => null } },
      { raiseRequestException: false },
    );
    assert.equal((await none.get('/fail/', { what: 'missing' })).status, 500);
  });

  test('the api section refuses unknown keys and bad values at start-up', () => {
    assert.throws(
      () => new APIClient({ ...base, api: { validationErrorStatus: 418 as 400 } }),
      /settings\.api\.validationErrorStatus: must be 400 or 422/,
    );
    assert.throws(
      () => new APIClient({ ...base, api: { defaultRenderers: [] } as never }),
      /settings\.api\.defaultRenderers: unknown key/,
    );
  });
});
