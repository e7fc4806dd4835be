import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import {
  action,
  APIView,
  BooleanField,
  CharField,
  CursorPagination,
  DefaultRouter,
  FieldFilter,
  getSchemaView,
  IntegerField,
  IsAuthenticated,
  ListCreateAPIView,
  ListField,
  ModelSerializer,
  ModelViewSet,
  OrderingFilter,
  PageNumberPagination,
  ReadOnlyModelViewSet,
  type Request,
  Response,
  SchemaGenerator,
  SearchFilter,
  Serializer,
  swaggerUiUrls,
  TokenAuthentication,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { include, path, rePath } from '../../src/web/index.ts';
import type { TestResponse } from '../../src/web/test/index.ts';
import { Organization, Person, Project, shopModels } from '../db/fixtures/shop.ts';
import { setUpDatabase, VENDORS } from '../db/helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const j = (response: TestResponse): any => response.json();

class OrganizationSerializer extends ModelSerializer.for(Organization, {
  fields: ['id', 'name', 'slug', 'email'],
}) {}
class ProjectSerializer extends ModelSerializer.for(Project, {
  fields: [
    'id',
    'organization',
    'name',
    'budget',
    'price',
    'active',
    'status',
    'starts',
    'createdAt',
    'tags',
  ],
}) {}
class PersonSerializer extends ModelSerializer.for(Person, { fields: ['id', 'name', 'organization'] }) {}

const Ping = Serializer.of({
  message: CharField({ maxLength: 10, helpText: 'What to echo.' }),
  times: IntegerField({ minValue: 1, maxValue: 5, default: 1 }),
  loud: BooleanField({ required: false, allowNull: true }),
  tags: ListField({ child: CharField(), maxLength: 3, required: false }),
});
const ZodNote = Serializer.of(z.object({ title: z.string().max(20), pinned: z.boolean().optional() }));

class OrganizationViewSet extends ModelViewSet {
  static override extraActions = [action('archive', { detail: true, methods: ['POST'] })];
  override queryset = Organization.objects.all();
  override serializerClass = OrganizationSerializer;
  override filterBackends = [SearchFilter, OrderingFilter];
  override searchFields = ['name'];
  override orderingFields = ['name'];
  override paginationClass = class Pages extends PageNumberPagination {
    override pageSize = 20;
  };
  override authenticationClasses = [TokenAuthentication];
  archive() {
    return new Response({ archived: true });
  }
}

class ProjectViewSet extends ReadOnlyModelViewSet {
  override queryset = Project.objects.all();
  override serializerClass = ProjectSerializer;
  override filterBackends = [FieldFilter];
  override filtersetFields = { status: ['exact'], budget: ['gte'] };
  override lookupValueConverter = 'int';
}

class PeopleView extends ListCreateAPIView {
  override queryset = Person.objects.all();
  override serializerClass = PersonSerializer;
}

class PingView extends APIView {
  override description = 'Echoes a message.';
  post(request: Request) {
    return new Response(request.data);
  }
}

class NoteView extends ListCreateAPIView {
  override serializerClass = ZodNote;
}

class FeedView extends ListCreateAPIView {
  override queryset = Organization.objects.all();
  override serializerClass = OrganizationSerializer;
  override paginationClass = class extends CursorPagination {
    override ordering = 'name';
    override pageSize = 10;
  };
}

const router = new DefaultRouter();
router.register('orgs', OrganizationViewSet);
router.register('projects', ProjectViewSet);

const rootUrlconf = [
  path('api/', include(router.urls)),
  path('api/people/', PeopleView.asView()),
  path('api/ping/', PingView.asView()),
  path('api/notes/', NoteView.asView()),
  path('api/feed/', FeedView.asView()),
  rePath('^legacy/(?<id>\\d+)/$', PingView.asView()),
  path('api/schema/', getSchemaView({ title: 'Shop API', version: '2.0.0' }), { name: 'schema' }),
  path('api/docs/', include(swaggerUiUrls({ schemaUrl: '/api/schema/', title: 'Shop <API>' }))),
];

const document = new SchemaGenerator({ urlconf: rootUrlconf, title: 'Shop API' }).getSchema();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const doc = document as any;

test('the generated document is valid OpenAPI 3.1 (an independent validator)', async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(validator.version, '3.1');
});

