import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  atomic,
  getRollback,
  onCommit,
  setRollback,
  TransactionManagementError,
} from '../../src/db/index.ts';
import { Organization, shopModels } from './fixtures/shop.ts';
import { setUpDatabase, truncate, VENDORS } from './helpers.ts';

const slugs = async () =>
  (await Organization.objects.orderBy('slug').valuesList('slug', { flat: true })) as string[];
const make = (slug: string) => Organization.objects.create({ name: slug, slug });

for (const vendor of VENDORS) {
  describe(`setRollback() on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    before(async () => {
      database = await setUpDatabase(vendor, shopModels, { file: true });
    });
    after(async () => database.drop());
    beforeEach(async () => truncate(shopModels));

    test('the outermost block rolls back although it returns, and its callbacks are dropped', async () => {
      let ran = false;
      const result = await atomic(async () => {
        await make('a');
        await onCommit(() => {
          ran = true;
        });
        setRollback(true);
        assert.equal(getRollback(), true);
        return 'answered';
      });
      assert.equal(result, 'answered');
      assert.deepEqual(await slugs(), []);
      assert.equal(ran, false);
    });

    test('a savepoint marked rolls back alone; setRollback(false) unmarks', async () => {
      await atomic(async () => {
        await make('kept');
        const inner = await atomic(async () => {
          await make('dropped');
          setRollback(true);
          return 1;
        });
        assert.equal(inner, 1);
        assert.equal(getRollback(), false);
        await atomic(async () => {
          await make('unmarked');
          setRollback(true);
          setRollback(false);
        });
      });
      assert.deepEqual(await slugs(), ['kept', 'unmarked']);
    });

    test('outside a block it is an error', () => {
      assert.throws(() => setRollback(true), TransactionManagementError);
      assert.equal(getRollback(), false);
    });
  });
}
