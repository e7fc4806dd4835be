import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  atomic,
  connections,
  inAtomicBlock,
  nonAtomicRequests,
  onCommit,
  rolledBack,
  TransactionManagementError,
} from '../../src/db/index.ts';
import { HttpResponse, path, View } from '../../src/web/index.ts';
import { Client } from '../../src/web/test/index.ts';
import { Organization, shopModels } from './fixtures/shop.ts';
import { setUpDatabase, truncate, VENDORS } from './helpers.ts';

const slugs = async () =>
  (await Organization.objects.orderBy('slug').valuesList('slug', { flat: true })) as string[];
const make = (slug: string) => Organization.objects.create({ name: slug, slug });

for (const vendor of VENDORS) {
  describe(`transactions on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    before(async () => {
      database = await setUpDatabase(vendor, shopModels, { file: true });
    });
    after(async () => database.drop());
    beforeEach(async () => truncate(shopModels));

    test('atomic() commits when fn resolves and rolls back when it throws', async () => {
      await atomic(async () => {
        assert.equal(inAtomicBlock(), true);
        await make('a');
      });
      await assert.rejects(
        atomic(async () => {
          await make('b');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(inAtomicBlock(), false);
      assert.deepEqual(await slugs(), ['a']);
    });

    test('nested blocks are savepoints: an inner failure caught keeps the outer work', async () => {
      await atomic(async () => {
        await make('outer');
        await assert.rejects(
          atomic(async () => {
            await make('inner');
            throw new Error('inner fails');
          }),
        );
        await atomic(async () => make('inner2'));
      });
      assert.deepEqual(await slugs(), ['inner2', 'outer']);
    });

    test('a durable block inside another is an error; savepoint: false shares the outer fate', async () => {
      await assert.rejects(
        atomic(() => atomic({ durable: true }, async () => {})),
        (e: unknown) => e instanceof TransactionManagementError && e.code === 'PORTICO_ERR_DB_TRANSACTION',
      );
      await atomic({ durable: true }, () => make('durable'));
      await assert.rejects(
        atomic(async () => {
          await atomic({ savepoint: false }, () => make('shared'));
          throw new Error('outer fails');
        }),
      );
      assert.deepEqual(await slugs(), ['durable']);
    });

    test('onCommit runs after the outermost commit, is dropped with its savepoint, runs at once outside', async () => {
      const ran: string[] = [];
      await onCommit(() => void ran.push('now'));
      assert.deepEqual(ran, ['now']);
      await atomic(async () => {
        await onCommit(() => void ran.push('outer'));
        await atomic(async () => {
          await onCommit(() => void ran.push('kept'));
        });
        await assert.rejects(
          atomic(async () => {
            await onCommit(() => void ran.push('dropped'));
            throw new Error('x');
          }),
        );
        assert.deepEqual(ran, ['now'], 'nothing runs before the commit');
      });
      assert.deepEqual(ran, ['now', 'outer', 'kept']);
      await assert.rejects(
        atomic(async () => {
          await onCommit(() => void ran.push('rolled back'));
          throw new Error('y');
        }),
      );
      assert.deepEqual(ran, ['now', 'outer', 'kept']);
    });

    test('inside atomic, a query on the database’s own Kysely handle runs in the transaction (no deadlock)', async () => {
      await assert.rejects(
        atomic(async () => {
          await make('x');
          const rows = await connections
            .get()
            .kysely.selectFrom('shop_organization')
            .select('slug')
            .execute();
          assert.deepEqual(rows, [{ slug: 'x' }]);
          await connections
            .get()
            .kysely.insertInto('shop_organization')
            .values({ name: 'y', slug: 'y', email: '' })
            .execute();
          throw new Error('undo');
        }),
        /undo/,
      );
      assert.deepEqual(await slugs(), []);
    });

    test('two concurrent atomic blocks are isolated and both commit', async () => {
      await Promise.all([
        atomic(async () => {
          await make('one');
          await new Promise((r) => setTimeout(r, 5));
        }),
        atomic(async () => make('two')),
      ]);
      assert.deepEqual(await slugs(), ['one', 'two']);
    });

    test('rolledBack() isolates a test: everything inside is undone, onCommit callbacks are returned', async () => {
      const { callbacks } = await rolledBack(async () => {
        await make('temp');
        await atomic({ durable: true }, () => onCommit(() => {}));
        assert.deepEqual(await slugs(), ['temp']);
      });
      assert.equal(callbacks.length, 1);
      assert.deepEqual(await slugs(), []);
    });
  });

  describe(`atomicRequests on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    let client: Client;
    const seen: boolean[] = [];
    class CreateView extends View {
      async post() {
        await make('class-view');
        throw new Error('class view fails');
      }
    }
    class OptedOutView extends View {
      static nonAtomicRequests = true;
      async get() {
        seen.push(inAtomicBlock());
        return new HttpResponse('ok');
      }
    }
    before(async () => {
      database = await setUpDatabase(vendor, shopModels, { file: true, atomicRequests: true });
      const inTransaction = (_request: unknown, next: () => unknown) => {
        seen.push(inAtomicBlock());
        return next();
      };
      client = new Client(
        {
          rootUrlconf: [
            path('ok/', async () => {
              seen.push(inAtomicBlock());
              await make('ok');
              return new HttpResponse('made');
            }),
            path('fails/', async () => {
              await make('fails');
              throw new Error('view fails');
            }),
            path(
              'out/',
              nonAtomicRequests(async () => {
                seen.push(inAtomicBlock());
                return new HttpResponse('out');
              }),
            ),
            path('class/', CreateView.asView()),
            path('class-out/', OptedOutView.asView()),
          ],
          allowedHosts: ['testserver'],
          databases: { default: { ...database.settings, atomicRequests: true } },
          middleware: [
            (getResponse) => (request) => inTransaction(request, () => getResponse(request)) as never,
          ],
        },
        { raiseRequestException: false },
      );
    });
    after(async () => database.drop());
    beforeEach(async () => {
      await truncate(shopModels);
      seen.length = 0;
    });

    test('the view runs in a transaction (the middleware does not), committed with its response', async () => {
      const response = await client.get('/ok/');
      assert.equal(response.status, 200);
      assert.deepEqual(seen, [false, true]);
      assert.deepEqual(await slugs(), ['ok']);
    });

    test('a view that throws is rolled back (a 500); a class-based view too', async () => {
      assert.equal((await client.get('/fails/')).status, 500);
      assert.equal((await client.post('/class/')).status, 500);
      assert.deepEqual(await slugs(), []);
    });

    test('nonAtomicRequests(view) and a class’s static nonAtomicRequests opt out', async () => {
      assert.equal((await client.get('/out/')).status, 200);
      assert.equal((await client.get('/class-out/')).status, 200);
      assert.deepEqual(seen, [false, false, false, false]);
    });
  });
}

test('on SQLite a transaction takes the write lock when it begins (BEGIN IMMEDIATE): another process cannot slip a write in', async () => {
  const { DatabaseSync } = await import('node:sqlite');
  const database = await setUpDatabase('sqlite', shopModels, { file: true });
  const other = new DatabaseSync(database.settings.name as string);
  other.exec('PRAGMA busy_timeout = 0');
  try {
    await atomic(async () => {
      // Nothing written yet in this block, and still the lock is held.
      assert.throws(() => other.exec('BEGIN IMMEDIATE'), /database is locked/);
    });
    other.exec('BEGIN IMMEDIATE');
    other.exec('ROLLBACK');
  } finally {
    other.close();
    await database.drop();
  }
});
