/**
 * The `db` workload's Portico project as a module `portico serve` loads: a `bench` app
 * with an `Item` model, settings naming the benchmark's SQLite file, and two function
 * views — written as a project would write them. `$BENCH_DB_API` picks how the views read:
 *
 * - `orm` (default): the model API, `getObjectOr404(Item.objects, { id })` and
 *   `Item.objects.orderBy('id').limit(n)`, instances turned into plain objects;
 * - `kysely`: the same query through the typed Kysely handle the model gives
 *   (`Item.objects.kysely()`), the baseline the model layer is held to (at most 15 % slower).
 */
import { BooleanField, CharField, defineApp, getObjectOr404, IntegerField } from '../../../src/db/index.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import { getTsgiApplication, Http404, type HttpRequest, JsonResponse, path } from '../../../src/web/index.ts';
import { benchDatabase, type ItemJson } from './database.ts';

const api = process.env.BENCH_DB_API ?? 'orm';
if (api !== 'orm' && api !== 'kysely') throw new Error(`BENCH_DB_API must be orm or kysely, got ${api}`);

const bench = defineApp('bench');

const Item = bench.model('Item', {
  fields: {
    name: CharField({ maxLength: 100 }),
    quantity: IntegerField(),
    active: BooleanField(),
  },
});

function limitOf(request: HttpRequest): number {
  const limit = Number(request.GET.get('limit') ?? 20);
  return Number.isInteger(limit) && limit > 0 && limit <= 100 ? limit : 20;
}

const orm = {
  async detail(_request: HttpRequest, { id }: { id: number }) {
    const item = await getObjectOr404(Item.objects, { id });
    return new JsonResponse({ id: item.id, name: item.name, quantity: item.quantity, active: item.active });
  },
  async list(request: HttpRequest) {
    const items = await Item.objects.orderBy('id').limit(limitOf(request));
    return new JsonResponse({
      items: items.map((item) => ({
        id: item.id,
        name: item.name,
        quantity: item.quantity,
        active: item.active,
      })),
    });
  },
};

// SQLite has no boolean: Kysely hands back 0/1, which the model layer converts for you.
const json = (row: { id: number; name: string; quantity: number; active: unknown }): ItemJson => ({
  id: row.id,
  name: row.name,
  quantity: row.quantity,
  active: Boolean(row.active),
});

const kysely = {
  async detail(_request: HttpRequest, { id }: { id: number }) {
    const row = await Item.objects
      .kysely()
      .selectFrom('bench_item')
      .select(['id', 'name', 'quantity', 'active'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) throw new Http404('No Item matches the given query.');
    return new JsonResponse(json(row));
  },
  async list(request: HttpRequest) {
    const rows = await Item.objects
      .kysely()
      .selectFrom('bench_item')
      .select(['id', 'name', 'quantity', 'active'])
      .orderBy('id')
      .limit(limitOf(request))
      .execute();
    return new JsonResponse({ items: rows.map(json) });
  },
};

const views = api === 'orm' ? orm : kysely;

export const application: Application = getTsgiApplication({
  rootUrlconf: [path('items/<int:id>/', views.detail), path('items/', views.list)],
  allowedHosts: ['127.0.0.1'],
  installedApps: [bench],
  databases: { default: { engine: 'sqlite', name: benchDatabase() } },
});
