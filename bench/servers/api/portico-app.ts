/**
 * Portico's application for the `api` and `api-db` workloads, as a project would write it:
 * an `APIView` whose `post` validates the body with a field serializer and answers 201 with
 * the created object; for `api-db` the serializer's `create()` inserts through a model on
 * SQLite (a table made at start-up, as `portico migrate` would). Default `api` settings.
 */
import { APIView, type Request, Response } from '../../../src/api/index.ts';
import { IntegerField, Serializer } from '../../../src/api/serializers/index.ts';
import {
  BooleanField,
  CharField,
  DateField,
  defineApp,
  EmailField,
  FloatField,
  IntegerField as IntegerColumn,
  JSONField,
  syncModels,
} from '../../../src/db/index.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import { getTsgiApplication, path } from '../../../src/web/index.ts';
import { ApiBenchSerializer, apiFields, type ApiWorkload, benchDatabasePath, ROLES } from './spec.ts';

const bench = defineApp('apibench');

/** The row `api-db` inserts. */
const Person = bench.model('Person', {
  fields: {
    name: CharField({ maxLength: 100 }),
    email: EmailField(),
    age: IntegerColumn(),
    score: FloatField(),
    birthday: DateField(),
    active: BooleanField(),
    role: CharField({ maxLength: 10, choices: ROLES.map((r) => [r, r] as const) }),
    tags: JSONField(),
    bio: CharField({ maxLength: 500, blank: true }),
  },
});

/** The same rules; the database numbers the row, so `id` is read-only; `create()` inserts. */
class PersonSerializer extends Serializer.of({ ...apiFields(), id: IntegerField({ readOnly: true }) }) {
  override create(data: Record<string, unknown>) {
    return Person.objects.create(data as never);
  }
}

/** Validation is synchronous (built-in fields): `isValidSync`, DRF's `is_valid`, and no promise. */
class People extends APIView {
  post(request: Request) {
    const serializer = new ApiBenchSerializer({ data: request.data });
    serializer.isValidSync({ raiseException: true });
    return new Response(serializer.data, { status: 201 });
  }
}

class PeopleDb extends APIView {
  async post(request: Request) {
    const serializer = new PersonSerializer({ data: request.data });
    await serializer.isValid({ raiseException: true });
    await serializer.save();
    return new Response(serializer.data, { status: 201 });
  }
}

/** The TSGI application of `workload` (for `api-db`, on a fresh SQLite file of this process). */
export async function apiApplication(workload: ApiWorkload): Promise<Application> {
  if (workload === 'api') {
    return getTsgiApplication({
      rootUrlconf: [path('people/', People.asView())],
      allowedHosts: ['127.0.0.1'],
      middleware: [],
    });
  }
  const app = getTsgiApplication({
    rootUrlconf: [path('people/', PeopleDb.asView())],
    allowedHosts: ['127.0.0.1'],
    middleware: [],
    installedApps: [bench],
    databases: { default: { engine: 'sqlite', name: benchDatabasePath('portico') } },
  });
  await syncModels([Person]);
  return app;
}
