import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompiledQuery } from 'kysely';
import {
  atomic,
  captureQueries,
  CharField,
  connections,
  defineApp,
  or,
  unregisterModels,
} from '../../src/db/index.ts';
import type { Model } from '../../src/db/models.ts';
import { forgetShapes, SHAPE_CACHE_SIZE, shapeCacheStats } from '../../src/db/statements.ts';
import { Organization, Person, Project, shopModels } from './fixtures/shop.ts';
import { useDatabase, VENDORS } from './helpers.ts';

async function seed() {
  const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
  const globex = await Organization.objects.create({ name: 'Globex', slug: 'globex' });
  const ada = await Person.objects.create({ name: 'Ada', organization: acme });
  const rocket = await Project.objects.create({ organization: acme, name: 'Rocket', budget: 100, lead: ada });
  const drill = await Project.objects.create({
    organization: acme,
    name: 'Drill',
    budget: 50,
    active: false,
  });
  const laser = await Project.objects.create({ organization: globex, name: 'Laser', budget: 300 });
  const tps = await Project.objects.create({ organization: globex, name: '50% TPS', budget: 5 });
  return { acme, globex, ada, rocket, drill, laser, tps };
}

const compiled = () => shapeCacheStats().compiled;

for (const vendor of VENDORS) {
  describe(`compiled statements per queryset shape on ${vendor}`, () => {
    const fixture = useDatabase(vendor, shopModels, async () => {
      forgetShapes();
      return seed();
    });

    test('the same shape compiles once: later values bind to the same SQL and find their own rows', async () => {
      const start = compiled();
      const first = await Project.objects.get({ pk: fixture.data.rocket.pk });
      assert.equal(compiled(), start + 1);
      const { queries } = await captureQueries(async () => {
        assert.equal((await Project.objects.get({ pk: fixture.data.laser.pk })).name, 'Laser');
        assert.equal((await Project.objects.get({ pk: fixture.data.drill.pk })).name, 'Drill');
      });
      assert.equal(first.name, 'Rocket');
      assert.equal(compiled(), start + 1, 'no new compilation for the same shape');
      assert.equal(queries.length, 2);
      assert.equal(queries[0], queries[1], 'one SQL text for both');
      assert.equal(
        Project.objects.filter({ pk: fixture.data.laser.pk }).compile().sql,
        Project.objects.filter({ pk: fixture.data.drill.pk }).compile().sql,
      );
      assert.deepEqual(Project.objects.filter({ budget__gt: 7 }).limit(3).compile().parameters, [7, 3]);
      // A miss is still a miss: DoesNotExist from the cached statement.
      await assert.rejects(Project.objects.get({ pk: -1 }), Project.DoesNotExist);
    });

    test('different shapes do not collide: null, lists of different lengths, negation, ordering, slicing, values', async () => {
      const { ada, acme } = fixture.data;
      const name = (rows: unknown[]) =>
        rows.map((r) => (typeof r === 'string' ? r : (r as { name: string }).name));
      const cases: Array<[string, () => PromiseLike<unknown[]>, string[]]> = [
        ['exact', () => Project.objects.filter({ lead: ada.pk }).orderBy('name'), ['Rocket']],
        ['in, one', () => Project.objects.filter({ lead__in: [ada.pk] }).orderBy('name'), ['Rocket']],
        [
          'in, null left out',
          () => Project.objects.filter({ lead__in: [null, ada.pk] }).orderBy('name'),
          ['Rocket'],
        ],
        [
          'exact null is IS NULL',
          () => Project.objects.filter({ lead: null }).orderBy('name'),
          ['50% TPS', 'Drill', 'Laser'],
        ],
        [
          'in, two',
          () => Project.objects.filter({ budget__in: [5, 50] }).orderBy('name'),
          ['50% TPS', 'Drill'],
        ],
        [
          'in, three',
          () => Project.objects.filter({ budget__in: [5, 50, 300] }).orderBy('name'),
          ['50% TPS', 'Drill', 'Laser'],
        ],
        [
          'in, a set',
          () => Project.objects.filter({ budget__in: new Set([300, 100]) }).orderBy('name'),
          ['Laser', 'Rocket'],
        ],
        ['in, empty', () => Project.objects.filter({ budget__in: [] }).orderBy('name'), []],
        [
          'exclude exact, nullable',
          () => Project.objects.exclude({ lead: ada.pk }).orderBy('name'),
          ['50% TPS', 'Drill', 'Laser'],
        ],
        ['exclude null', () => Project.objects.exclude({ lead: null }).orderBy('name'), ['Rocket']],
        [
          'isnull true',
          () => Project.objects.filter({ lead__isnull: true }).orderBy('name'),
          ['50% TPS', 'Drill', 'Laser'],
        ],
        ['isnull false', () => Project.objects.filter({ lead__isnull: false }).orderBy('name'), ['Rocket']],
        [
          'descending',
          () => Project.objects.filter({ budget__gte: 50 }).orderBy('-name'),
          ['Rocket', 'Laser', 'Drill'],
        ],
        [
          'ascending',
          () => Project.objects.filter({ budget__gte: 50 }).orderBy('name'),
          ['Drill', 'Laser', 'Rocket'],
        ],
        [
          'by budget',
          () => Project.objects.filter({ budget__gte: 50 }).orderBy('budget'),
          ['Drill', 'Rocket', 'Laser'],
        ],
        ['limit 2', () => Project.objects.orderBy('budget').limit(2), ['50% TPS', 'Drill']],
        ['limit 3', () => Project.objects.orderBy('budget').limit(3), ['50% TPS', 'Drill', 'Rocket']],
        ['offset', () => Project.objects.orderBy('budget').offset(3), ['Laser']],
        ['limit and offset', () => Project.objects.orderBy('budget').limit(2).offset(1), ['Drill', 'Rocket']],
        [
          'or',
          () => Project.objects.filter(or({ name: 'Rocket' }, { budget__gt: 200 })).orderBy('name'),
          ['Laser', 'Rocket'],
        ],
        [
          'contains escapes %',
          () => Project.objects.filter({ name__contains: '0%' }).orderBy('name'),
          ['50% TPS'],
        ],
        ['icontains', () => Project.objects.filter({ name__icontains: 'LAS' }).orderBy('name'), ['Laser']],
        [
          'range',
          () => Project.objects.filter({ budget__range: [50, 100] }).orderBy('name'),
          ['Drill', 'Rocket'],
        ],
        [
          'a coerced string',
          () => Project.objects.filter({ budget: '50' } as never).orderBy('name'),
          ['Drill'],
        ],
        [
          'an instance as value',
          () => Project.objects.filter({ organization: acme }).orderBy('name'),
          ['Drill', 'Rocket'],
        ],
        [
          'across a relation',
          () => Project.objects.filter({ organization__slug: 'globex' }).orderBy('name'),
          ['50% TPS', 'Laser'],
        ],
        [
          'values',
          () => Project.objects.filter({ budget__lt: 60 }).orderBy('name').values('name'),
          ['50% TPS', 'Drill'],
        ],
        [
          'valuesList flat',
          () => Project.objects.filter({ budget__lt: 60 }).orderBy('name').valuesList('name', { flat: true }),
          ['50% TPS', 'Drill'],
        ],
        ['a boolean', () => Project.objects.filter({ active: false }).orderBy('name'), ['Drill']],
        [
          'undefined is no condition',
          () => Project.objects.filter({ active: false, budget: undefined }).orderBy('name'),
          ['Drill'],
        ],
      ];
      const start = compiled();
      // Twice, the second time backwards: a shape served another's statement would answer wrong.
      for (const [label, run, expected] of cases) assert.deepEqual(name(await run()), expected, label);
      const distinct = compiled() - start;
      for (const [label, run, expected] of [...cases].reverse())
        assert.deepEqual(name(await run()), expected, `${label}, again`);
      assert.equal(compiled() - start, distinct, 'the second pass compiles nothing');
      // Three pairs share a statement, only their values differ: limit 2 and 3; `in` with a
      // null left out and without; a condition whose value is undefined and none.
      assert.equal(distinct, cases.length - 3);
    });

    test('count() and exists() compile once per shape too, sliced or not', async () => {
      const start = compiled();
      assert.equal(await Project.objects.filter({ budget__gte: 50 }).count(), 3);
      assert.equal(await Project.objects.filter({ budget__gte: 100 }).count(), 2);
      assert.equal(await Project.objects.filter({ budget__gte: 1000 }).count(), 0);
      assert.equal(compiled(), start + 1);
      assert.equal(await Project.objects.filter({ budget__gte: 50 }).limit(2).count(), 2);
      assert.equal(await Project.objects.filter({ budget__gte: 50 }).limit(5).offset(2).count(), 1);
      assert.equal(await Project.objects.filter({ organization__slug: 'acme' }).count(), 2);
      assert.equal(await Project.objects.filter({ organization__slug: 'none' }).count(), 0);
      assert.equal(compiled(), start + 4, 'limited, limited with an offset, joined');
      assert.equal(await Project.objects.filter({ name: 'Laser' }).exists(), true);
      assert.equal(await Project.objects.filter({ name: 'Nope' }).exists(), false);
      assert.equal(await Project.objects.filter({ lead: null }).exists(), true);
      assert.equal(await Project.objects.orderBy('pk').offset(3).exists(), true);
      assert.equal(await Project.objects.orderBy('pk').offset(4).exists(), false);
      assert.equal(compiled(), start + 7);
    });

    test('instances from a cached statement: types converted, the database alias, selectRelated', async () => {
      for (let i = 0; i < 2; i++) {
        const drill = await Project.objects.selectRelated('organization', 'lead').get({ name: 'Drill' });
        assert.equal(drill.active, false);
        assert.equal(drill.budget, 50);
        assert.equal(drill.organization?.name, 'Acme');
        assert.equal(drill.lead, null);
        assert.equal(drill._state.adding, false);
        assert.equal(drill._state.db, 'default');
        const rocket = await Project.objects.selectRelated('lead__organization').get({ name: 'Rocket' });
        assert.equal(rocket.lead?.name, 'Ada');
        assert.equal(
          (rocket.lead as unknown as { organization: Model }).organization.pk,
          fixture.data.acme.pk,
        );
        assert.deepEqual(Object.keys(rocket.toJSON()).sort(), Object.keys(drill.toJSON()).sort());
      }
    });

    test('a subquery or a generator is not cached; a string given to __in binds per length; all answer right', async () => {
      const before = shapeCacheStats().size;
      const acme = Organization.objects.filter({ slug: 'acme' });
      for (let i = 0; i < 2; i++) {
        const inAcme = await Project.objects.filter({ organization__in: acme }).orderBy('name');
        assert.deepEqual(
          inAcme.map((p) => p.name),
          ['Drill', 'Rocket'],
        );
        function* budgets() {
          yield 5;
          yield 300;
        }
        const byGenerator = await Project.objects.filter({ budget__in: budgets() }).orderBy('name');
        assert.deepEqual(
          byGenerator.map((p) => p.name),
          ['50% TPS', 'Laser'],
        );
      }
      assert.equal(shapeCacheStats().size, before);
      // A string given to `__in` is a list of its characters: one shape for any length,
      // whose count of parameters varies; a length other than the compiled one is compiled
      // on its own.
      const chars = (text: string) =>
        Project.objects
          .filter({ budget__in: text } as never)
          .orderBy('name')
          .valuesList('name', { flat: true });
      assert.deepEqual(await chars('5'), ['50% TPS']);
      assert.deepEqual(await chars('35'), ['50% TPS']);
      assert.deepEqual(await chars('9'), []);
    });

    test('a cached statement runs in the transaction of its context', async () => {
      const get = (pk: unknown) => Project.objects.get({ pk });
      await get(fixture.data.rocket.pk); // the shape is compiled outside any transaction
      let pk: unknown;
      await assert.rejects(
        atomic(async () => {
          const created = await Project.objects.create({ organization: fixture.data.acme, name: 'Ghost' });
          pk = created.pk;
          assert.equal((await get(pk)).name, 'Ghost');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      await assert.rejects(get(pk), Project.DoesNotExist);
    });

    test('declaring a model forgets the compiled shapes', async () => {
      await Project.objects.get({ pk: fixture.data.rocket.pk });
      assert.ok(shapeCacheStats().size > 0);
      const app = defineApp('shapes_test');
      try {
        app.model('Thing', { fields: { name: CharField({ maxLength: 10 }) } });
        assert.equal(shapeCacheStats().size, 0);
      } finally {
        unregisterModels(app);
      }
      assert.equal((await Project.objects.get({ pk: fixture.data.rocket.pk })).name, 'Rocket');
    });

    if (vendor === 'sqlite')
      test('the cache is bounded; the raw Kysely handle still reads objects from a statement the model layer read as arrays', async () => {
        // A list of n budgets (one of them 50% TPS's) is a shape of its own per n.
        const flat = (n: number) =>
          Project.objects
            .filter({ budget__in: [5, ...Array.from({ length: n - 1 }, (_, i) => 1000 + i)] })
            .orderBy('name')
            .valuesList('name', { flat: true });
        for (let n = 1; n <= SHAPE_CACHE_SIZE + 20; n++) await flat(n);
        const stats = shapeCacheStats();
        assert.equal(stats.size, SHAPE_CACHE_SIZE);
        assert.equal(stats.capacity, SHAPE_CACHE_SIZE);
        let start = compiled();
        assert.deepEqual(await flat(SHAPE_CACHE_SIZE + 20), ['50% TPS']);
        assert.equal(compiled(), start, 'a recent shape is kept');
        assert.deepEqual(await flat(6), ['50% TPS']);
        assert.equal(compiled(), start + 1, 'the oldest shapes were dropped, and compile again');
        assert.equal(shapeCacheStats().size, SHAPE_CACHE_SIZE);

        start = compiled();
        const qs = Project.objects.filter({ budget__gt: 60 }).orderBy('name').values('name');
        assert.deepEqual(await qs, [{ name: 'Laser' }, { name: 'Rocket' }]);
        const { sql, parameters } = qs.compile();
        const raw = await connections.get().kysely.executeQuery(CompiledQuery.raw(sql, [...parameters]));
        assert.deepEqual(raw.rows, [{ c0: 'Laser' }, { c0: 'Rocket' }]);
        assert.equal(Object.getPrototypeOf(raw.rows[0]), Object.prototype);
        assert.deepEqual(await qs, [{ name: 'Laser' }, { name: 'Rocket' }]);
      });
  });
}
