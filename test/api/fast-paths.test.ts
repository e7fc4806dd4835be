/**
 * The shortcuts of the APIView path (bench/README.md, "API views") answer exactly as the
 * general path does: rendering without the replacer, negotiation's common cases, shared
 * instances, and the synchronous dispatch.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AllowAny,
  APIView,
  BasePermission,
  JSONParser,
  JSONRenderer,
  type Permission,
  type Request,
  Response,
} from '../../src/api/index.ts';
import { BrowsableAPIRenderer } from '../../src/api/browsable.ts';
import { sharedInstances } from '../../src/api/views.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { MultiValueDict, path, QueryDict, type Settings } from '../../src/web/index.ts';

describe('JSONRenderer', () => {
  const render = (data: unknown, type = 'application/json') => new JSONRenderer().render(data, type);

  test('plain data renders as JSON.stringify does', () => {
    const data = { a: [1, 'x', null, true, { b: 2.5 }], c: 'é"\\n' };
    assert.equal(render(data), JSON.stringify(data));
    assert.equal(render(Object.assign(Object.create(null), { k: 1 })), '{"k":1}');
  });

  test('big integers, form data and dates are converted wherever they are', () => {
    assert.equal(render({ n: 2n ** 64n }), '{"n":"18446744073709551616"}');
    assert.equal(render([{ deep: [[1n]] }]), '[{"deep":[["1"]]}]');
    assert.equal(render({ q: new QueryDict('a=1&a=2&b=3') }), '{"q":{"a":"2","b":"3"}}');
    const d = new MultiValueDict<string>();
    d.setList('x', ['1']);
    assert.equal(render({ d }), '{"d":{"x":"1"}}');
    assert.equal(render({ at: new Date(0) }), '{"at":"1970-01-01T00:00:00.000Z"}');
  });

  test('a big integer past the scan budget is still converted (the replacer runs)', () => {
    const data = [...Array.from({ length: 2000 }, (_, i) => i), 7n];
    assert.equal(render(data), JSON.stringify(data.map((v) => (typeof v === 'bigint' ? String(v) : v))));
    const wide: Record<string, unknown> = Object.fromEntries(
      Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]),
    );
    wide.last = 8n;
    assert.match(render(wide), /"k1999":1999,"last":"8"\}$/);
    assert.equal(render({ a: 'x', b: { c: [1, { d: 9n }] } }), '{"a":"x","b":{"c":[1,{"d":"9"}]}}');
  });

  test('indent=N still indents', () => {
    assert.equal(render({ a: 1 }, 'application/json; indent=2'), '{\n  "a": 1\n}');
  });
});

describe('shared instances', () => {
  test('one instance per class list, compared by its classes; frozen', () => {
    const a = sharedInstances([JSONRenderer, BrowsableAPIRenderer]);
    const b = sharedInstances([JSONRenderer, BrowsableAPIRenderer]);
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
    assert.notEqual(sharedInstances([JSONRenderer]), a);
    assert.deepEqual(sharedInstances([]), []);
  });

  test('renderers and parsers are shared between requests; permissions are not', async () => {
    const seen: { renderers: unknown[]; parsers: unknown[]; permissions: Permission[] }[] = [];
    class Probe extends APIView {
      override rendererClasses = [JSONRenderer];
      override parserClasses = [JSONParser];
      override permissionClasses = [AllowAny];
      get() {
        seen.push({
          renderers: this.getRenderers(),
          parsers: this.getParsers(),
          permissions: this.getPermissions(),
        });
        return new Response({});
      }
    }
    const settings: Settings = { rootUrlconf: [path('p/', Probe.asView())], allowedHosts: ['testserver'] };
    const client = new APIClient(settings);
    for (let i = 0; i < 2; i++) assert.equal((await client.get('/p/')).status, 200);
    assert.equal(seen[0]?.renderers, seen[1]?.renderers);
    assert.equal(seen[0]?.parsers, seen[1]?.parsers);
    assert.notEqual(seen[0]?.permissions[0], seen[1]?.permissions[0]);
  });
});

describe('negotiation and the synchronous path', () => {
  let denied = 0;
  class Counted extends BasePermission {
    override hasPermission(request: Request) {
      if (request.queryParams.get('deny') === '1') {
        denied++;
        return false;
      }
      return true;
    }
  }
  class Hello extends APIView {
    override authenticationClasses = [];
    override permissionClasses = [Counted];
    get() {
      return new Response({ hello: 'world' });
    }
  }
  const view = Hello.asView();
  const settings: Settings = { rootUrlconf: [path('h/', view)], allowedHosts: ['testserver'] };

  test('no Accept, */* and application/json get JSON; a browser gets the page; ?format= wins', async () => {
    const client = new APIClient(settings);
    for (const accept of [undefined, '*/*', 'application/json', 'application/*']) {
      const response = await client.get(
        '/h/',
        undefined,
        accept === undefined ? {} : { headers: { Accept: accept } },
      );
      assert.equal(response.headers.get('content-type'), 'application/json', String(accept));
      assert.equal(response.text(), '{"hello":"world"}');
    }
    const page = await client.get('/h/', undefined, { headers: { Accept: 'text/html,*/*;q=0.8' } });
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const forced = await client.get('/h/', { format: 'json' }, { headers: { Accept: 'text/html' } });
    assert.equal(forced.headers.get('content-type'), 'application/json');
    assert.equal((await client.get('/h/', undefined, { headers: { Accept: 'image/png' } })).status, 406);
  });

  test('a synchronous view answers without a promise; a refusal still goes through the handler of errors', async () => {
    const client = new APIClient(settings);
    assert.equal((await client.get('/h/', { deny: '1' })).status, 403);
    assert.equal(denied, 1);
    // Called directly, the view returns the response itself, not a promise of it.
    const response = await client.get('/h/');
    assert.equal(response.status, 200);
    const request = response.request;
    assert.ok(request !== undefined);
    const direct = view(request, {}, []);
    assert.equal(typeof (direct as { then?: unknown }).then, 'undefined');
  });
});
