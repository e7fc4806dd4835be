import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AllowAny,
  and,
  APIView,
  apiView,
  type ApiUser,
  AuthenticationFailed,
  type Authentication,
  BasePermission,
  IsAdminUser,
  IsAuthenticated,
  JSONRenderer,
  not,
  NotFound,
  or,
  type Request,
  Response,
  ValidationError,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { Http404, HttpResponse, type Params, path, type Settings } from '../../src/web/index.ts';

const ann: ApiUser = { isAuthenticated: true, id: 7, isStaff: false, isActive: true, username: 'ann' };
const boss: ApiUser = { isAuthenticated: true, id: 1, isStaff: true, isActive: true, username: 'boss' };

/** `Authorization: Demo <name>`: a header-based authenticator for the tests. */
class DemoAuth implements Authentication {
  authenticate(request: Request) {
    const header = request.headers.get('authorization');
    if (!header?.startsWith('Demo ')) return null;
    const name = header.slice(5);
    if (name === 'ann') return [ann, 'ann-token'] as const;
    if (name === 'boss') return [boss, null] as const;
    throw new AuthenticationFailed('No such demo user.');
  }

  authenticateHeader() {
    return 'Demo realm="tests"';
  }
}

/** The same without a header: refusals are 403. */
class SilentAuth extends DemoAuth {
  override authenticateHeader() {
    return null as unknown as string;
  }
}

const order: string[] = [];

class Traced extends APIView {
  override authenticationClasses = [DemoAuth];
  override permissionClasses = [IsAuthenticated];

  override async performAuthentication(request: Request) {
    order.push('authenticate');
    await super.performAuthentication(request);
  }

  override async checkPermissions(request: Request) {
    order.push('permissions');
    await super.checkPermissions(request);
  }

  override async checkThrottles(request: Request) {
    order.push('throttles');
    await super.checkThrottles(request);
  }

  get(request: Request) {
    order.push('handler');
    return new Response({ user: request.user.username, auth: request.auth });
  }
}

class Echo extends APIView {
  override authenticationClasses = [DemoAuth];

  post(request: Request) {
    return new Response({ data: request.data, type: request.contentType }, { status: 201 });
  }

  put(request: Request) {
    return new Response({ data: request.data });
  }

  patch(request: Request) {
    const data = request.data as Record<string, unknown>;
    return new Response({
      proto: Object.getPrototypeOf(data),
      polluted: ({} as Record<string, unknown>).polluted ?? null,
    });
  }
}

class Admins extends APIView {
  override authenticationClasses = [SilentAuth];
  override permissionClasses = [and(IsAuthenticated, IsAdminUser)];

  get() {
    return new Response({ ok: true });
  }
}

class OnlyOdd extends BasePermission {
  message = 'Only odd objects.';
  override hasObjectPermission(_r: Request, _v: object, obj: unknown) {
    return (obj as { id: number }).id % 2 === 1;
  }
}

class Thing extends APIView {
  override authenticationClasses = [DemoAuth];
  override permissionClasses = [or(IsAdminUser, OnlyOdd)];

  async get(request: Request, params: Params) {
    const id = params.id as number;
    if (id > 100) throw new Http404('no such thing');
    await this.checkObjectPermissions(request, { id });
    return new Response({ id });
  }
}

class Invalid extends APIView {
  post() {
    throw new ValidationError({
      title: ['This field is required.'],
      tags: { 1: ['A valid integer is required.'] },
    });
  }
}

class Plain extends APIView {
  override rendererClasses = [JSONRenderer];
  get() {
    return new HttpResponse('plain', { contentType: 'text/plain' });
  }
  delete() {
    return new Response(undefined, { status: 204 });
  }
}

class Boom extends APIView {
  get(): Response {
    throw new Error('kaput');
  }
}

const hello = apiView(['GET', 'POST'], function hello(request: Request) {
  return new Response({
    method: request.method,
    data: request.method === 'POST' ? request.data : null,
    q: request.queryParams.get('q') ?? null,
  });
});

