import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  BasePermission,
  DefaultRouter,
  FieldFilter,
  GenericAPIView,
  ListAPIView,
  ListCreateAPIView,
  ModelSerializer,
  ModelViewSet,
  OrderingFilter,
  PageNumberPagination,
  ReadOnlyModelViewSet,
  type Request,
  RetrieveAPIView,
  RetrieveUpdateDestroyAPIView,
  SearchFilter,
  type Serializer,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import type { TestResponse } from '../../src/web/test/index.ts';
import { include, path, reverseUnchecked, type Settings } from '../../src/web/index.ts';
import { Organization, Person, shopModels } from '../db/fixtures/shop.ts';
import { setUpDatabase, truncate, VENDORS } from '../db/helpers.ts';

class OrganizationSerializer extends ModelSerializer.for(Organization, {
  fields: ['id', 'name', 'slug', 'email'],
}) {}
class PersonSerializer extends ModelSerializer.for(Person, { fields: ['id', 'name', 'organization'] }) {}

/** Refuses objects whose name starts with "secret" (an object permission). */
class NoSecrets extends BasePermission {
  message = 'secret';
  override hasObjectPermission(_request: Request, _view: unknown, obj: unknown): boolean {
    return !(obj as { name: string }).name.startsWith('secret');
  }
}

class OrganizationList extends ListCreateAPIView {
  override queryset = Organization.objects.orderBy('name');
  override serializerClass = OrganizationSerializer;
}

class OrganizationDetail extends RetrieveUpdateDestroyAPIView {
  override queryset = Organization.objects.all();
  override serializerClass = OrganizationSerializer;
  override permissionClasses = [NoSecrets];
  // No authenticators: a refusal is a 403 (with Basic first it would be a 401 challenge).
  override authenticationClasses = [];
}

class OrganizationBySlug extends RetrieveAPIView {
  override queryset = Organization.objects.all();
  override serializerClass = OrganizationSerializer;
  override lookupField = 'slug';
}

class OrganizationSearch extends ListAPIView {
  override queryset = Organization.objects.all();
  override serializerClass = OrganizationSerializer;
  override filterBackends = [SearchFilter, OrderingFilter];
  override searchFields = ['name', '=slug'];
  override orderingFields = ['name', 'slug'];
  override ordering = '-name';
}

class PagedOrganizations extends ListAPIView {
  override queryset = Organization.objects.orderBy('name');
  override serializerClass = OrganizationSerializer;
  override paginationClass = PageNumberPagination;
}

class OrganizationViewSet extends ModelViewSet {
  override queryset = Organization.objects.orderBy('name');
  override serializerClass = OrganizationSerializer;
  created: unknown[] = [];
  override async performCreate(serializer: Serializer<unknown, unknown, unknown>): Promise<void> {
    // The hook decides a value the client does not send.
    await serializer.save({ email: 'set-by-view@example.com' });
  }
}

class PersonViewSet extends ReadOnlyModelViewSet {
  override queryset = Person.objects.orderBy('name');
  override serializerClass = PersonSerializer;
  override lookupUrlKwarg = 'id';
  override filterBackends = [FieldFilter];
  override filtersetFields = ['organization'];
}

const router = new DefaultRouter();
router.register('orgs', OrganizationViewSet);
router.register('people', PersonViewSet);

const rootUrlconf = [
  path('organizations/', OrganizationList.asView()),
  path('organizations/<str:pk>/', OrganizationDetail.asView()),
  path('by-slug/<slug:slug>/', OrganizationBySlug.asView()),
  path('search/', OrganizationSearch.asView()),
  path('paged/', PagedOrganizations.asView()),
  path('api/', include(router.urls)),
];

const settings: Settings = { rootUrlconf, allowedHosts: ['testserver'], secretKey: 'generics-test' };

