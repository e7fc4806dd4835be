/**
 * The seed's project API (examples/jone/): through APIClient on SQLite and PostgreSQL
 * (the app's own migrations applied), then served by `portico serve` with the demo.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
// First: the demo's settings read the database's path when they load.
import { DEMO_DATABASE } from '../helpers/demo-database.ts';
import { reverse } from '../../examples/demo/urls.ts';
import { joneApp, Organization, Project, ProjectKey, ProjectMember } from '../../examples/jone/models.ts';
import { DEVELOPMENT_RPC_SECRET, rpcSecretFor } from '../../examples/jone/secret.ts';
import { urlpatterns } from '../../examples/jone/urls.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { configureDatabases, connections, migrate, postSave } from '../../src/db/index.ts';
import { include, path, type Settings } from '../../src/web/index.ts';
import { startPortico } from '../appserver/helpers.ts';
import { createTestDatabase, VENDORS } from '../db/helpers.ts';

const SECRET = 'a-test-rpc-secret';
const URL_PATH = '/api/jd/jone/project/';

/** The seed's example body. */
const SEED_BODY = {
  members: [
    { email: 'pengchang@jd.com', erp: 'pengchang5' },
    { email: 'guohuixin@jd.com', erp: 'guohuixin3' },
  ],
  platform: 'java',
  organization_slug: 'org_test',
  project_slug: 'pro_test',
};

/** Fresh settings (so the secret is read again), mounted as the demo mounts the app. */
function makeSettings(debug = false): Settings {
  return {
    rootUrlconf: [path('api/jd/', include(urlpatterns))],
    installedApps: [joneApp],
    allowedHosts: ['testserver'],
    secretKey: 'jone-tests',
    debug,
  };
}

function client(options: { secret?: string | null; debug?: boolean } = {}): APIClient {
  const c = new APIClient(makeSettings(options.debug), { raiseRequestException: false });
  const secret = options.secret === undefined ? SECRET : options.secret;
  if (secret !== null) c.credentials({ 'X-Rpc-Secret': secret });
  return c;
}

async function counts() {
  return {
    organizations: await Organization.objects.count(),
    projects: await Project.objects.count(),
    members: await ProjectMember.objects.count(),
    keys: await ProjectKey.objects.count(),
  };
}

/** Runs `fn` with JONE_RPC_SECRET set to `value` (unset for undefined), restoring it after. */
async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.JONE_RPC_SECRET;
  if (value === undefined) delete process.env.JONE_RPC_SECRET;
  else process.env.JONE_RPC_SECRET = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.JONE_RPC_SECRET;
    else process.env.JONE_RPC_SECRET = saved;
  }
}