const settings: Settings = {
  rootUrlconf: [
    path('traced/', Traced.asView()),
    path('echo/', Echo.asView()),
    path('admins/', Admins.asView()),
    path('things/<int:id>/', Thing.asView()),
    path('invalid/', Invalid.asView()),
    path('plain/', Plain.asView()),
    path('boom/', Boom.asView()),
    path('hello/', hello),
    path('open/', Traced.asView({ permissionClasses: [AllowAny] })),
    path('bare/', Traced.asView({ authenticationClasses: [] })),
    path('not/', Admins.asView({ permissionClasses: [not(IsAuthenticated)] })),
  ],
  allowedHosts: ['testserver'],
  secretKey: 'api-views-test',
};

describe('APIView dispatch', () => {
  test('runs negotiation, authentication, permissions, throttles, then the handler', async () => {
    order.length = 0;
    const response = await new APIClient(settings).get('/traced/', undefined, {
      headers: { Authorization: 'Demo ann' },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), { user: 'ann', auth: 'ann-token' });
    assert.deepEqual(order, ['authenticate', 'permissions', 'throttles', 'handler']);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(response.headers.get('vary'), 'Accept');
  });

  test('406 comes before authentication', async () => {
    order.length = 0;
    const response = await new APIClient(settings).get('/traced/', undefined, {
      headers: { Accept: 'image/png', Authorization: 'Demo nobody' },
    });
    assert.equal(response.status, 406);
    assert.deepEqual(response.json(), { detail: 'Could not satisfy the request Accept header.' });
    assert.deepEqual(order, []);
  });

  test('no credentials: 401 with the first authenticator’s WWW-Authenticate', async () => {
    const response = await new APIClient(settings).get('/traced/');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Demo realm="tests"');
    assert.deepEqual(response.json(), { detail: 'Authentication credentials were not provided.' });
  });

  test('wrong credentials: AuthenticationFailed, 401', async () => {
    const response = await new APIClient(settings).get('/traced/', undefined, {
      headers: { Authorization: 'Demo eve' },
    });
    assert.equal(response.status, 401);
    assert.deepEqual(response.json(), { detail: 'No such demo user.' });
  });

  test('an authenticator without a header makes it 403; and(IsAuthenticated, IsAdminUser)', async () => {
    const client = new APIClient(settings);
    const anonymous = await client.get('/admins/');
    assert.equal(anonymous.status, 403);
    assert.equal(anonymous.headers.get('www-authenticate'), null);
    assert.deepEqual(anonymous.json(), { detail: 'Authentication credentials were not provided.' });
    const notStaff = await client.get('/admins/', undefined, { headers: { Authorization: 'Demo ann' } });
    assert.equal(notStaff.status, 403);
    assert.deepEqual(notStaff.json(), { detail: 'You do not have permission to perform this action.' });
    const staff = await client.get('/admins/', undefined, { headers: { Authorization: 'Demo boss' } });
    assert.equal(staff.status, 200);
  });

  test('not(IsAuthenticated) lets only anonymous requests in', async () => {
    const client = new APIClient(settings);
    assert.equal((await client.get('/not/')).status, 200);
    assert.equal(
      (await client.get('/not/', undefined, { headers: { Authorization: 'Demo ann' } })).status,
      403,
    );
  });

  test('object permissions through or(): an operand must allow both request and object', async () => {
    const client = new APIClient(settings);
    client.credentials({ Authorization: 'Demo ann' });
    assert.equal((await client.get('/things/3/')).status, 200);
    const even = await client.get('/things/4/');
    assert.equal(even.status, 403);
    assert.deepEqual(even.json(), { detail: 'Only odd objects.' });
    client.credentials({ Authorization: 'Demo boss' });
    assert.equal((await client.get('/things/4/')).status, 200);
  });

  test('the framework’s Http404 becomes {"detail": "Not found."}', async () => {
    const client = new APIClient(settings);
    client.forceAuthenticate(boss);
    const response = await client.get('/things/101/');
    assert.equal(response.status, 404);
    assert.deepEqual(response.json(), { detail: new NotFound().detail.toString() });
  });

  test('a validation tree is the body as it is', async () => {
    const response = await new APIClient(settings).post('/invalid/', { title: '' });
    assert.equal(response.status, 400);
    assert.deepEqual(response.json(), {
      title: ['This field is required.'],
      tags: { 1: ['A valid integer is required.'] },
    });
  });

  test('405 for a method without a handler, with Allow', async () => {
    const response = await new APIClient(settings).put(
      '/traced/',
      { a: 1 },
      { headers: { Authorization: 'Demo ann' } },
    );
    assert.equal(response.status, 405);
    assert.deepEqual(response.json(), { detail: 'Method "PUT" not allowed.' });
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  test('OPTIONS describes the view', async () => {
    const response = await new APIClient(settings).options('/echo/');
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), {
      name: 'Echo',
      description: '',
      renders: ['application/json', 'text/html'],
      parses: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
    });
  });

  test('plain framework responses pass through; a 204 Response has no body', async () => {
    const client = new APIClient(settings);
    const plain = await client.get('/plain/');
    assert.equal(plain.text(), 'plain');
    assert.equal(plain.headers.get('content-type'), 'text/plain');
    assert.equal(plain.headers.get('vary'), null);
    const gone = await client.delete('/plain/');
    assert.equal(gone.status, 204);
    assert.equal(gone.body.length, 0);
  });

  test('an error that is not an APIException is a 500 from the framework', async () => {
    const client = new APIClient(settings, { raiseRequestException: false });
    const response = await client.get('/boom/');
    assert.equal(response.status, 500);
    await assert.rejects(new APIClient(settings).get('/boom/'), /kaput/);
  });

  test('apiView(): a function view with the same flow, 405 for other methods', async () => {
    const client = new APIClient(settings);
    assert.deepEqual((await client.get('/hello/', { q: 'x' })).json(), { method: 'GET', data: null, q: 'x' });
    assert.deepEqual((await client.post('/hello/', { a: [1, 2] })).json(), {
      method: 'POST',
      data: { a: [1, 2] },
      q: null,
    });
    assert.equal((await client.delete('/hello/')).status, 405);
    assert.equal((hello as unknown as { csrfExempt: boolean }).csrfExempt, true);
    assert.equal((Traced.asView() as unknown as { csrfExempt: boolean }).csrfExempt, true);
  });

  test('without authenticators a refusal is a 403 PermissionDenied, never a 401', async () => {
    assert.equal((await new APIClient(settings).get('/open/')).status, 200);
    const bare = await new APIClient(settings).get('/bare/');
    assert.equal(bare.status, 403);
    assert.deepEqual(bare.json(), { detail: 'You do not have permission to perform this action.' });
  });

  test('forceAuthenticate() skips the authenticators; null stops it', async () => {
    const client = new APIClient(settings);
    client.forceAuthenticate(ann, 'forced');
    assert.deepEqual((await client.get('/traced/')).json(), { user: 'ann', auth: 'forced' });
    client.forceAuthenticate(null);
    assert.equal((await client.get('/traced/')).status, 401);
  });
});

