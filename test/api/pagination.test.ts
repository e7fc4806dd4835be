import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CursorPagination,
  LimitOffsetPagination,
  PageNumberPagination,
} from '../../src/api/pagination/index.ts';
import { APIException } from '../../src/api/exceptions.ts';
import { HttpRequest } from '../../src/web/index.ts';
import { Organization, Project, shopModels } from '../db/fixtures/shop.ts';
import { setUpDatabase, VENDORS } from '../db/helpers.ts';
import { makeEnviron } from '../web/helpers.ts';

const settings = { secretKey: 'pagination-test-key', allowedHosts: ['testserver'] };

function request(query: string): HttpRequest {
  return new HttpRequest(makeEnviron({ path: '/projects/', query }), { settings: settings as never });
}

/** The query string of a link (null for none), to follow it. */
function queryOf(link: string | null): string | null {
  return link === null ? null : new URL(link).search.slice(1);
}

for (const vendor of VENDORS) {
  describe(`pagination (${vendor})`, () => {
    let drop: () => Promise<void>;
    let acme: Awaited<ReturnType<typeof Organization.objects.create>>;
    before(async () => {
      ({ drop } = await setUpDatabase(vendor, shopModels));
      acme = await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      // 23 projects; budgets repeat so an ordering by budget has ties the cursor must break.
      for (let i = 1; i <= 23; i++) {
        await Project.objects.create({
          organization: acme,
          name: `p${String(i).padStart(2, '0')}`,
          budget: i % 4,
        });
      }
    });
    after(() => drop());

    test('page numbers: DRF body, links that keep the other parameters, 404 past the end', async () => {
      const paginator = new PageNumberPagination();
      paginator.pageSize = 10;
      const rows = await paginator.paginateQueryset(Project.objects.orderBy('name'), request('page=2&q=x'));
      assert.deepEqual(
        rows?.map((p) => p.name),
        ['p11', 'p12', 'p13', 'p14', 'p15', 'p16', 'p17', 'p18', 'p19', 'p20'],
      );
      const body = paginator.getPaginatedData(rows!.map((p) => p.name));
      assert.equal(body.count, 23);
      assert.equal(body.next, 'http://testserver/projects/?page=3&q=x');
      assert.equal(body.previous, 'http://testserver/projects/?q=x');
      const last = new PageNumberPagination();
      last.pageSize = 10;
      assert.equal((await last.paginateQueryset(Project.objects.all(), request('page=last')))?.length, 3);
      assert.equal(last.getNextLink(), null);
      for (const page of ['4', '0', 'x', '-1']) {
        const p = new PageNumberPagination();
        p.pageSize = 10;
        await assert.rejects(p.paginateQueryset(Project.objects.all(), request(`page=${page}`)), (error) => {
          assert.ok(error instanceof APIException);
          assert.equal(error.status, 404);
          assert.equal(String(error.detail), 'Invalid page.');
          return true;
        });
      }
    });

    test('page numbers: no page size means no pagination; a client page size is capped', async () => {
      assert.equal(
        await new PageNumberPagination().paginateQueryset(Project.objects.all(), request('')),
        null,
      );
      const p = new PageNumberPagination();
      p.pageSize = 5;
      p.pageSizeQueryParam = 'size';
      p.maxPageSize = 7;
      assert.equal((await p.paginateQueryset(Project.objects.all(), request('size=100')))?.length, 7);
      const fromSettings = new PageNumberPagination();
      const withSetting = new HttpRequest(makeEnviron({ path: '/' }), {
        settings: { ...settings, api: { pageSize: 4 } } as never,
      });
      assert.equal((await fromSettings.paginateQueryset(Project.objects.all(), withSetting))?.length, 4);
    });

    test('limit/offset: windows and links', async () => {
      const p = new LimitOffsetPagination();
      const rows = await p.paginateQueryset(Project.objects.orderBy('name'), request('limit=5&offset=5'));
      assert.deepEqual(
        rows?.map((r) => r.name),
        ['p06', 'p07', 'p08', 'p09', 'p10'],
      );
      const body = p.getPaginatedData(rows!);
      assert.equal(body.count, 23);
      assert.equal(body.next, 'http://testserver/projects/?limit=5&offset=10');
      assert.equal(body.previous, 'http://testserver/projects/?limit=5');
      const end = new LimitOffsetPagination();
      assert.equal(
        (await end.paginateQueryset(Project.objects.all(), request('limit=5&offset=20')))?.length,
        3,
      );
      assert.equal(end.getNextLink(), null);
      assert.equal(end.getPreviousLink(), 'http://testserver/projects/?limit=5&offset=15');
    });

    test('cursor: every row once, forwards and back, across ties; stable while rows are added', async () => {
      const p = () => {
        const c = new CursorPagination();
        c.pageSize = 4;
        c.ordering = ['-budget'];
        return c;
      };
      const seen: string[] = [];
      let query: string | null = '';
      const links: string[] = [];
      for (let pages = 0; query !== null && pages < 20; pages++) {
        const c = p();
        const current: string = query;
        const rows = await c.paginateQueryset(Project.objects.all(), request(current));
        seen.push(...rows!.map((r) => r.name));
        const body = c.getPaginatedData(rows!.map((r) => r.name));
        assert.equal('count' in body, false);
        if (pages === 0) assert.equal(body.previous, null);
        links.push(current);
        query = queryOf(body.next);
        if (pages === 1) {
          // A row added before the current position does not shift the next page.
          await Project.objects.create({
            organization: acme,
            name: 'late',
            budget: 9,
          });
        }
      }
      assert.equal(seen.length, 23);
      assert.equal(new Set(seen).size, 23);
      // Budgets never increase along the pages.
      const budgets = await Promise.all(
        seen.map(async (name) => (await Project.objects.get({ name })).budget),
      );
      assert.deepEqual(
        budgets,
        [...budgets].sort((a, b) => b - a),
      );
      // Back from the third page: the second page again.
      const third = p();
      await third.paginateQueryset(Project.objects.all(), request(links[2]!));
      const back = p();
      const rows = await back.paginateQueryset(
        Project.objects.all(),
        request(queryOf(third.getPreviousLink())!),
      );
      assert.deepEqual(
        rows!.map((r) => r.name),
        seen.slice(4, 8),
      );
      await Project.objects.filter({ name: 'late' }).delete();
    });

    test('cursor: a tampered or malformed cursor is a 404, never an error', async () => {
      const c = new CursorPagination();
      c.pageSize = 4;
      c.ordering = 'name';
      await c.paginateQueryset(Project.objects.all(), request(''));
      const cursor = new URL(c.getNextLink()!).searchParams.get('cursor')!;
      const forged = Buffer.from(JSON.stringify({ p: ['p99', 99], r: 0 })).toString('base64url');
      for (const bad of [`${cursor}x`, `${forged}:${cursor.split(':')[1]}`, 'nonsense', '%%%']) {
        const d = new CursorPagination();
        d.pageSize = 4;
        d.ordering = 'name';
        await assert.rejects(
          d.paginateQueryset(Project.objects.all(), request(`cursor=${encodeURIComponent(bad)}`)),
          (error) => {
            assert.ok(error instanceof APIException);
            assert.equal(error.status, 404);
            return true;
          },
        );
      }
    });
  });
}
