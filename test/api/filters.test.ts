import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FieldFilter, OrderingFilter, SearchFilter, searchTerms } from '../../src/api/filters/index.ts';
import { APIException } from '../../src/api/exceptions.ts';
import { HttpRequest } from '../../src/web/index.ts';
import { Organization, Project, shopModels } from '../db/fixtures/shop.ts';
import { setUpDatabase, VENDORS } from '../db/helpers.ts';
import { makeEnviron } from '../web/helpers.ts';

function request(query: string): HttpRequest {
  return new HttpRequest(makeEnviron({ path: '/projects/', query }));
}

async function names(queryset: PromiseLike<Array<{ name: string }>>): Promise<string[]> {
  return (await queryset).map((p) => p.name);
}

test('search terms: whitespace and commas split, quotes keep a phrase, NUL is dropped', () => {
  assert.deepEqual(searchTerms('  rocket, "big laser"  tps\0 '), ['rocket', 'big laser', 'tps']);
  assert.deepEqual(searchTerms(' , '), []);
});

for (const vendor of VENDORS) {
  describe(`filter backends (${vendor})`, () => {
    let drop: () => Promise<void>;
    before(async () => {
      ({ drop } = await setUpDatabase(vendor, shopModels));
      const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const globex = await Organization.objects.create({ name: 'Globex', slug: 'globex' });
      await Project.objects.create({
        organization: acme,
        name: 'Rocket',
        description: 'to the moon',
        budget: 100,
      });
      await Project.objects.create({
        organization: acme,
        name: 'Drill',
        description: 'rocket drill',
        budget: 50,
        status: 'done',
      });
      await Project.objects.create({ organization: globex, name: 'Laser', budget: 300, active: false });
    });
    after(() => drop());

    test('search: every term in some field, prefixes pick the match, case ignored', async () => {
      const view = { searchFields: ['name', 'description'] };
      const search = (q: string, v: object = view) =>
        names(
          new SearchFilter().filterQueryset(
            request(`search=${encodeURIComponent(q)}`),
            Project.objects.orderBy('name'),
            v,
          ),
        );
      assert.deepEqual(await search('ROCKET'), ['Drill', 'Rocket']);
      assert.deepEqual(await search('rocket moon'), ['Rocket']);
      assert.deepEqual(await search('dr', { searchFields: ['^name'] }), ['Drill']);
      assert.deepEqual(await search('ill', { searchFields: ['^name'] }), []);
      assert.deepEqual(await search('laser', { searchFields: ['=name'] }), ['Laser']);
      assert.deepEqual(await search('las', { searchFields: ['=name'] }), []);
      assert.deepEqual(await search('glob', { searchFields: ['organization__name'] }), ['Laser']);
      assert.deepEqual(await search(''), ['Drill', 'Laser', 'Rocket']);
      // Wildcards of LIKE are text, not patterns.
      assert.deepEqual(await search('%'), []);
    });

    test('ordering: the client order within the allow-list, unknown names dropped', async () => {
      const view = { orderingFields: ['budget', 'name'], ordering: 'name' };
      const order = (q: string, v: object = view) =>
        names(new OrderingFilter().filterQueryset(request(q), Project.objects.all(), v));
      assert.deepEqual(await order('ordering=-budget'), ['Laser', 'Rocket', 'Drill']);
      assert.deepEqual(await order('ordering=description,budget'), ['Drill', 'Rocket', 'Laser']);
      assert.deepEqual(await order('ordering=password'), ['Drill', 'Laser', 'Rocket']);
      assert.deepEqual(await order(''), ['Drill', 'Laser', 'Rocket']);
      assert.deepEqual(await order('ordering=-description', { orderingFields: '__all__' }), [
        'Rocket',
        'Drill',
        'Laser',
      ]);
    });

    test('field filters: values converted by the model, lookups allowed per field, bad values a 400', async () => {
      const view = {
        filtersetFields: {
          status: ['exact'],
          budget: ['gte', 'lt', 'in'],
          active: ['exact'],
          lead: ['isnull'],
        },
      };
      const filter = (q: string) =>
        names(new FieldFilter().filterQueryset(request(q), Project.objects.orderBy('name'), view));
      assert.deepEqual(await filter('status=done'), ['Drill']);
      assert.deepEqual(await filter('budget__gte=60&budget__lt=200'), ['Rocket']);
      assert.deepEqual(await filter('budget__in=50,300'), ['Drill', 'Laser']);
      assert.deepEqual(await filter('active=false'), ['Laser']);
      assert.deepEqual(await filter('lead__isnull=true'), ['Drill', 'Laser', 'Rocket']);
      // Parameters the view does not list are ignored, as django-filter does.
      assert.deepEqual(await filter('name=Rocket&budget=100'), ['Drill', 'Laser', 'Rocket']);
      assert.deepEqual(
        await names(
          new FieldFilter().filterQueryset(request('status=open'), Project.objects.orderBy('name'), {
            filtersetFields: ['status'],
          }),
        ),
        ['Laser', 'Rocket'],
      );
      assert.throws(
        () =>
          new FieldFilter().filterQueryset(
            request('budget__gte=lots&lead__isnull=maybe'),
            Project.objects.all(),
            view,
          ),
        (error) => {
          assert.ok(error instanceof APIException);
          assert.equal(error.status, 400);
          assert.deepEqual(Object.keys(error.detail), ['budget__gte', 'lead__isnull']);
          return true;
        },
      );
    });
  });
}
