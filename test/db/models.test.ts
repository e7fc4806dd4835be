import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { connections, type DB, type Instance, ValidationError } from '../../src/db/index.ts';
import { Charter, Organization, Person, Project, shopModels } from './fixtures/shop.ts';
import { setUpDatabase, truncate, VENDORS } from './helpers.ts';

// Types flow from the declaration: these lines are checked by `npm run typecheck`.
type ProjectRow = Instance<NonNullable<(typeof Project)['__types']>>;
const typed = (p: ProjectRow) => {
  const id: number = p.id;
  const orgId: number = p.organizationId;
  const lead: number | null = p.leadId;
  const price: string = p.price;
  const when: Date = p.createdAt;
  const starts: string | null = p.starts;
  const tags: string[] = p.tags;
  // @ts-expect-error -- not a field
  void p.nmae;
  return [id, orgId, lead, price, when, starts, tags];
};
void typed;
type Tables = DB<typeof Organization | typeof Project>;
const columns: Array<keyof Tables['shop_project']> = ['organization_id', 'created_at', 'lead_id'];
void columns;

test('a model gets its table, columns, a primary key and meta from its declaration', () => {
  assert.equal(Project.meta.table, 'shop_project');
  assert.equal(Project.meta.label, 'shop.Project');
  assert.equal(Project.meta.pk.name, 'id');
  assert.deepEqual(
    Project.meta.fields.map((f) => f.column),
    [
      'id',
      'organization_id',
      'name',
      'description',
      'budget',
      'price',
      'active',
      'status',
      'lead_id',
      'starts',
      'created_at',
      'updated_at',
      'tags',
      'token',
    ],
  );
  assert.deepEqual(Organization.meta.ordering, ['name']);
  assert.deepEqual(
    Organization.meta.relatedObjects().map((r) => `${r.model.meta.modelName}.${r.field.name}:${r.accessor}`),
    ['Person.organization:people', 'Project.organization:projectSet'],
  );
});

test('a new instance takes defaults (values or functions) and refuses unknown fields', () => {
  const a = new Project({ name: 'a', organizationId: 1 });
  const b = new Project({ name: 'b', organizationId: 1 });
  assert.equal(a.budget, 0);
  assert.equal(a.price, '0.00');
  assert.equal(a.active, true);
  assert.deepEqual(a.tags, []);
  assert.notEqual(a.tags, b.tags);
  assert.notEqual(a.token, b.token);
  assert.equal(a.pk, null);
  assert.throws(() => new Project({ nope: 1 } as never), /Project has no field 'nope'/);
});

for (const vendor of VENDORS) {
  describe(`models on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    before(async () => {
      database = await setUpDatabase(vendor, shopModels);
    });
    after(async () => database.drop());
    beforeEach(async () => truncate(shopModels));

    test('every field type goes to the database and comes back as declared', async () => {
      const org = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const project = await Project.objects.create({
        organization: org,
        name: 'Rocket',
        price: '1234.50',
        active: false,
        starts: '2026-03-01',
        tags: ['a', 'b'],
      });
      assert.equal(typeof project.id, 'number');
      assert.equal(project.organizationId, org.id);
      const fresh = await Project.objects.get({ pk: project.id });
      assert.equal(fresh.price, '1234.50');
      assert.equal(fresh.active, false);
      assert.equal(fresh.starts, '2026-03-01');
      assert.deepEqual(fresh.tags, ['a', 'b']);
      assert.ok(fresh.createdAt instanceof Date);
      assert.equal(fresh.createdAt.getTime(), project.createdAt.getTime());
      assert.match(fresh.token, /^[0-9a-f-]{36}$/);
      assert.equal(fresh.token, project.token);
      assert.equal(fresh.leadId, null);
    });

    test('save() inserts, then updates; autoNow moves, autoNowAdd stays; updateFields writes only those', async () => {
      const org = new Organization({ name: 'Acme', slug: 'acme' });
      await org.save();
      assert.equal(typeof org.pk, 'number');
      const project = await Project.objects.create({ organization: org, name: 'P' });
      const created = project.createdAt.getTime();
      const updated = project.updatedAt.getTime();
      await new Promise((r) => setTimeout(r, 5));
      project.name = 'Q';
      await project.save();
      let fresh = await Project.objects.get({ id: project.id });
      assert.equal(fresh.name, 'Q');
      assert.equal(fresh.createdAt.getTime(), created);
      assert.ok(fresh.updatedAt.getTime() > updated);
      project.name = 'R';
      project.budget = 7;
      await project.save({ updateFields: ['name'] });
      fresh = await Project.objects.get({ id: project.id });
      assert.equal(fresh.name, 'R');
      assert.equal(fresh.budget, 0);
      assert.equal(await Project.objects.count(), 1);
    });

    test('refreshFromDb() reloads; delete() removes the row', async () => {
      const org = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      await Organization.objects.filter({ pk: org.id }).update({ name: 'Renamed' });
      await org.refreshFromDb();
      assert.equal(org.name, 'Renamed');
      const [count] = await org.delete();
      assert.equal(count, 1);
      assert.equal(await Organization.objects.count(), 0);
    });

    test('fullClean() reports each field: null, blank, max length, choices, format, and uniqueness from the database', async () => {
      await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const bad = new Organization({ name: '', slug: 'acme', email: 'not-an-email' });
      await assert.rejects(bad.fullClean(), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.code, 'PORTICO_ERR_DB_VALIDATION');
        assert.deepEqual(error.errors, {
          name: ['This field cannot be blank.'],
          email: ['Enter a valid email address.'],
          slug: ['Organization with this slug already exists.'],
        });
        return true;
      });
      const p = new Project({
        name: 'x'.repeat(101),
        organizationId: 1,
        status: 'nope',
        price: '123456.789',
      });
      await assert.rejects(p.fullClean(), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(error.errors.name, ['Ensure this value has at most 100 characters (it has 101).']);
        assert.deepEqual(error.errors.status, ['Value "nope" is not a valid choice.']);
        assert.deepEqual(error.errors.price, ['Ensure that there are no more than 8 digits in total.']);
        return true;
      });
      const ok = new Organization({ name: 'Other', slug: 'other' });
      await ok.fullClean();
    });

    test('a unique constraint over two fields is checked by fullClean() and by the database', async () => {
      const org = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      await Project.objects.create({ organization: org, name: 'P' });
      const again = new Project({ organization: org, name: 'P' });
      await assert.rejects(
        again.fullClean(),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.errors.__all__?.[0] === 'Project with this organization and name already exists.',
      );
      await assert.rejects(
        again.save(),
        (e: unknown) => (e as { constraint?: string }).constraint === 'shop_project_org_name_uniq',
      );
    });

    test('relations: the id, the related instance on demand, the reverse accessor, a one-to-one', async () => {
      const org = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const lead = await Person.objects.create({ name: 'Ada', organization: org });
      const project = await Project.objects.create({ organization: org, name: 'P', lead });
      assert.equal(project.leadId, lead.id);
      const fetched = await Project.objects.get({ id: project.id });
      assert.equal(fetched.organization, undefined);
      const related = (await fetched.related('organization')) as typeof org;
      assert.equal(related.slug, 'acme');
      const reverse = (org as unknown as { projectSet: typeof Project.objects }).projectSet;
      assert.deepEqual(
        (await reverse).map((p) => p.name),
        ['P'],
      );
      await Charter.objects.create({ project, text: 'why' });
      assert.equal(await Charter.objects.filter({ project__name: 'P' }).count(), 1);
      void connections;
    });
  });
}
