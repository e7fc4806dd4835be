import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  action,
  DefaultRouter,
  IsAdminUser,
  NotFound,
  type Request,
  Response,
  SimpleRouter,
  ViewSet,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import {
  ImproperlyConfigured,
  include,
  type Params,
  path,
  reverseUnchecked,
  type Settings,
} from '../../src/web/index.ts';

interface Note {
  id: number;
  title: string;
  archived: boolean;
}

function noteViewSet() {
  const notes = new Map<number, Note>([[1, { id: 1, title: 'first', archived: false }]]);
  const find = (params: Params) => {
    const note = notes.get(params.pk as number);
    if (note === undefined) throw new NotFound();
    return note;
  };
  return class NoteViewSet extends ViewSet {
    static override extraActions = [
      action('archive', { detail: true, methods: ['post'] }),
      action('recentTitles', { detail: false }),
      action('purge', {
        detail: false,
        methods: ['DELETE'],
        initkwargs: { permissionClasses: [IsAdminUser] },
      }),
    ];
    lookupValueConverter = 'int';

    list() {
      return new Response([...notes.values()]);
    }
    create(request: Request) {
      const note = {
        id: notes.size + 1,
        title: String((request.data as { title: unknown }).title),
        archived: false,
      };
      notes.set(note.id, note);
      return new Response(note, {
        status: 201,
        headers: { Location: this.reverseAction('detail', { pk: note.id }) },
      });
    }
    retrieve(_request: Request, params: Params) {
      return new Response({ ...find(params), action: this.action, detail: this.detail });
    }
    update(request: Request, params: Params) {
      const note = find(params);
      note.title = String((request.data as { title: unknown }).title);
      return new Response(note);
    }
    partialUpdate(request: Request, params: Params) {
      return this.update(request, params);
    }
    destroy(_request: Request, params: Params) {
      notes.delete(find(params).id);
      return new Response(undefined, { status: 204 });
    }
    archive(_request: Request, params: Params) {
      find(params).archived = true;
      return new Response({ archived: true, action: this.action });
    }
    recentTitles() {
      return new Response([...notes.values()].map((n) => n.title));
    }
    purge() {
      notes.clear();
      return new Response(undefined, { status: 204 });
    }
  };
}

class ReadOnlyTags extends ViewSet {
  list() {
    return new Response(['a', 'b']);
  }
}

function settings(): Settings {
  const router = new DefaultRouter();
  router.register('notes', noteViewSet());
  router.register('tags', ReadOnlyTags, { basename: 'tag' });
  return {
    rootUrlconf: [path('api/', include(router.urls, { namespace: 'v1' })), ...simple()],
    allowedHosts: ['testserver'],
    secretKey: 'api-routers-test',
  };
}

function simple() {
  const router = new SimpleRouter({ trailingSlash: false });
  router.register('plain/notes', noteViewSet(), { basename: 'plain' });
  return router.urls;
}

describe('routers and viewsets', () => {
  test('names and reverse(): {basename}-list, -detail, -{urlName}', async () => {
    const urlconf = settings().rootUrlconf;
    const r = (name: string, kwargs?: Record<string, unknown>) =>
      reverseUnchecked(name, kwargs ? { kwargs, urlconf } : { urlconf });
    assert.equal(r('v1:notes-list'), '/api/notes/');
    assert.equal(r('v1:notes-detail', { pk: 3 }), '/api/notes/3/');
    assert.equal(r('v1:notes-archive', { pk: 3 }), '/api/notes/3/archive/');
    assert.equal(r('v1:notes-recent-titles'), '/api/notes/recent-titles/');
    assert.equal(r('v1:tag-list'), '/api/tags/');
    assert.equal(r('v1:api-root'), '/api/');
    assert.equal(r('plain-list'), '/plain/notes');
    assert.equal(r('plain-detail', { pk: 1 }), '/plain/notes/1');
  });

  test('the actions answer their methods; detail routes 404 for missing objects', async () => {
    const client = new APIClient(settings());
    assert.deepEqual((await client.get('/api/notes/')).json(), [{ id: 1, title: 'first', archived: false }]);
    const created = await client.post('/api/notes/', { title: 'second' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/api/notes/2/');
    assert.deepEqual((await client.get('/api/notes/2/')).json(), {
      id: 2,
      title: 'second',
      archived: false,
      action: 'retrieve',
      detail: true,
    });
    assert.equal((await client.patch('/api/notes/2/', { title: 'two' })).status, 200);
    assert.deepEqual((await client.post('/api/notes/2/archive/')).json(), {
      archived: true,
      action: 'archive',
    });
    assert.equal((await client.get('/api/notes/2/archive/')).status, 405);
    assert.deepEqual((await client.get('/api/notes/recent-titles/')).json(), ['first', 'two']);
    assert.equal((await client.delete('/api/notes/2/')).status, 204);
    assert.equal((await client.get('/api/notes/2/')).status, 404);
    assert.equal((await client.get('/api/notes/x/')).status, 404);
    const allow = (await client.options('/api/notes/1/')).headers.get('allow');
    assert.equal(allow, 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
  });

  test('an extra action’s initkwargs apply to its route only', async () => {
    const client = new APIClient(settings());
    // DRF's default authenticators put SessionAuthentication first: no challenge, so 403.
    const anonymous = await client.delete('/api/notes/purge/');
    assert.equal(anonymous.status, 403);
    assert.deepEqual(anonymous.json(), { detail: 'Authentication credentials were not provided.' });
    client.forceAuthenticate({ isAuthenticated: true, id: 1, isStaff: true });
    assert.equal((await client.delete('/api/notes/purge/')).status, 204);
  });

  test('a viewset with only list gets only the list route', async () => {
    const client = new APIClient(settings());
    assert.deepEqual((await client.get('/api/tags/')).json(), ['a', 'b']);
    assert.equal((await client.get('/api/tags/1/')).status, 404);
    assert.equal((await client.post('/api/tags/', {})).status, 405);
  });

  test('DefaultRouter’s root lists the list URLs, absolute', async () => {
    const response = await new APIClient(settings()).get('/api/');
    assert.deepEqual(response.json(), {
      notes: 'http://testserver/api/notes/',
      tags: 'http://testserver/api/tags/',
    });
    const page = await new APIClient(settings()).get('/api/', undefined, {
      headers: { Accept: 'text/html' },
    });
    assert.match(page.text(), /<h1>Api Root<\/h1>/);
    const list = await new APIClient(settings()).get('/api/notes/', undefined, {
      headers: { Accept: 'text/html' },
    });
    assert.match(list.text(), /<h1>Note List<\/h1>/);
  });

  test('a duplicate basename is a configuration error; asView() needs actions', () => {
    const router = new SimpleRouter();
    router.register('notes', noteViewSet());
    assert.throws(() => router.register('notes', noteViewSet()), ImproperlyConfigured);
    assert.throws(
      () => router.register('other', noteViewSet(), { basename: 'notes' }),
      /basename "notes" is already registered/,
    );
    assert.throws(() => noteViewSet().asView(), /The `actions` argument must be provided/);
    assert.throws(() => noteViewSet().asView({ get: 'nope' }), /no action 'nope'/);
  });
});
