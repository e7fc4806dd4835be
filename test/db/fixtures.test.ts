import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  BooleanField,
  CASCADE,
  CharField,
  DateTimeField,
  DecimalField,
  defineApp,
  dumpData,
  ForeignKey,
  JSONField,
  loadData,
  ManyToManyField,
  serializeFixture,
  SlugField,
} from '../../src/db/index.ts';
import { setUpDatabase, truncate, VENDORS } from './helpers.ts';

const shop = defineApp('fixshop');
const Organization = shop.model('Organization', {
  fields: { name: CharField({ maxLength: 50 }), slug: SlugField({ unique: true }) },
});
const Tag = shop.model('Tag', { fields: { name: CharField({ maxLength: 20 }) } });
const Product = shop.model('Product', {
  fields: {
    organization: ForeignKey(Organization, { onDelete: CASCADE }),
    name: CharField({ maxLength: 50 }),
    price: DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
    active: BooleanField({ default: true }),
    created: DateTimeField({ autoNowAdd: true }),
    data: JSONField({ default: () => ({}) as Record<string, unknown> }),
    tags: ManyToManyField(Tag, { relatedName: 'products' }),
  },
});
const ProductTags = shop.models.find((m) => m.meta.modelName === 'ProductTags')!;
const models = [Organization, Tag, Product, ProductTags];
const created = new Date('2026-01-02T03:04:05.678Z');

for (const vendor of VENDORS) {
  describe(`fixtures on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-fixtures-'));
    const fixture = (name: string, objects: unknown) => {
      const file = path.join(dir, name);
      writeFileSync(file, typeof objects === 'string' ? objects : JSON.stringify(objects));
      return file;
    };
    before(async () => {
      database = await setUpDatabase(vendor, models);
    });
    after(async () => {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(async () => truncate(models));

    test("dumpData writes Django's format; loadData reads it back into an empty database", async () => {
      const acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      const [red, blue] = await Tag.objects.bulkCreate([{ name: 'red' }, { name: 'blue' }]);
      const rocket = await Product.objects.create({
        organization: acme,
        name: 'Rocket',
        price: '999.50',
        created,
        data: { stages: 2 },
      });
      await rocket.tags.add(blue!, red!);
      const dumped = await dumpData([shop]);
      assert.deepEqual(dumped, [
        { model: 'fixshop.organization', pk: acme.id, fields: { name: 'Acme', slug: 'acme' } },
        { model: 'fixshop.tag', pk: red!.id, fields: { name: 'red' } },
        { model: 'fixshop.tag', pk: blue!.id, fields: { name: 'blue' } },
        {
          model: 'fixshop.product',
          pk: rocket.id,
          fields: {
            organization: acme.id,
            name: 'Rocket',
            price: '999.50',
            active: true,
            created: '2026-01-02T03:04:05.678Z',
            data: { stages: 2 },
            tags: [red!.id, blue!.id],
          },
        },
      ]);
      assert.deepEqual(await dumpData([shop], { labels: ['fixshop.TAG'] }), dumped.slice(1, 3));
      assert.equal(serializeFixture(dumped.slice(0, 1), 2).split('\n')[1], '  {');

      const file = fixture('all.json', JSON.parse(serializeFixture(dumped)));
      await truncate(models);
      assert.deepEqual(await loadData([file], [shop]), { objects: 4, fixtures: 1 });
      assert.deepEqual(await dumpData([shop]), dumped);
      // Loading again updates the same rows: nothing is duplicated.
      await loadData([file], [shop]);
      assert.equal(await Product.objects.count(), 1);
      assert.equal(await ProductTags.objects.count(), 2);
      // The identity moved past the loaded keys: the next row gets a new one.
      const next = await Organization.objects.create({ name: 'Next', slug: 'next' });
      assert.ok(next.id > acme.id);
    });

    test('foreign keys may point forward, across files; a row is written as given (no autoNowAdd)', async () => {
      const products = fixture('products.json', [
        {
          model: 'fixshop.product',
          pk: 10,
          fields: {
            organization: 7,
            name: 'Anvil',
            price: '10.00',
            active: false,
            created: created.toISOString(),
            data: [],
            tags: [3],
          },
        },
      ]);
      const rest = fixture('rest.json', [
        { model: 'fixshop.Organization', pk: 7, fields: { name: 'Later', slug: 'later' } },
        { model: 'fixshop.tag', pk: 3, fields: { name: 'heavy' } },
      ]);
      assert.deepEqual(await loadData([products, rest], [shop]), { objects: 3, fixtures: 2 });
      const anvil = await Product.objects.get({ id: 10 });
      assert.equal(anvil.organizationId, 7);
      assert.equal(anvil.active, false);
      assert.deepEqual(anvil.created, created);
      assert.deepEqual(await anvil.tags.valuesList('name', { flat: true }), ['heavy']);
    });

    test('errors name the file and the object, and nothing is written', async () => {
      const dangling = fixture('dangling.json', [
        { model: 'fixshop.organization', pk: 1, fields: { name: 'A', slug: 'a' } },
        {
          model: 'fixshop.product',
          pk: 2,
          fields: { organization: 99, name: 'X', price: '1.00', created: created.toISOString() },
        },
      ]);
      await assert.rejects(loadData([dangling], [shop]), {
        code: 'PORTICO_ERR_DB_FIXTURE',
        message: `fixture '${dangling}', object 2 (fixshop.product, pk=2): 'organization' refers to fixshop.organization pk=99, which is neither in the database nor in the fixtures`,
      });
      assert.equal(await Organization.objects.count(), 0, 'rolled back');

      const unknownModel = fixture('model.json', [{ model: 'fixshop.nope', pk: 1, fields: {} }]);
      await assert.rejects(loadData([unknownModel], [shop]), {
        message: `fixture '${unknownModel}', object 1 (fixshop.nope, pk=1): unknown model 'fixshop.nope' (not in installedApps)`,
      });
      const unknownField = fixture('field.json', [
        { model: 'fixshop.tag', pk: 1, fields: { colour: 'red' } },
      ]);
      await assert.rejects(loadData([unknownField], [shop]), {
        message: `fixture '${unknownField}', object 1 (fixshop.tag, pk=1): Tag has no field 'colour' (fields: name)`,
      });
      const notJson = fixture('bad.json', '[{"model": ');
      await assert.rejects(loadData([notJson], [shop]), {
        message: new RegExp(`^fixture '${notJson.replace(/[.\\/]/g, '\\$&')}': not JSON`),
      });
      const duplicate = fixture('duplicate.json', [
        { model: 'fixshop.organization', pk: 1, fields: { name: 'A', slug: 'same' } },
        { model: 'fixshop.organization', pk: 2, fields: { name: 'B', slug: 'same' } },
      ]);
      await assert.rejects(loadData([duplicate], [shop]), {
        message: new RegExp(
          `^fixture '.*duplicate\\.json', object 2 \\(fixshop\\.organization, pk=2\\): UNIQUE constraint`,
        ),
      });
      assert.equal(await Organization.objects.count(), 0);
    });
  });
}
