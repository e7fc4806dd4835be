/**
 * OPTIONS metadata (DRF's `SimpleMetadata`): the view's description, the fields of POST and
 * PUT for the methods the user may perform, the field and Standard Schema serializers'
 * descriptions, switching it off (405) — in-process through the APIClient, and over a real
 * socket.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as v from 'valibot';
import { z } from 'zod';
import {
  APIView,
  BasePermission,
  BooleanField,
  CharField,
  ChoiceField,
  CreateAPIView,
  DecimalField,
  DefaultRouter,
  DictField,
  IntegerField,
  IsAuthenticatedOrReadOnly,
  ListCreateAPIView,
  ListField,
  type Metadata,
  ModelSerializer,
  ModelViewSet,
  type Request,
  Response,
  RetrieveUpdateDestroyAPIView,
  Serializer,
  SimpleMetadata,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { CharField as ModelCharField, defineApp } from '../../src/db/index.ts';
import { serve, type TsgiServer } from '../../src/server/index.ts';
import { getTsgiApplication, include, path, type Settings } from '../../src/web/index.ts';
import type { TestResponse } from '../../src/web/test/index.ts';
import { Organization, Project, shopModels } from '../db/fixtures/shop.ts';
import { setUpDatabase, truncate, VENDORS } from '../db/helpers.ts';
import { memoryErrors } from '../web/helpers.ts';

class ProjectSerializer extends ModelSerializer.for(Project, {
  fields: ['id', 'name', 'budget', 'price', 'active', 'status', 'organization', 'createdAt'],
}) {}
class OrganizationSerializer extends ModelSerializer.for(Organization, { fields: ['id', 'name', 'slug'] }) {}

/** The methods the permission checks saw, in order. */
const seenMethods: string[] = [];

/** Refuses objects whose name starts with "secret"; records the methods it is asked about. */
class NoSecrets extends BasePermission {
  override hasPermission(request: Request): boolean {
    seenMethods.push(request.method);
    return true;
  }
  override hasObjectPermission(_request: Request, _view: unknown, obj: unknown): boolean {
    return !(obj as { name: string }).name.startsWith('secret');
  }
}

class ProjectList extends ListCreateAPIView {
  override description = 'The projects of every organization.';
  override queryset = Project.objects.all();
  override serializerClass = ProjectSerializer;
  override permissionClasses = [IsAuthenticatedOrReadOnly];
}

class OrganizationDetail extends RetrieveUpdateDestroyAPIView {
  override queryset = Organization.objects.all();
  override serializerClass = OrganizationSerializer;
  override permissionClasses = [NoSecrets];
}

class OrganizationViewSet extends ModelViewSet {
  override queryset = Organization.objects.all();
  override serializerClass = OrganizationSerializer;
}

const Address = Serializer.of({ city: CharField({ maxLength: 40 }), zip: CharField({ required: false }) });
const Signup = Serializer.of({
  nickName: CharField({ maxLength: 20, minLength: 2, label: 'Nickname', helpText: 'Shown to others.' }),
  age: IntegerField({ minValue: 13, maxValue: 130 }),
  plan: ChoiceField({
    choices: [
      ['free', 'Free plan'],
      ['pro', 'Pro plan'],
    ] as const,
  }),
  size: ChoiceField({ choices: ['s', 'm'] as const, readOnly: true }),
  tags: ListField({ child: CharField({ maxLength: 10 }), maxLength: 3, required: false }),
  extra: DictField({ child: IntegerField() }),
  price: DecimalField({ maxDigits: 6, decimalPlaces: 2, default: '0.00' }),
  newsletter: BooleanField({ default: false }),
  address: Address.asField(),
  previous: Address.asField({ many: true, required: false }),
});
class SignupView extends CreateAPIView {
  override serializerClass = Signup;
}

const ZodSignup = Serializer.of(
  z.object({
    email: z.email().describe('Where we write to.'),
    age: z.number().int().min(13).optional(),
    plan: z.enum(['free', 'pro']),
    tags: z.array(z.string().max(10)).max(3),
    nickname: z.string().min(2).nullable(),
  }),
);
class ZodSignupView extends CreateAPIView {
  override serializerClass = ZodSignup;
}