/** What `fn` wrote to stderr. */
async function stderrOf(fn: () => unknown): Promise<string> {
  let text = '';
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as never;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

test('the URL is named create-new-project under the demo mount', () => {
  assert.equal(reverse('create-new-project'), URL_PATH);
});

for (const vendor of VENDORS) {
  describe(`through APIClient on ${vendor}`, () => {
    let drop: () => Promise<void>;
    before(async () => {
      process.env.JONE_RPC_SECRET = SECRET;
      const db = await createTestDatabase(vendor);
      await connections.reset();
      configureDatabases({ databases: { default: db.settings } });
      await migrate([joneApp]);
      drop = async () => {
        await connections.reset();
        await db.drop();
      };
    });
    after(async () => {
      delete process.env.JONE_RPC_SECRET;
      await drop();
    });

    test("the seed's body creates the organization, project, members and key: 201 with the DSN", async () => {
      const answer = await client().post(URL_PATH, SEED_BODY);
      assert.equal(answer.status, 201, answer.text());
      const body = answer.json() as { dsn: string; project_id: number; project_slug: string };
      const project = await Project.objects.selectRelated('organization').get({ slug: 'pro_test' });
      assert.equal(project.platform, 'java');
      assert.equal(project.organization?.slug, 'org_test');
      assert.deepEqual(
        await ProjectMember.objects.filter({ project }).orderBy('email').valuesList('email', 'erp'),
        [
          ['guohuixin@jd.com', 'guohuixin3'],
          ['pengchang@jd.com', 'pengchang5'],
        ],
      );
      const key = await ProjectKey.objects.get({ project });
      assert.match(key.publicKey, /^[0-9a-f]{32}$/);
      assert.match(key.secretKey, /^[0-9a-f]{32}$/);
      assert.notEqual(key.publicKey, key.secretKey);
      assert.deepEqual(body, {
        dsn: `http://${key.publicKey}@testserver/${project.id}`,
        project_id: project.id,
        project_slug: 'pro_test',
      });
      assert.ok(!body.dsn.includes(key.secretKey), 'the secret half stays on the server');
    });

    test('platform defaults to java; an existing organization is reused', async () => {
      const before = await counts();
      const answer = await client().post(URL_PATH, {
        organization_slug: 'org_test',
        project_slug: 'pro_second',
        members: [{ email: 'ada@example.com', erp: 'ada1' }],
      });
      assert.equal(answer.status, 201, answer.text());
      const project = await Project.objects.get({ slug: 'pro_second' });
      assert.equal(project.platform, 'java');
      const after = await counts();
      assert.equal(after.organizations, before.organizations, 'no second org_test');
      assert.equal(after.projects, before.projects + 1);
      assert.equal(after.members, before.members + 1);
    });

    test('a project slug already taken is a 409, and nothing is written', async () => {
      const before = await counts();
      const answer = await client().post(URL_PATH, { ...SEED_BODY, organization_slug: 'another_org' });
      assert.equal(answer.status, 409);
      assert.deepEqual(answer.json(), { detail: "A project with the slug 'pro_test' already exists." });
      assert.deepEqual(await counts(), before, 'not even the new organization');
    });

    test('two concurrent creations of one slug: one 201, one 409', async () => {
      const body = { ...SEED_BODY, project_slug: 'pro_race', organization_slug: 'org_race' };
      const answers = await Promise.all([client().post(URL_PATH, body), client().post(URL_PATH, body)]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409]);
      assert.equal(await Project.objects.filter({ slug: 'pro_race' }).count(), 1);
      assert.equal(await Organization.objects.filter({ slug: 'org_race' }).count(), 1);
    });

    test("invalid input is a 400 with the serializer's errors, and writes nothing", async () => {
      const before = await counts();
      const missing = await client().post(URL_PATH, { project_slug: 'x' });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.json(), {
        organization_slug: ['This field is required.'],
        members: ['This field is required.'],
      });

      const bad = await client().post(URL_PATH, {
        project_slug: 'p'.repeat(201),
        organization_slug: '',
        platform: 'java',
        members: [{ email: 'not-an-email', erp: 'x' }, { erp: 'y' }],
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json(), {
        project_slug: ['Ensure this field has no more than 200 characters.'],
        organization_slug: ['This field may not be blank.'],
        members: {
          0: { email: ['Enter a valid email address.'] },
          1: { email: ['This field is required.'] },
        },
      });

      const empty = await client().post(URL_PATH, { ...SEED_BODY, project_slug: 'p_empty', members: [] });
      assert.equal(empty.status, 400);
      assert.deepEqual(empty.json(), { members: ['This list may not be empty.'] });

      const twice = await client().post(URL_PATH, {
        ...SEED_BODY,
        project_slug: 'p_twice',
        members: [SEED_BODY.members[0], { email: 'PengChang@jd.com', erp: 'other' }],
      });
      assert.equal(twice.status, 400);
      assert.deepEqual(twice.json(), { members: ['The member PengChang@jd.com is listed twice.'] });

      const notJson = await client().post(URL_PATH, undefined, {
        body: '{"members": [',
        contentType: 'application/json',
      });
      assert.equal(notJson.status, 400);
      assert.match((notJson.json() as { detail: string }).detail, /^JSON parse error/);

      const exactly200 = await client().post(URL_PATH, { ...SEED_BODY, project_slug: 's'.repeat(200) });
      assert.equal(exactly200.status, 201, '200 characters is allowed');
      assert.deepEqual(await counts(), {
        ...before,
        projects: before.projects + 1,
        members: before.members + 2,
        keys: before.keys + 1,
      });
    });

    test('without X-Rpc-Secret, or with a wrong one, 403 — before the body is looked at', async () => {
      const before = await counts();
      for (const secret of [null, '', 'wrong', `${SECRET}x`, SECRET.slice(0, -1)]) {
        const answer = await client({ secret }).post(URL_PATH, { ...SEED_BODY, project_slug: 'p_forbidden' });
        assert.equal(answer.status, 403, String(secret));
        assert.deepEqual(answer.json(), { detail: 'A valid X-Rpc-Secret header is required.' });
        assert.equal(answer.headers.get('www-authenticate'), null);
      }
      assert.equal((await client({ secret: 'wrong' }).post(URL_PATH, {})).status, 403, 'not a 400');
      assert.deepEqual(await counts(), before);
    });

    test('a failure half-way (after the project insert, or after the last one) rolls everything back', async () => {
      const before = await counts();
      const failing = () => {
        throw new Error('injected failure');
      };
      // postSave of Project fires right after its insert (the organization exists by then);
      // that of ProjectKey after every other row is written.
      for (const sender of [Project, ProjectKey] as const) {
        postSave.connect(failing, { sender });
        try {
          const answer = await client().post(URL_PATH, {
            ...SEED_BODY,
            project_slug: 'pro_halfway',
            organization_slug: 'org_halfway',
          });
          assert.equal(answer.status, 500, sender.meta.label);
        } finally {
          postSave.disconnect(failing, { sender });
        }
        assert.deepEqual(await counts(), before, sender.meta.label);
      }
      assert.equal(await Organization.objects.filter({ slug: 'org_halfway' }).exists(), false);
      // And the same request succeeds once the failure is gone.
      const again = await client().post(URL_PATH, { ...SEED_BODY, project_slug: 'pro_halfway' });
      assert.equal(again.status, 201);
    });

    test('GET is not allowed (405)', async () => {
      const answer = await client().get(URL_PATH);
      assert.equal(answer.status, 405);
    });
  });
}

