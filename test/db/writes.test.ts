import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { captureQueries, postSave, preSave } from '../../src/db/index.ts';
import { forgetShapes, shapeCacheStats } from '../../src/db/statements.ts';
import { Organization, Project, shopModels } from './fixtures/shop.ts';
import { useDatabase, VENDORS } from './helpers.ts';

const compiled = () => shapeCacheStats().compiled;

for (const vendor of VENDORS) {
  describe(`save() through compiled statements on ${vendor}`, () => {
    useDatabase(vendor, shopModels, async () => forgetShapes());

    test('inserts compile once per model (and per whether the key is given); each row gets its own key', async () => {
      const start = compiled();
      const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      assert.equal(compiled(), start + 1);
      const { queries } = await captureQueries(async () => {
        const globex = await Organization.objects.create({ name: 'Globex', slug: 'globex' });
        const initech = await Organization.objects.create({
          name: 'Initech',
          slug: 'initech',
          email: 'a@b.c',
        });
        assert.notEqual(globex.pk, acme.pk);
        assert.notEqual(initech.pk, globex.pk);
        assert.equal(typeof initech.pk, 'number');
      });
      assert.equal(compiled(), start + 1, 'the same insert statement');
      assert.equal(queries[0], queries[1]);
      const given = await Organization.objects.create({ id: 9000, name: 'Hooli', slug: 'hooli' });
      assert.equal(given.pk, 9000);
      assert.equal(compiled(), start + 2, 'an insert with its key is another shape');
      const rows = await Organization.objects.orderBy('slug').values('name', 'slug', 'email');
      assert.deepEqual(rows, [
        { name: 'Acme', slug: 'acme', email: '' },
        { name: 'Globex', slug: 'globex', email: '' },
        { name: 'Hooli', slug: 'hooli', email: '' },
        { name: 'Initech', slug: 'initech', email: 'a@b.c' },
      ]);
    });

    test('updates compile once per set of columns; updateFields writes only those; signals, defaults and autoNow still apply', async () => {
      const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const project = await Project.objects.create({ organization: acme, name: 'Rocket' });
      assert.equal(project.budget, 0, 'the default');
      const created = project.updatedAt as Date;
      const saved: Array<[string, boolean]> = [];
      const onPre = (args: { instance: unknown }) => {
        (args.instance as { description: string }).description += '!';
      };
      const onPost = (args: { instance: unknown; created: boolean }) => {
        saved.push([(args.instance as { name: string }).name, args.created]);
      };
      preSave.connect(onPre, { sender: Project });
      postSave.connect(onPost, { sender: Project });
      try {
        const start = compiled();
        project.budget = 10;
        await project.save();
        assert.equal(compiled(), start + 1);
        project.budget = 20;
        await project.save();
        assert.equal(compiled(), start + 1, 'the same update statement');
        project.name = 'Rocket 2';
        project.budget = 99; // not in updateFields: not written
        await project.save({ updateFields: ['name'] });
        assert.equal(compiled(), start + 2, 'updateFields is another shape');
        const fresh = await Project.objects.get({ pk: project.pk });
        assert.equal(fresh.name, 'Rocket 2');
        assert.equal(fresh.budget, 20);
        assert.equal(fresh.description, '!!', 'preSave ran before both full saves');
        assert.ok((fresh.updatedAt as Date).getTime() >= created.getTime());
        assert.deepEqual(saved, [
          ['Rocket', false],
          ['Rocket', false],
          ['Rocket 2', false],
        ]);
      } finally {
        preSave.disconnect(onPre, { sender: Project });
        postSave.disconnect(onPost, { sender: Project });
      }
    });

    test('saving an instance whose row is gone inserts it again; with updateFields it is an error', async () => {
      const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const pk = acme.pk;
      await Organization.objects.filter({ pk }).delete();
      await assert.rejects(acme.save({ updateFields: ['name'] }), /did not affect any row/);
      acme.name = 'Acme again';
      await acme.save();
      assert.equal(acme.pk, pk);
      assert.equal((await Organization.objects.get({ pk })).name, 'Acme again');
    });
  });
}
