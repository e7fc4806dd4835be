import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  Avg,
  captureQueries,
  Count,
  F,
  FieldError,
  Max,
  Min,
  MultipleObjectsReturned,
  not,
  ObjectDoesNotExist,
  or,
  postDelete,
  postSave,
  preSave,
  ProtectedError,
  Q,
  Sum,
} from '../../src/db/index.ts';
import { Charter, Organization, Person, Project, shopModels } from './fixtures/shop.ts';
import { setUpDatabase, truncate, VENDORS } from './helpers.ts';

async function seed() {
  const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme', email: 'hi@acme.test' });
  const globex = await Organization.objects.create({ name: 'Globex', slug: 'globex' });
  const initech = await Organization.objects.create({ name: 'Initech', slug: 'initech' });
  const ada = await Person.objects.create({ name: 'Ada', organization: acme });
  const [rocket, drill, laser, tps] = await Project.objects.bulkCreate([
    {
      organization: acme,
      name: 'Rocket',
      budget: 100,
      price: '10.50',
      lead: ada,
      starts: '2026-01-15',
      tags: ['space'],
    },
    { organization: acme, name: 'Drill', budget: 50, price: '2.25', active: false, starts: '2025-06-01' },
    { organization: globex, name: 'Laser', budget: 300, price: '99.99', status: 'done' },
    {
      organization: initech,
      name: 'TPS reports',
      budget: 5,
      price: '0.10',
      description: 'Did you get the memo?',
    },
  ]);
  return { acme, globex, initech, ada, rocket: rocket!, drill: drill!, laser: laser!, tps: tps! };
}

const names = (rows: ReadonlyArray<{ name: string }>) => rows.map((r) => r.name);