test('every component is a JSON Schema 2020-12 that compiles', () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    assert.doesNotThrow(() => ajv.compile(schema as object), name);
  }
});

test('paths and operations come from the router, generic views and API views', () => {
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    '/api/',
    '/api/feed/',
    '/api/notes/',
    '/api/orgs/',
    '/api/orgs/{pk}/',
    '/api/orgs/{pk}/archive/',
    '/api/people/',
    '/api/ping/',
    '/api/projects/',
    '/api/projects/{pk}/',
    '/api/schema/',
  ]); // the regex route is left out; the docs page is not an API view
  assert.deepEqual(Object.keys(doc.paths['/api/orgs/{pk}/']), ['get', 'put', 'patch', 'delete']);
  assert.deepEqual(Object.keys(doc.paths['/api/projects/{pk}/']), ['get']);
  assert.deepEqual(Object.keys(doc.paths['/api/ping/']), ['post']);
  assert.equal(doc.paths['/api/ping/'].post.description, 'Echoes a message.');
  const ids = Object.values(doc.paths).flatMap((item) =>
    Object.values(item as Record<string, { operationId: string }>).map((op) => op.operationId),
  );
  assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
  assert.equal(doc.paths['/api/orgs/'].get.operationId, 'listOrgs');
  assert.equal(doc.paths['/api/orgs/{pk}/archive/'].post.operationId, 'archiveOrgs');
});

test('path parameters carry their converter’s type', () => {
  const [orgPk] = doc.paths['/api/orgs/{pk}/'].get.parameters;
  assert.deepEqual(orgPk, { name: 'pk', in: 'path', required: true, schema: { type: 'string' } });
  const [projectPk] = doc.paths['/api/projects/{pk}/'].get.parameters;
  assert.deepEqual(projectPk.schema, { type: 'integer', minimum: 0 });
});

test('serializers become components: types, limits, read-only, required, choices, relations', () => {
  const org = doc.components.schemas.Organization;
  assert.deepEqual(org.required, ['name', 'slug']);
  assert.deepEqual(org.properties.id, { type: 'integer', readOnly: true });
  assert.equal(org.properties.name.maxLength, 100);
  assert.equal(org.properties.slug.pattern, '^[-a-zA-Z0-9_]+$');
  assert.equal(org.properties.email.format, 'email');
  const project = doc.components.schemas.Project;
  assert.deepEqual(project.properties.status.enum, ['open', 'done']);
  assert.deepEqual(project.properties.organization, { type: 'integer' });
  assert.equal(project.properties.price.format, 'decimal');
  assert.equal(project.properties.createdAt.format, 'date-time');
  assert.equal(project.properties.createdAt.readOnly, true);
  assert.deepEqual(project.properties.starts.type, ['string', 'null']);
  const ping = doc.components.schemas.Ping;
  assert.equal(ping, undefined, 'PingView names no serializer');
});

test('request bodies: $ref for create/update, a Patched component without required for PATCH', () => {
  const create = doc.paths['/api/orgs/'].post;
  assert.deepEqual(create.requestBody.content['application/json'].schema, {
    $ref: '#/components/schemas/Organization',
  });
  assert.equal(create.requestBody.required, true);
  assert.ok('201' in create.responses);
  const patch = doc.paths['/api/orgs/{pk}/'].patch;
  assert.deepEqual(patch.requestBody.content['application/json'].schema, {
    $ref: '#/components/schemas/PatchedOrganization',
  });
  assert.equal(doc.components.schemas.PatchedOrganization.required, undefined);
  assert.ok('204' in doc.paths['/api/orgs/{pk}/'].delete.responses);
});