/** A response's JSON body, for the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const j = (response: TestResponse): any => response.json();

async function org(name: string, slug = name.toLowerCase().replace(/\W/g, '-')) {
  return Organization.objects.create({ name, slug });
}

for (const vendor of VENDORS) {
  describe(`generic views (${vendor})`, () => {
    let drop: () => Promise<void>;
    const client = new APIClient(settings);
    before(async () => {
      ({ drop } = await setUpDatabase(vendor, shopModels));
    });
    after(() => drop());
    beforeEach(() => truncate(shopModels));

    test('list re-evaluates the queryset on every request (no results cached across requests)', async () => {
      await org('Beta');
      assert.deepEqual(
        j(await client.get('/organizations/')).map((o: { name: string }) => o.name),
        ['Beta'],
      );
      await org('Alpha');
      const second = await client.get('/organizations/');
      assert.equal(second.status, 200);
      assert.deepEqual(
        j(second).map((o: { name: string }) => o.name),
        ['Alpha', 'Beta'],
      );
    });

    test('create: 201 with the representation; invalid data is 400 with the field errors', async () => {
      const created = await client.post('/organizations/', { name: 'Acme', slug: 'acme' });
      assert.equal(created.status, 201);
      assert.equal(j(created).name, 'Acme');
      assert.equal(created.headers.get('location'), null); // no url field, no detail route
      assert.equal(await Organization.objects.count(), 1);
      const invalid = await client.post('/organizations/', { name: 'Acme 2', slug: 'acme' });
      assert.equal(invalid.status, 400);
      assert.deepEqual(Object.keys(j(invalid)), ['slug']);
      assert.equal((await client.post('/organizations/', { slug: 'x y' })).status, 400);
      assert.equal(await Organization.objects.count(), 1);
    });

    test('retrieve, update (PUT), partial update (PATCH), destroy (204)', async () => {
      const acme = await org('Acme');
      const url = `/organizations/${acme.id}/`;
      assert.deepEqual(j(await client.get(url)), { id: acme.id, name: 'Acme', slug: 'acme', email: '' });

      const put = await client.put(url, { name: 'Acme Corp', slug: 'acme-corp', email: 'a@example.com' });
      assert.equal(put.status, 200);
      assert.equal(j(put).slug, 'acme-corp');
      // PUT needs every required field.
      const incomplete = await client.put(url, { name: 'No slug' });
      assert.equal(incomplete.status, 400);
      assert.ok('slug' in j(incomplete));

      const patch = await client.patch(url, { name: 'Acme Inc' });
      assert.equal(patch.status, 200);
      assert.deepEqual(j(patch), {
        id: acme.id,
        name: 'Acme Inc',
        slug: 'acme-corp',
        email: 'a@example.com',
      });
      assert.equal((await Organization.objects.get({ pk: acme.id })).name, 'Acme Inc');

      const deleted = await client.delete(url);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.body.length, 0);
      assert.equal(await Organization.objects.count(), 0);
      assert.equal((await client.get(url)).status, 404);
    });

    test('getObject: a missing object or a value the key cannot take is a 404', async () => {
      const missing = await client.get('/organizations/999999/');
      assert.equal(missing.status, 404);
      assert.deepEqual(j(missing), { detail: 'No object matches the given query.' });
      assert.equal((await client.get('/organizations/not-a-number/')).status, 404);
      assert.equal((await client.delete('/organizations/not-a-number/')).status, 404);
    });

    test('getObject checks object permissions (retrieve, update, destroy)', async () => {
      const secret = await org('secret base', 'secret');
      const url = `/organizations/${secret.id}/`;
      assert.equal((await client.get(url)).status, 403);
      assert.equal((await client.patch(url, { name: 'x' })).status, 403);
      assert.equal((await client.delete(url)).status, 403);
      assert.equal(await Organization.objects.count(), 1);
    });

    test('lookupField: objects looked up by slug', async () => {
      await org('Globex');
      assert.equal(j(await client.get('/by-slug/globex/')).name, 'Globex');
      assert.equal((await client.get('/by-slug/nope/')).status, 404);
    });

    test('filterBackends: search and ordering from the query string', async () => {
      await org('Acme Rockets', 'acme');
      await org('Acme Drills', 'drills');
      await org('Globex', 'globex');
      const names = async (q: string) =>
        j(await client.get(`/search/${q}`)).map((o: { name: string }) => o.name);
      assert.deepEqual(await names(''), ['Globex', 'Acme Rockets', 'Acme Drills']);
      assert.deepEqual(await names('?search=acme'), ['Acme Rockets', 'Acme Drills']);
      assert.deepEqual(await names('?search=acme&ordering=slug'), ['Acme Rockets', 'Acme Drills']);
      assert.deepEqual(await names('?search=acme&ordering=name'), ['Acme Drills', 'Acme Rockets']);
      assert.deepEqual(await names('?search=globex'), ['Globex']); // =slug matches exactly
    });

    test('paginationClass: pages of the project’s api.pageSize, links, 404 past the end', async () => {
      for (const name of ['A', 'B', 'C', 'D', 'E']) await org(name);
      const paged = new APIClient({ ...settings, api: { pageSize: 2 } });
      const first = await paged.get('/paged/');
      assert.deepEqual(j(first), {
        count: 5,
        next: 'http://testserver/paged/?page=2',
        previous: null,
        results: [
          { id: j(first).results[0].id, name: 'A', slug: 'a', email: '' },
          { id: j(first).results[1].id, name: 'B', slug: 'b', email: '' },
        ],
      });
      const last = j(await paged.get('/paged/?page=3'));
      assert.deepEqual(
        last.results.map((o: { name: string }) => o.name),
        ['E'],
      );
      assert.equal(last.next, null);
      assert.equal((await paged.get('/paged/?page=4')).status, 404);
      // No page size anywhere: the paginator leaves the list whole.
      assert.equal(j(await client.get('/paged/')).length, 5);
    });

    test('api.defaultPaginationClass and api.defaultFilterBackends apply to views that name none', async () => {
      for (const name of ['A', 'B', 'C']) await org(name);
      const configured = new APIClient({
        ...settings,
        api: {
          defaultPaginationClass: PageNumberPagination,
          pageSize: 2,
          defaultFilterBackends: [SearchFilter],
        },
      });
      const body = j(await configured.get('/organizations/'));
      assert.equal(body.count, 3);
      assert.equal(body.results.length, 2);
      // OrganizationList names no searchFields: SearchFilter leaves it alone.
      assert.equal(j(await configured.get('/organizations/?search=zzz')).count, 3);
    });

    test('ModelViewSet on a router: list, create (201 + Location of the detail route), the rest', async () => {
      const created = await client.post('/api/orgs/', { name: 'Acme', slug: 'acme' });
      assert.equal(created.status, 201);
      const id = j(created).id as number;
      assert.equal(created.headers.get('location'), `http://testserver/api/orgs/${id}/`);
      assert.equal(j(created).email, 'set-by-view@example.com'); // performCreate's value
      assert.equal(
        reverseUnchecked('orgs-detail', { kwargs: { pk: id }, urlconf: rootUrlconf }),
        `/api/orgs/${id}/`,
      );
      assert.equal(reverseUnchecked('orgs-list', { urlconf: rootUrlconf }), '/api/orgs/');
      assert.equal(j(await client.get('/api/orgs/')).length, 1);
      assert.equal(j(await client.get(`/api/orgs/${id}/`)).name, 'Acme');
      assert.equal(j(await client.patch(`/api/orgs/${id}/`, { name: 'Acme 2' })).name, 'Acme 2');
      const put = await client.put(`/api/orgs/${id}/`, { name: 'Acme 3', slug: 'acme3', email: '' });
      assert.equal(put.status, 200);
      assert.equal(j(put).slug, 'acme3');
      const options = await client.options(`/api/orgs/${id}/`);
      assert.equal(options.headers.get('allow'), 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
      assert.equal((await client.delete(`/api/orgs/${id}/`)).status, 204);
      assert.equal((await client.get(`/api/orgs/${id}/`)).status, 404);
      assert.deepEqual(j(await client.get('/api/')), {
        orgs: 'http://testserver/api/orgs/',
        people: 'http://testserver/api/people/',
      });
    });

    test('ReadOnlyModelViewSet: list and retrieve only; lookupUrlKwarg; field filter', async () => {
      const acme = await org('Acme');
      const globex = await org('Globex');
      const ada = await Person.objects.create({ name: 'Ada', organization: acme });
      await Person.objects.create({ name: 'Bob', organization: globex });
      assert.deepEqual(
        j(await client.get('/api/people/')).map((p: { name: string }) => p.name),
        ['Ada', 'Bob'],
      );
      assert.deepEqual(
        j(await client.get(`/api/people/?organization=${globex.id}`)).map((p: { name: string }) => p.name),
        ['Bob'],
      );
      assert.deepEqual(j(await client.get(`/api/people/${ada.id}/`)), {
        id: ada.id,
        name: 'Ada',
        organization: acme.id,
      });
      assert.equal((await client.post('/api/people/', { name: 'Eve' })).status, 405);
      assert.equal((await client.delete(`/api/people/${ada.id}/`)).status, 405);
      assert.equal(
        reverseUnchecked('people-detail', { kwargs: { id: 1 }, urlconf: rootUrlconf }),
        '/api/people/1/',
      );
    });
  });
}

test('a generic view without a queryset or serializer says which attribute is missing', async () => {
  class Bare extends GenericAPIView {
    get() {
      this.getQueryset();
    }
  }
  class NoSerializer extends GenericAPIView {
    get() {
      this.getSerializerClass();
    }
  }
  const client = new APIClient({
    rootUrlconf: [path('bare/', Bare.asView()), path('noser/', NoSerializer.asView())],
    allowedHosts: ['testserver'],
  });
  await assert.rejects(client.get('/bare/'), /'Bare' should either include a `queryset` attribute/);
  await assert.rejects(client.get('/noser/'), /'NoSerializer' should either include a `serializerClass`/);
});

test('api settings refuse a bad pageSize', () => {
  assert.throws(
    () => new APIClient({ rootUrlconf: [], allowedHosts: ['testserver'], api: { pageSize: 0 } }).get('/'),
    /pageSize/,
  );
});
