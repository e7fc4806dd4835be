import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CharField, defineApp, getObjectOr404, MultipleObjectsReturned } from '../../src/db/index.ts';
import { Http404 } from '../../src/web/index.ts';
import { setUpDatabase, VENDORS } from './helpers.ts';

const shop = defineApp('shortcutshop');
const Item = shop.model('Item', { fields: { name: CharField({ maxLength: 20 }) } });

for (const vendor of VENDORS) {
  describe(`getObjectOr404 on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    before(async () => {
      database = await setUpDatabase(vendor, [Item]);
      await Item.objects.bulkCreate([{ name: 'a' }, { name: 'b' }, { name: 'b' }]);
    });
    after(async () => database.drop());

    test('the row, typed; Http404 naming the model when none; MultipleObjectsReturned passes', async () => {
      const item = await getObjectOr404(Item.objects, { name: 'a' });
      const name: string = item.name;
      assert.equal(name, 'a');
      await assert.rejects(
        getObjectOr404(Item.objects.filter({ name: 'a' }), { id: -1 }),
        (error: unknown) => {
          assert.ok(error instanceof Http404);
          assert.equal(error.message, 'No Item matches the given query.');
          return true;
        },
      );
      await assert.rejects(getObjectOr404(Item.objects, { name: 'b' }), MultipleObjectsReturned);
    });
  });
}