test('lists: paginated bodies and the query parameters of filters and paginators', () => {
  const list = doc.paths['/api/orgs/'].get;
  const body = list.responses['200'].content['application/json'].schema;
  assert.deepEqual(body.properties.results.items, { $ref: '#/components/schemas/Organization' });
  assert.ok(body.required.includes('count'));
  const names = list.parameters.map((p: { name: string }) => p.name);
  assert.deepEqual(names, ['search', 'ordering', 'page']);
  const projects = doc.paths['/api/projects/'].get;
  assert.deepEqual(
    projects.parameters.map((p: { name: string }) => p.name),
    ['status', 'budget__gte'],
  );
  assert.equal(projects.responses['200'].content['application/json'].schema.type, 'array');
  const feed = doc.paths['/api/feed/'].get;
  assert.deepEqual(
    feed.parameters.map((p: { name: string }) => p.name),
    ['cursor'],
  );
  assert.equal(feed.responses['200'].content['application/json'].schema.properties.count, undefined);
});

test('a paginator without a page size leaves lists whole, in the document as in the answers', () => {
  const unpaged = new SchemaGenerator({ urlconf: [path('people/', PeopleView.asView())] }).getSchema();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const list = (unpaged as any).paths['/people/'].get;
  assert.equal(list.responses['200'].content['application/json'].schema.type, 'array');
  const paged = new SchemaGenerator({
    urlconf: [path('people/', PeopleView.asView())],
    settings: { api: { defaultPaginationClass: PageNumberPagination, pageSize: 5 } },
  }).getSchema();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (paged as any).paths['/people/'].get.responses['200'].content['application/json'].schema;
  assert.equal(body.properties.count.type, 'integer');
});

test('security schemes from the authenticators', () => {
  assert.deepEqual(doc.components.securitySchemes.tokenAuth.type, 'apiKey');
  assert.deepEqual(doc.components.securitySchemes.basicAuth, { type: 'http', scheme: 'basic' });
  assert.deepEqual(doc.paths['/api/orgs/'].get.security, [{ tokenAuth: [] }]);
  // DRF's default authenticators: sessions (a cookie), then Basic.
  assert.deepEqual(doc.components.securitySchemes.cookieAuth, {
    type: 'apiKey',
    in: 'cookie',
    name: 'sessionid',
  });
  assert.deepEqual(doc.paths['/api/people/'].get.security, [{ cookieAuth: [] }, { basicAuth: [] }]);
});

test('a Standard Schema serializer: its library’s JSON Schema (Zod 4.2+)', () => {
  const note =
    doc.components.schemas.ZodNote ??
    Object.values(doc.components.schemas).find(
      (s) =>
        (s as { properties?: { title?: unknown } }).properties?.title !== undefined &&
        (s as { properties: { pinned?: unknown } }).properties.pinned !== undefined,
    );
  assert.ok(note, JSON.stringify(Object.keys(doc.components.schemas)));
  assert.deepEqual(note.properties.title, { type: 'string', maxLength: 20 });
  assert.deepEqual(note.required, ['title']);
  assert.equal(note.$schema, undefined);
});

test('field schemas: defaults, help text, nullable, arrays with bounds', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const p = Ping.jsonSchema() as any;
  assert.deepEqual(p.required, ['message']);
  assert.deepEqual(p.properties.message, { type: 'string', maxLength: 10, description: 'What to echo.' });
  assert.deepEqual(p.properties.times, { type: 'integer', minimum: 1, maximum: 5, default: 1 });
  assert.deepEqual(p.properties.loud, { type: ['boolean', 'null'] });
  assert.deepEqual(p.properties.tags, { type: 'array', items: { type: 'string' }, maxItems: 3 });
});