describe('request.data', () => {
  test('JSON, url-encoded and multipart bodies; PUT forms too', async () => {
    const client = new APIClient(settings);
    const json = await client.post('/echo/', { title: 'Hi', n: 1.5, tags: ['a'] });
    assert.equal(json.status, 201);
    assert.deepEqual(json.json(), { data: { title: 'Hi', n: 1.5, tags: ['a'] }, type: 'application/json' });
    const form = await client.post('/echo/', { title: 'Hi', tag: ['a', 'b'] }, { format: 'form' });
    assert.deepEqual(form.json(), {
      data: { title: 'Hi', tag: 'b' },
      type: 'application/x-www-form-urlencoded',
    });
    const multipart = await client.post(
      '/echo/',
      { title: 'Hi' },
      { files: { doc: { name: 'a.txt', content: 'hello' } } },
    );
    assert.equal(multipart.status, 201);
    assert.equal((multipart.json() as { data: { title: string } }).data.title, 'Hi');
    const put = await client.put('/echo/', { title: 'Put' }, { format: 'form' });
    assert.deepEqual(put.json(), { data: { title: 'Put' } });
    const empty = await client.post('/echo/');
    assert.deepEqual(empty.json(), { data: {}, type: '' });
  });

  test('malformed JSON is a 400 ParseError saying where', async () => {
    const response = await new APIClient(settings).post('/echo/', undefined, {
      body: '{"title": "Hi",\n "n": tru}',
      contentType: 'application/json',
    });
    assert.equal(response.status, 400);
    const detail = (response.json() as { detail: string }).detail;
    assert.match(detail, /^JSON parse error - /);
    assert.match(detail, /line 2, column/);
  });

  test('an unsupported media type is 415', async () => {
    const response = await new APIClient(settings).post('/echo/', undefined, {
      body: '<a/>',
      contentType: 'application/xml',
    });
    assert.equal(response.status, 415);
    assert.deepEqual(response.json(), { detail: 'Unsupported media type "application/xml" in request.' });
  });

  test('__proto__ in JSON never reaches a prototype', async () => {
    const response = await new APIClient(settings).patch('/echo/', undefined, {
      body: '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}',
      contentType: 'application/json',
    });
    assert.deepEqual(response.json(), { proto: null, polluted: null });
  });

  test('JSON nested beyond 1000 levels is a 400, valid or not, never a stack overflow', async () => {
    const client = new APIClient(settings);
    for (const body of [
      '['.repeat(5000) + ']'.repeat(5000),
      '['.repeat(200_000),
      '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
    ]) {
      const response = await client.post('/echo/', undefined, { body, contentType: 'application/json' });
      assert.equal(response.status, 400);
      assert.match((response.json() as { detail: string }).detail, /nested deeper than 1000 levels/);
    }
    const fine = await client.post('/echo/', undefined, {
      body: '['.repeat(999) + ']'.repeat(999),
      contentType: 'application/json',
    });
    assert.equal(fine.status, 201);
  });

  test('a body over dataUploadMaxMemorySize is a 413', async () => {
    const small: Settings = { ...settings, dataUploadMaxMemorySize: 100 };
    const response = await new APIClient(small, { raiseRequestException: false }).post('/echo/', {
      big: 'x'.repeat(500),
    });
    assert.equal(response.status, 413);
  });
});