for (const vendor of VENDORS) {
  describe(`querysets on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    let data: Awaited<ReturnType<typeof seed>>;
    before(async () => {
      database = await setUpDatabase(vendor, shopModels);
    });
    after(async () => database.drop());
    beforeEach(async () => {
      await truncate(shopModels);
      data = await seed();
    });

    test('lookups: exact, iexact, in, gt/gte/lt/lte, range, contains/icontains, startswith/istartswith, endswith, isnull', async () => {
      const q = (where: object) =>
        Project.objects
          .filter(where as never)
          .orderBy('name')
          .valuesList('name', { flat: true });
      assert.deepEqual(await q({ name: 'Rocket' }), ['Rocket']);
      assert.deepEqual(await q({ name__iexact: 'rOCKET' }), ['Rocket']);
      assert.deepEqual(await q({ name__in: ['Laser', 'Drill', 'None'] }), ['Drill', 'Laser']);
      assert.deepEqual(await q({ name__in: [] }), []);
      assert.deepEqual(await q({ budget__gt: 50 }), ['Laser', 'Rocket']);
      assert.deepEqual(await q({ budget__gte: 50 }), ['Drill', 'Laser', 'Rocket']);
      assert.deepEqual(await q({ budget__lt: 50 }), ['TPS reports']);
      assert.deepEqual(await q({ budget__lte: 50 }), ['Drill', 'TPS reports']);
      assert.deepEqual(await q({ budget__range: [50, 100] }), ['Drill', 'Rocket']);
      assert.deepEqual(await q({ name__contains: 'ill' }), ['Drill']);
      assert.deepEqual(await q({ name__contains: 'ILL' }), [], 'contains is case-sensitive on both');
      assert.deepEqual(await q({ name__icontains: 'ILL' }), ['Drill']);
      assert.deepEqual(await q({ name__startswith: 'TPS' }), ['TPS reports']);
      assert.deepEqual(await q({ name__istartswith: 'tps' }), ['TPS reports']);
      assert.deepEqual(await q({ name__endswith: 'er' }), ['Laser']);
      assert.deepEqual(await q({ description__contains: '%' }), [], 'wildcards are escaped');
      assert.deepEqual(await q({ starts__isnull: true }), ['Laser', 'TPS reports']);
      assert.deepEqual(await q({ leadId__isnull: false }), ['Rocket']);
      assert.deepEqual(await q({ price__gt: '10' }), ['Laser', 'Rocket']);
      assert.deepEqual(await q({ active: false }), ['Drill']);
    });

    test('date and year lookups on dates and date/times, in UTC', async () => {
      const q = (where: object) =>
        Project.objects
          .filter(where as never)
          .orderBy('name')
          .valuesList('name', { flat: true });
      assert.deepEqual(await q({ starts__year: 2026 }), ['Rocket']);
      assert.deepEqual(await q({ starts__year__lt: 2026 }), ['Drill']);
      const today = new Date().toISOString().slice(0, 10);
      assert.equal((await q({ createdAt__date: today })).length, 4);
      assert.equal((await q({ createdAt__year: new Date().getUTCFullYear() })).length, 4);
      assert.deepEqual(await q({ starts__gte: '2026-01-01' }), ['Rocket']);
    });

    test('lookups across foreign keys, forward and reverse, with a typo a FieldError naming the choices', async () => {
      assert.deepEqual(names(await Project.objects.filter({ organization__slug: 'acme' }).orderBy('name')), [
        'Drill',
        'Rocket',
      ]);
      assert.deepEqual(names(await Project.objects.filter({ organization__name__icontains: 'GLO' })), [
        'Laser',
      ]);
      assert.deepEqual(names(await Project.objects.filter({ lead__organization__slug: 'acme' })), ['Rocket']);
      assert.deepEqual(names(await Project.objects.filter({ organization: data.globex })), ['Laser']);
      assert.deepEqual(names(await Project.objects.filter({ organizationId: data.initech.id })), [
        'TPS reports',
      ]);
      assert.deepEqual(
        names(await Organization.objects.filter({ project__budget__gte: 100 } as never).distinct()),
        ['Acme', 'Globex'],
      );
      assert.deepEqual(names(await Organization.objects.filter({ people__name: 'Ada' } as never)), ['Acme']);
      assert.throws(
        () => Project.objects.filter({ nmae: 'x' } as never).compile(),
        (e: unknown) =>
          e instanceof FieldError &&
          /Project has no field 'nmae' \(choices: id, organization/.test(e.message),
      );
      assert.throws(
        () => Project.objects.filter({ name__like: 'x' } as never).compile(),
        /unsupported lookup 'like'/,
      );
    });

    test('exclude, Q objects with or/not, and NULL-safe negation', async () => {
      assert.deepEqual(names(await Project.objects.exclude({ organization__slug: 'acme' }).orderBy('name')), [
        'Laser',
        'TPS reports',
      ]);
      assert.deepEqual(
        names(await Project.objects.filter(or({ name: 'Rocket' }, { budget__lt: 10 })).orderBy('name')),
        ['Rocket', 'TPS reports'],
      );
      assert.deepEqual(
        names(
          await Project.objects.filter(Q({ name: 'Rocket' }).or({ name: 'Laser' }).not()).orderBy('name'),
        ),
        ['Drill', 'TPS reports'],
      );
      assert.deepEqual(names(await Project.objects.filter(not({ active: true }))), ['Drill']);
      // starts is NULL for Laser and TPS: "not 2026-01-15" includes them, as in Django.
      assert.deepEqual(names(await Project.objects.exclude({ starts: '2026-01-15' }).orderBy('name')), [
        'Drill',
        'Laser',
        'TPS reports',
      ]);
    });

    test('orderBy (with -field, across a relation), meta ordering, reverse, limit/offset, distinct', async () => {
      assert.deepEqual(names(await Organization.objects.all()), ['Acme', 'Globex', 'Initech']);
      assert.deepEqual(names(await Organization.objects.orderBy('-name')), ['Initech', 'Globex', 'Acme']);
      assert.deepEqual(names(await Project.objects.orderBy('-organization__name', 'name')), [
        'TPS reports',
        'Laser',
        'Drill',
        'Rocket',
      ]);
      assert.deepEqual(names(await Organization.objects.reverse()), ['Initech', 'Globex', 'Acme']);
      assert.deepEqual(names(await Organization.objects.offset(1).limit(1)), ['Globex']);
      assert.deepEqual(names(await Organization.objects.offset(2)), ['Initech']);
      assert.equal(
        await Organization.objects
          .filter({ project__active: true } as never)
          .distinct()
          .count(),
        3,
      );
    });

    test('get() raises the model’s DoesNotExist or MultipleObjectsReturned; first/last/count/exists', async () => {
      assert.equal((await Organization.objects.get({ slug: 'acme' })).name, 'Acme');
      await assert.rejects(
        Organization.objects.get({ slug: 'nope' }),
        (e: unknown) =>
          e instanceof Organization.DoesNotExist &&
          e instanceof ObjectDoesNotExist &&
          (e as { code: string }).code === 'PORTICO_ERR_DB_DOES_NOT_EXIST',
      );
      await assert.rejects(
        Project.objects.get({ organization__slug: 'acme' }),
        (e: unknown) =>
          e instanceof Project.MultipleObjectsReturned &&
          e instanceof MultipleObjectsReturned &&
          /returned 2/.test((e as Error).message),
      );
      assert.equal((await Organization.objects.first())?.name, 'Acme');
      assert.equal((await Organization.objects.last())?.name, 'Initech');
      assert.equal(await Organization.objects.filter({ slug: 'zzz' }).first(), null);
      assert.equal(await Project.objects.count(), 4);
      assert.equal(await Project.objects.filter({ organization__slug: 'acme' }).count(), 2);
      assert.equal(await Project.objects.filter({ budget__gt: 1000 }).exists(), false);
      assert.equal(await Project.objects.filter({ budget__gt: 100 }).exists(), true);
    });

    test('values and valuesList, across relations', async () => {
      assert.deepEqual(
        await Project.objects
          .filter({ name: 'Rocket' })
          .values('name', 'organization__slug', 'price', 'active'),
        [{ name: 'Rocket', organization__slug: 'acme', price: '10.50', active: true }],
      );
      assert.deepEqual(await Project.objects.orderBy('budget').valuesList('name', 'budget').limit(2), [
        ['TPS reports', 5],
        ['Drill', 50],
      ]);
    });

    test('getOrCreate, updateOrCreate, bulkCreate', async () => {
      const [acme, created] = await Organization.objects.getOrCreate({ slug: 'acme' }, { name: 'Other' });
      assert.equal(created, false);
      assert.equal(acme.name, 'Acme');
      const [hooli, made] = await Organization.objects.getOrCreate({ slug: 'hooli' }, { name: 'Hooli' });
      assert.equal(made, true);
      assert.equal(hooli.name, 'Hooli');
      const [updated, created2] = await Organization.objects.updateOrCreate(
        { slug: 'hooli' },
        { name: 'Hooli XYZ' },
      );
      assert.equal(created2, false);
      assert.equal(updated.id, hooli.id);
      assert.equal((await Organization.objects.get({ slug: 'hooli' })).name, 'Hooli XYZ');
      const [, created3] = await Organization.objects.updateOrCreate(
        { slug: 'piper' },
        { name: 'Pied Piper' },
      );
      assert.equal(created3, true);
      const rows = await Person.objects.bulkCreate([{ name: 'B' }, { name: 'C' }]);
      assert.equal(rows.length, 2);
      assert.ok(rows.every((r) => typeof r.id === 'number'));
      assert.notEqual(rows[0]!.id, rows[1]!.id);
    });

    test('update() of a queryset, with F() expressions and across a relation', async () => {
      const n = await Project.objects
        .filter({ organization__slug: 'acme' })
        .update({ budget: F('budget').plus(1) });
      assert.equal(n, 2);
      assert.deepEqual(
        await Project.objects
          .filter({ organization__slug: 'acme' })
          .orderBy('name')
          .valuesList('budget', { flat: true }),
        [51, 101],
      );
      assert.equal(
        await Project.objects.filter({ name: 'Laser' }).update({ status: 'open', active: false }),
        1,
      );
      assert.equal((await Project.objects.get({ name: 'Laser' })).active, false);
    });

    test('delete() honours onDelete: CASCADE removes, PROTECT refuses, SET_NULL clears', async () => {
      await Charter.objects.create({ project: data.rocket, text: 'Go to space' });
      // Acme is protected by Ada (Person.organization is PROTECT).
      await assert.rejects(
        data.acme.delete(),
        (e: unknown) => e instanceof ProtectedError && /Person\.organization/.test((e as Error).message),
      );
      assert.equal(await Project.objects.count(), 4, 'nothing was deleted');
      // Deleting Ada clears Rocket's lead.
      await data.ada.delete();
      assert.equal((await Project.objects.get({ name: 'Rocket' })).leadId, null);
      // Now Acme goes, with its projects and the charter of one.
      const [total, counts] = await Organization.objects.filter({ slug: 'acme' }).delete();
      assert.equal(total, 4);
      assert.deepEqual(counts, { 'shop.Charter': 1, 'shop.Project': 2, 'shop.Organization': 1 });
      assert.deepEqual(names(await Project.objects.orderBy('name')), ['Laser', 'TPS reports']);
    });

    test('selectRelated joins in one query; prefetchRelated adds one query per relation', async () => {
      const { result: projects, queries } = await captureQueries(() =>
        Project.objects.selectRelated('organization', 'lead').orderBy('name'),
      );
      assert.equal(queries.length, 1);
      assert.deepEqual(
        projects.map((p) => p.organization?.slug),
        ['acme', 'globex', 'acme', 'initech'],
      );
      assert.equal(projects.find((p) => p.name === 'Rocket')?.lead?.name, 'Ada');
      assert.equal(projects.find((p) => p.name === 'Laser')?.lead, null);
      const prefetched = await captureQueries(() => Organization.objects.prefetchRelated('projectSet'));
      assert.equal(prefetched.queries.length, 2);
      const acme = prefetched.result.find((o) => o.slug === 'acme')!;
      const { result: list, queries: none } = await captureQueries(
        async () => acme._state.related.get('projectSet:prefetched') as Array<{ name: string }>,
      );
      assert.equal(none.length, 0);
      assert.deepEqual(names(list).sort(), ['Drill', 'Rocket']);
      const forward = await captureQueries(() => Project.objects.prefetchRelated('organization'));
      assert.equal(forward.queries.length, 2);
      assert.ok(forward.result.every((p) => p.organization !== undefined));
    });

    test('aggregate() and annotate() with Count, Sum, Avg, Min, Max', async () => {
      const totals = await Project.objects.aggregate({
        n: Count(),
        budget: Sum('budget'),
        avg: Avg('budget'),
        low: Min('price'),
        high: Max('budget'),
        money: Sum('price'),
      });
      assert.deepEqual(totals, { n: 4, budget: 455, avg: 113.75, low: '0.10', high: 300, money: '112.84' });
      assert.deepEqual(
        await Project.objects
          .filter({ organization__slug: 'nope' })
          .aggregate({ n: Count(), s: Sum('budget') }),
        { n: 0, s: null },
      );
      const orgs = await Organization.objects
        .annotate({ projects: Count('project'), spend: Sum('project__budget') })
        .orderBy('-projects', 'name');
      assert.deepEqual(
        orgs.map((o) => [o.name, o.projects, o.spend]),
        [
          ['Acme', 2, 150],
          ['Globex', 1, 300],
          ['Initech', 1, 5],
        ],
      );
      const busy = await Organization.objects
        .annotate({ projects: Count('project') })
        .filter({ projects__gte: 2 });
      assert.deepEqual(names(busy), ['Acme']);
    });

    test('for await iterates in chunks', async () => {
      const seen: string[] = [];
      const { queries } = await captureQueries(async () => {
        for await (const p of Project.objects.orderBy('name').iterator(3)) seen.push(p.name);
      });
      assert.deepEqual(seen, ['Drill', 'Laser', 'Rocket', 'TPS reports']);
      assert.equal(queries.length, 2);
    });

    test('preSave/postSave/postDelete signals carry the instance and created', async () => {
      const events: string[] = [];
      const pre = ({ instance }: { instance: unknown }) =>
        void events.push(`pre:${(instance as { name: string }).name}`);
      const post = ({ instance, created }: { instance: unknown; created: boolean }) =>
        void events.push(`post:${(instance as { name: string }).name}:${created}`);
      const deleted = async ({ instance }: { instance: unknown }) =>
        void events.push(`deleted:${(instance as { name: string }).name}`);
      preSave.connect(pre, { sender: Person });
      postSave.connect(post, { sender: Person });
      postDelete.connect(deleted, { sender: Person });
      try {
        const p = await Person.objects.create({ name: 'Bob' });
        p.name = 'Rob';
        await p.save();
        await Person.objects.filter({ name: 'Rob' }).delete();
        assert.deepEqual(events, ['pre:Bob', 'post:Bob:true', 'pre:Rob', 'post:Rob:false', 'deleted:Rob']);
      } finally {
        preSave.disconnect(pre, { sender: Person });
        postSave.disconnect(post, { sender: Person });
        postDelete.disconnect(deleted, { sender: Person });
      }
    });

    test('the typed Kysely handle reaches the same tables', async () => {
      const rows = await Project.objects
        .kysely()
        .selectFrom('shop_project')
        .select(['name', 'budget'])
        .where('budget', '>', 100)
        .execute();
      assert.deepEqual(rows, [{ name: 'Laser', budget: 300 }]);
    });
  });
}