test('the schema view follows the permissions it is given', async () => {
  const urls = [
    path('open/', getSchemaView({ urlconf: rootUrlconf })),
    path('closed/', getSchemaView({ urlconf: rootUrlconf, permissionClasses: [IsAuthenticated] })),
  ];
  const client = new APIClient({ rootUrlconf: urls, allowedHosts: ['testserver'] });
  assert.equal((await client.get('/open/')).status, 200);
  // 403, not 401: the first default authenticator (sessions) offers no challenge, as in DRF.
  assert.equal((await client.get('/closed/')).status, 403);
  client.forceAuthenticate({ isAuthenticated: true, id: 1 });
  assert.equal(j(await client.get('/closed/')).openapi, '3.1.0');
});

for (const vendor of VENDORS)
  describe(`serving the document and its page (${vendor})`, () => {
    let drop: () => Promise<void>;
    const client = new APIClient({ rootUrlconf, allowedHosts: ['testserver'], secretKey: 'schemas-test' });
    before(async () => {
      ({ drop } = await setUpDatabase(vendor, shopModels));
    });
    after(() => drop());

    test('the schema view answers JSON; real responses match their schemas', async () => {
      const served = await client.get('/api/schema/');
      assert.equal(served.status, 200);
      assert.match(served.headers.get('content-type') ?? '', /application\/json/);
      const body = j(served);
      assert.equal(body.info.title, 'Shop API');
      assert.equal(body.info.version, '2.0.0');
      assert.equal((await new Validator().validate(body)).valid, true);

      // The contract holds: what the API answers validates against the document's schema.
      const ajv = new Ajv2020({ strict: false, validateFormats: false });
      for (const [name, schema] of Object.entries(body.components.schemas))
        ajv.addSchema(schema as object, `#/components/schemas/${name}`);
      const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      await Project.objects.create({ organization: acme, name: 'Rocket', budget: 5 });
      const listSchema = body.paths['/api/projects/'].get.responses['200'].content['application/json'].schema;
      const validateList = ajv.compile({ ...listSchema, $defs: {} });
      const projects = j(await client.get('/api/projects/'));
      assert.equal(validateList(projects), true, JSON.stringify(validateList.errors));
      const validateProject = ajv.getSchema('#/components/schemas/Project');
      assert.ok(validateProject);
      assert.equal(validateProject(projects[0]), true, JSON.stringify(validateProject.errors));
      assert.equal(validateProject({ ...projects[0], status: 'lost' }), false);

      // A cursor-paginated generic list, against its schema ({next, previous, results}, no count).
      const feedResponse = await client.get('/api/feed/');
      const feed = j(feedResponse);
      assert.equal(feedResponse.status, 200, JSON.stringify(feed));
      assert.deepEqual(
        feed.results.map((o: { name: string }) => o.name),
        ['Acme'],
      );
      const feedSchema = body.paths['/api/feed/'].get.responses['200'].content['application/json'].schema;
      const validateFeed = ajv.compile(feedSchema);
      assert.equal(validateFeed(feed), true, JSON.stringify(validateFeed.errors));
    });

    test('the documentation page and its assets are served locally, no CDN, no inline script', async () => {
      const page = await client.get('/api/docs/');
      assert.equal(page.status, 200);
      const html = new TextDecoder().decode(page.body);
      assert.match(html, /<title>Shop &#60;API&#62;<\/title>/);
      assert.doesNotMatch(html, /https?:\/\//);
      assert.doesNotMatch(html, /<script>[^<]/);
      const init = await client.get('/api/docs/init.js');
      assert.match(new TextDecoder().decode(init.body), /url: "\/api\/schema\/"/);
      const bundle = await client.get('/api/docs/swagger-ui-bundle.js');
      assert.equal(bundle.status, 200);
      assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
      assert.ok(bundle.body.length > 100_000);
      assert.equal((await client.get('/api/docs/swagger-ui.css')).status, 200);
      assert.equal((await client.get('/api/docs/package.json')).status, 404);
      assert.equal((await client.get('/api/docs/..%2Fpackage.json')).status, 404);
    });
  });