/** Name and description only (DRF's documented custom scheme). */
class MinimalMetadata implements Metadata {
  determineMetadata(_request: Request, view: APIView) {
    return { name: view.getViewName(), description: view.description };
  }
}

class Plain extends APIView {
  override description = 'Says hello.';
  get() {
    return new Response({ hello: 'world' });
  }
}
class Silent extends Plain {
  override metadataClass = null;
}
class Minimal extends Plain {
  override metadataClass = MinimalMetadata;
}

const router = new DefaultRouter();
router.register('orgs', OrganizationViewSet);

const rootUrlconf = [
  path('projects/', ProjectList.asView()),
  path('organizations/<int:pk>/', OrganizationDetail.asView()),
  path('signup/', SignupView.asView()),
  path('zod-signup/', ZodSignupView.asView()),
  path('plain/', Plain.asView()),
  path('silent/', Silent.asView()),
  path('minimal/', Minimal.asView()),
  path('api/', include(router.urls)),
];

const settings: Settings = {
  rootUrlconf,
  allowedHosts: ['testserver', '127.0.0.1'],
  secretKey: 'metadata-test',
  api: { defaultAuthenticationClasses: [] },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const j = (response: TestResponse): any => response.json();

const RENDERS = ['application/json', 'text/html'];
const PARSES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

describe('OPTIONS metadata of a plain view', () => {
  const client = new APIClient(settings);

  test('name, description, renders and parses; no actions without a serializer', async () => {
    const response = await client.options('/plain/');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.deepEqual(j(response), {
      name: 'Plain',
      description: 'Says hello.',
      renders: RENDERS,
      parses: PARSES,
    });
  });

  test('metadataClass = null: OPTIONS is a 405, as a method the view does not answer', async () => {
    const response = await client.options('/silent/');
    assert.equal(response.status, 405);
    assert.deepEqual(j(response), { detail: 'Method "OPTIONS" not allowed.' });
    assert.equal((await client.get('/silent/')).status, 200);
  });

  test('the setting api.defaultMetadataClass: null switches it off for views that name none', async () => {
    const off = new APIClient({ ...settings, api: { defaultMetadataClass: null } });
    assert.equal((await off.options('/plain/')).status, 405);
    // A view's own class still answers.
    assert.deepEqual(j(await off.options('/minimal/')), { name: 'Minimal', description: 'Says hello.' });
  });

  test('a custom metadata class, on the view or in the settings', async () => {
    assert.deepEqual(j(await client.options('/minimal/')), { name: 'Minimal', description: 'Says hello.' });
    const minimal = new APIClient({ ...settings, api: { defaultMetadataClass: MinimalMetadata } });
    assert.deepEqual(j(await minimal.options('/plain/')), { name: 'Plain', description: 'Says hello.' });
  });

  test('a setting that is not a class is refused at startup', () => {
    assert.throws(
      () => new APIClient({ ...settings, api: { defaultMetadataClass: 'SimpleMetadata' as never } }),
      /defaultMetadataClass: must be a metadata class/,
    );
  });

  test('the browsable page shows the same metadata', async () => {
    const page = await client.options('/plain/', undefined, { headers: { Accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.text(), /&quot;description&quot;: &quot;Says hello\.&quot;/);
  });
});

describe('OPTIONS metadata of field serializers', () => {
  const client = new APIClient(settings);

  test('every field: type, required, read_only, label, help text, bounds, choices, child, children', async () => {
    const response = await client.options('/signup/');
    assert.equal(response.status, 200);
    const post = j(response).actions.POST;
    assert.deepEqual(Object.keys(j(response).actions), ['POST']);
    assert.deepEqual(post.nickName, {
      type: 'string',
      required: true,
      read_only: false,
      label: 'Nickname',
      help_text: 'Shown to others.',
      min_length: 2,
      max_length: 20,
    });
    assert.deepEqual(post.age, {
      type: 'integer',
      required: true,
      read_only: false,
      label: 'Age',
      min_value: 13,
      max_value: 130,
    });
    assert.deepEqual(post.plan.choices, [
      { value: 'free', display_name: 'Free plan' },
      { value: 'pro', display_name: 'Pro plan' },
    ]);
    assert.equal(post.plan.type, 'choice');
    // A read-only choice lists no choices (DRF's rule).
    assert.deepEqual(post.size, { type: 'choice', required: false, read_only: true, label: 'Size' });
    assert.deepEqual(post.tags, {
      type: 'list',
      required: false,
      read_only: false,
      label: 'Tags',
      max_length: 3,
      child: { type: 'string', required: true, read_only: false, max_length: 10 },
    });
    assert.deepEqual(post.extra.child, { type: 'integer', required: true, read_only: false });
    assert.equal(post.extra.type, 'nested object');
    assert.deepEqual(post.price, {
      type: 'decimal',
      required: false,
      read_only: false,
      label: 'Price',
      max_digits: 6,
      decimal_places: 2,
    });
    assert.deepEqual(post.newsletter, {
      type: 'boolean',
      required: false,
      read_only: false,
      label: 'Newsletter',
    });
    const address = {
      city: { type: 'string', required: true, read_only: false, label: 'City', max_length: 40 },
      zip: { type: 'string', required: false, read_only: false, label: 'Zip' },
    };
    assert.deepEqual(post.address, {
      type: 'nested object',
      required: true,
      read_only: false,
      label: 'Address',
      children: address,
    });
    assert.deepEqual(post.previous, {
      type: 'field',
      required: false,
      read_only: false,
      label: 'Previous',
      child: { type: 'nested object', required: true, read_only: false, children: address },
    });
  });

  test('a Standard Schema serializer is described from its JSON Schema', async () => {
    const post = j(await client.options('/zod-signup/')).actions.POST;
    assert.deepEqual(post.email, {
      type: 'email',
      required: true,
      read_only: false,
      label: 'Email',
      help_text: 'Where we write to.',
    });
    assert.deepEqual(post.age, {
      type: 'integer',
      required: false,
      read_only: false,
      label: 'Age',
      min_value: 13,
      max_value: Number.MAX_SAFE_INTEGER,
    });
    assert.deepEqual(post.plan.choices, [
      { value: 'free', display_name: 'free' },
      { value: 'pro', display_name: 'pro' },
    ]);
    assert.equal(post.plan.type, 'choice');
    assert.deepEqual(post.tags, {
      type: 'list',
      required: true,
      read_only: false,
      label: 'Tags',
      max_length: 3,
      child: { type: 'string', required: true, read_only: false, max_length: 10 },
    });
    // Nullable: the null alternative is dropped, the string's bound stays.
    assert.deepEqual(post.nickname, {
      type: 'string',
      required: true,
      read_only: false,
      label: 'Nickname',
      min_length: 2,
    });
  });

  test('a Standard Schema without JSON Schema (Valibot) is described by its keys alone', () => {
    const Note = Serializer.of(v.object({ title: v.string(), pinned: v.optional(v.boolean()) }));
    assert.deepEqual(new SimpleMetadata().getSerializerInfo(Note), {
      title: { type: 'field', required: false, read_only: false, label: 'Title' },
      pinned: { type: 'field', required: false, read_only: false, label: 'Pinned' },
    });
  });

  test('SimpleMetadata.getSerializerInfo describes a serializer class directly', () => {
    const info = new SimpleMetadata().getSerializerInfo(Address);
    assert.deepEqual(Object.keys(info), ['city', 'zip']);
  });

  test("a model field's verbose name is its label (DRF's ModelSerializer)", () => {
    const Book = defineApp('metadata_books').model('Book', {
      fields: { title: ModelCharField({ maxLength: 80, verboseName: 'book title' }) },
    });
    const info = new SimpleMetadata().getSerializerInfo(ModelSerializer.for(Book, { fields: ['title'] }));
    assert.equal(info.title?.label, 'Book title');
  });
});

for (const vendor of VENDORS) {
  describe(`OPTIONS metadata of generic views (${vendor})`, () => {
    let drop: () => Promise<void>;
    const client = new APIClient(settings);
    before(async () => {
      ({ drop } = await setUpDatabase(vendor, shopModels));
    });
    after(() => drop());
    beforeEach(() => truncate(shopModels));

    test('a model serializer: POST on the list, with the model fields described', async () => {
      client.forceAuthenticate({ isAuthenticated: true, id: 1 } as never);
      try {
        const body = j(await client.options('/projects/'));
        assert.equal(body.name, 'Project List');
        assert.equal(body.description, 'The projects of every organization.');
        const post = body.actions.POST;
        assert.deepEqual(Object.keys(post), [
          'id',
          'name',
          'budget',
          'price',
          'active',
          'status',
          'organization',
          'createdAt',
        ]);
        assert.deepEqual(post.id, { type: 'integer', required: false, read_only: true, label: 'Id' });
        assert.deepEqual(post.name, {
          type: 'string',
          required: true,
          read_only: false,
          label: 'Name',
          max_length: 100,
        });
        assert.equal(post.price.type, 'decimal');
        assert.equal(post.price.max_digits, 8);
        assert.equal(post.price.decimal_places, 2);
        assert.deepEqual(post.status.choices, [
          { value: 'open', display_name: 'Open' },
          { value: 'done', display_name: 'Done' },
        ]);
        // A relation lists no choices (DRF leaves them out: they are rows, possibly many).
        assert.equal(post.organization.choices, undefined);
        assert.equal(post.createdAt.read_only, true);
      } finally {
        client.forceAuthenticate(null);
      }
    });

    test('a method the user may not perform is left out, and the request still succeeds', async () => {
      // IsAuthenticatedOrReadOnly: anonymous users may not POST, so no actions at all.
      const anonymous = await client.options('/projects/');
      assert.equal(anonymous.status, 200);
      assert.equal(j(anonymous).actions, undefined);
      assert.equal(j(anonymous).name, 'Project List');
    });

    test('PUT on a detail: described when the object permissions allow it', async () => {
      const open = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const secret = await Organization.objects.create({ name: 'secret lab', slug: 'lab' });
      seenMethods.length = 0;
      const allowed = await client.options(`/organizations/${open.id}/`);
      // The request's own check, then the one made as for PUT (DRF's cloned request).
      assert.deepEqual(seenMethods, ['OPTIONS', 'PUT']);
      assert.equal(allowed.status, 200);
      assert.deepEqual(Object.keys(j(allowed).actions), ['PUT']);
      assert.deepEqual(Object.keys(j(allowed).actions.PUT), ['id', 'name', 'slug']);
      // The object permission refuses: no PUT, still a 200.
      const refused = await client.options(`/organizations/${secret.id}/`);
      assert.equal(refused.status, 200);
      assert.equal(j(refused).actions, undefined);
      // No such object: getObject's 404 leaves PUT out too (DRF catches Http404 there).
      const missing = await client.options('/organizations/999999/');
      assert.equal(missing.status, 200);
      assert.equal(j(missing).actions, undefined);
      // The same object permission refuses the real request.
      assert.equal((await client.get(`/organizations/${secret.id}/`)).status, 403);
    });

    test('a viewset: POST on the list route, PUT on the detail route', async () => {
      const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const list = j(await client.options('/api/orgs/'));
      assert.deepEqual(Object.keys(list.actions), ['POST']);
      assert.equal(list.name, 'Organization List');
      const detail = j(await client.options(`/api/orgs/${acme.id}/`));
      assert.deepEqual(Object.keys(detail.actions), ['PUT']);
      assert.equal(detail.actions.PUT.slug.type, 'slug');
    });
  });
}

describe('OPTIONS metadata over a real socket', () => {
  let server: TsgiServer;
  before(async () => {
    server = await serve(getTsgiApplication(settings), {
      host: '127.0.0.1',
      port: 0,
      errors: memoryErrors(),
    });
  });
  after(async () => server?.close(0));

  test('an OPTIONS request answers the metadata as JSON, with Allow', async () => {
    const response = await fetch(`${server.url}/signup/`, { method: 'OPTIONS' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.headers.get('allow'), 'POST, OPTIONS');
    const body = (await response.json()) as { name: string; actions: { POST: Record<string, unknown> } };
    assert.equal(body.name, 'Signup');
    assert.deepEqual(Object.keys(body.actions.POST), [
      'nickName',
      'age',
      'plan',
      'size',
      'tags',
      'extra',
      'price',
      'newsletter',
      'address',
      'previous',
    ]);
    const silent = await fetch(`${server.url}/silent/`, { method: 'OPTIONS' });
    assert.equal(silent.status, 405);
    assert.deepEqual(await silent.json(), { detail: 'Method "OPTIONS" not allowed.' });
  });
});