describe('uploads and mistakes', () => {
  class Upload extends APIView {
    put(request: Request) {
      const files = request.FILES;
      const doc = files.get('doc');
      uploaded.push(doc?.temporaryFilePath() ?? '');
      return new Response({
        title: (request.data as { get(k: string): unknown }).get('title'),
        size: doc?.size ?? null,
      });
    }
    get() {
      return { not: 'a response' } as unknown as Response;
    }
  }
  const uploaded: string[] = [];
  const uploadSettings: Settings = {
    rootUrlconf: [path('upload/', Upload.asView())],
    allowedHosts: ['testserver'],
    fileUploadMaxMemorySize: 10,
  };

  test('a multipart PUT is parsed too; its temporary files are removed after the response', async () => {
    const { existsSync } = await import('node:fs');
    const response = await new APIClient(uploadSettings).put(
      '/upload/',
      { title: 'big' },
      {
        files: { doc: { name: 'big.bin', content: 'x'.repeat(4096) } },
      },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), { title: 'big', size: 4096 });
    const file = uploaded.at(-1) as string;
    assert.ok(file !== '', 'the upload went to a temporary file');
    assert.equal(existsSync(file), false);
  });

  test('a handler returning plain data is a clear TypeError', async () => {
    await assert.rejects(
      new APIClient(uploadSettings).get('/upload/'),
      /a handler must return a Response or an HttpResponse, got object/,
    );
  });
});