describe('the secret', () => {
  test('without JONE_RPC_SECRET: the development value under debug, said at start-up; else none', async () => {
    await withEnv(undefined, async () => {
      let text = await stderrOf(() => assert.equal(rpcSecretFor({ debug: true }), DEVELOPMENT_RPC_SECRET));
      assert.match(text, /^WARNING jone: JONE_RPC_SECRET is not set; debug is on, so the development secret/);
      text = await stderrOf(() => assert.equal(rpcSecretFor({ debug: false }), null));
      assert.match(text, /every call to the jone API is refused \(403\)/);
      // Building a handler with the app installed is the start-up that reports it.
      text = await stderrOf(async () => {
        await new APIClient(makeSettings(true), { raiseRequestException: false }).get('/nowhere/');
      });
      assert.match(text, /development secret 'jone-development-secret'/);
    });
    await withEnv('from-env', async () => {
      const text = await stderrOf(() => assert.equal(rpcSecretFor({ debug: true }), 'from-env'));
      assert.equal(text, '', 'nothing to say');
    });
  });

  test('the development value opens the door only with debug on', async () => {
    await withEnv(undefined, async () => {
      await stderrOf(async () => {
        // An invalid body: a 400 proves the permission passed, without a database.
        const debug = await client({ secret: DEVELOPMENT_RPC_SECRET, debug: true }).post(URL_PATH, {});
        assert.equal(debug.status, 400);
        const production = await client({ secret: DEVELOPMENT_RPC_SECRET, debug: false }).post(URL_PATH, {});
        assert.equal(production.status, 403);
      });
    });
    await withEnv('real-one', async () => {
      const answer = await client({ secret: DEVELOPMENT_RPC_SECRET, debug: true }).post(URL_PATH, {});
      assert.equal(answer.status, 403, 'a configured secret replaces the development one');
    });
  });
});

describe('served by portico serve, as npm start does', () => {
  test('the demo serves POST /api/jd/jone/project/ over a real socket, on its SQLite file', async () => {
    const portico = await startPortico(['examples/demo/app.ts:application'], {
      env: { DEMO_DATABASE_FILE: DEMO_DATABASE, JONE_RPC_SECRET: SECRET },
    });
    const post = (secret: string, body: unknown) =>
      fetch(`${portico.url}${URL_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Rpc-Secret': secret },
        body: JSON.stringify(body),
      });
    const created = await post(SECRET, SEED_BODY);
    assert.equal(created.status, 201);
    const host = new URL(portico.url).host;
    const { dsn, project_id } = (await created.json()) as { dsn: string; project_id: number };
    assert.match(dsn, new RegExp(`^http://[0-9a-f]{32}@${host.replace(/\./g, '\\.')}/${project_id}$`));
    assert.equal((await post(SECRET, SEED_BODY)).status, 409);
    assert.equal((await post('wrong', SEED_BODY)).status, 403);
    const invalid = await post(SECRET, { project_slug: 'x' });
    assert.equal(invalid.status, 400);
    assert.deepEqual(await invalid.json(), {
      organization_slug: ['This field is required.'],
      members: ['This field is required.'],
    });
    process.kill(portico.pid, 'SIGTERM');
    assert.deepEqual(await portico.exited, { code: 0, signal: null });
  });

  test('with debug on and no JONE_RPC_SECRET, the start-up says the development secret is in use', async () => {
    const portico = await startPortico(['examples/demo/app.ts:application'], {
      env: { DEMO_DATABASE_FILE: DEMO_DATABASE, DEBUG: '1' },
    });
    await portico.waitFor(/WARNING jone: JONE_RPC_SECRET is not set; debug is on/);
    const answer = await fetch(`${portico.url}${URL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Rpc-Secret': DEVELOPMENT_RPC_SECRET },
      body: JSON.stringify({ ...SEED_BODY, project_slug: 'pro_debug' }),
    });
    assert.equal(answer.status, 201);
    process.kill(portico.pid, 'SIGTERM');
    assert.deepEqual(await portico.exited, { code: 0, signal: null });
  });
});
