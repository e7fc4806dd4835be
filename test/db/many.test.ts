import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  captureQueries,
  CASCADE,
  CharField,
  DateField,
  defineApp,
  ForeignKey,
  ManyToManyField,
  ProjectState,
} from '../../src/db/index.ts';
import { setUpDatabase, truncate, VENDORS } from './helpers.ts';

const blog = defineApp('blog');
const Tag = blog.model('Tag', { fields: { name: CharField({ maxLength: 20, unique: true }) } });
const Post = blog.model('Post', {
  fields: { title: CharField({ maxLength: 50 }), tags: ManyToManyField(Tag, { relatedName: 'posts' }) },
});
const PostTags = blog.models.find((m) => m.meta.modelName === 'PostTags')!;

// An explicit through model (Django's `through`): declared after the model that names it.
const club = defineApp('club');
const Person = club.model('Person', {
  fields: { name: CharField({ maxLength: 20 }) },
  meta: { ordering: ['name'] },
});
const Group = club.model('Group', {
  fields: { name: CharField({ maxLength: 20 }), members: ManyToManyField(Person, { through: 'Membership' }) },
});
const Membership = club.model('Membership', {
  fields: {
    person: ForeignKey(Person, { onDelete: CASCADE }),
    group: ForeignKey(Group, { onDelete: CASCADE }),
    joined: DateField({ default: '2026-01-01' }),
  },
});
const models = [Tag, Post, PostTags, Person, Group, Membership];

test('a many-to-many field makes an automatic through model, which the migrations state holds like any model', () => {
  assert.equal(PostTags.meta.table, 'blog_post_tags');
  assert.deepEqual(
    PostTags.meta.fields.map((f) => f.column),
    ['id', 'post_id', 'tag_id'],
  );
  assert.deepEqual(PostTags.meta.uniqueTogether, [['post', 'tag']]);
  assert.deepEqual(
    [...ProjectState.fromModels([Tag, Post, PostTags]).models.keys()],
    ['blog.Tag', 'blog.Post', 'blog.PostTags'],
  );
  assert.equal(
    Post.meta.fields.some((f) => f.name === 'tags'),
    false,
    'not a column',
  );
});

for (const vendor of VENDORS) {
  describe(`many-to-many on ${vendor}`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    before(async () => {
      database = await setUpDatabase(vendor, models);
    });
    after(async () => database.drop());
    beforeEach(async () => truncate(models));

    test('add, remove, set, clear; both sides; filters across the relation; a delete removes the links', async () => {
      const [ts, db, web] = await Tag.objects.bulkCreate([{ name: 'ts' }, { name: 'db' }, { name: 'web' }]);
      const post = await Post.objects.create({ title: 'Hello' });
      const other = await Post.objects.create({ title: 'Other' });
      await post.tags.add(ts!, db!);
      await post.tags.add(ts!); // already there: no error, no duplicate
      await other.tags.add(db!.id);
      const names = async (qs: PromiseLike<Array<{ name: string }>>) => (await qs).map((t) => t.name).sort();
      assert.deepEqual(await names(post.tags.all()), ['db', 'ts']);
      assert.equal(await post.tags.count(), 2);
      assert.deepEqual(await names(post.tags.filter({ name__startswith: 't' })), ['ts']);
      const posts = (db as unknown as { posts: typeof Post.objects }).posts;
      assert.deepEqual(
        (await posts.orderBy('title')).map((p) => p.title),
        ['Hello', 'Other'],
      );
      assert.deepEqual(
        (await Post.objects.filter({ tags__name: 'ts' })).map((p) => p.title),
        ['Hello'],
      );
      assert.deepEqual(
        (await Tag.objects.filter({ posts__title: 'Other' } as never)).map((t) => t.name),
        ['db'],
      );
      await post.tags.remove(ts!);
      assert.deepEqual(await names(post.tags), ['db']);
      await post.tags.set([web!, ts!]);
      assert.deepEqual(await names(post.tags), ['ts', 'web']);
      await post.tags.clear();
      assert.equal(await post.tags.count(), 0);
      await post.tags.add(web!);
      await web!.delete();
      assert.equal(await PostTags.objects.count(), 1, 'the link to the deleted tag went with it');
      await other.delete();
      assert.equal(await PostTags.objects.count(), 0);
    });

    test('prefetchRelated over many-to-many: one query per relation, both sides; the managers answer from it', async () => {
      const [ts, db] = await Tag.objects.bulkCreate([{ name: 'ts' }, { name: 'db' }]);
      const hello = await Post.objects.create({ title: 'Hello' });
      const other = await Post.objects.create({ title: 'Other' });
      const empty = await Post.objects.create({ title: 'Empty' });
      await hello.tags.add(ts!, db!);
      await other.tags.add(db!);
      const { result: posts, queries } = await captureQueries(() =>
        Post.objects.orderBy('title').prefetchRelated('tags'),
      );
      assert.equal(queries.length, 2, queries.join('\n'));
      const { result: tagNames, queries: none } = await captureQueries(async () =>
        Promise.all(posts.map(async (p) => [p.title, (await p.tags).map((t) => t.name)] as const)),
      );
      assert.equal(none.length, 0, 'answered from the prefetch');
      assert.deepEqual(tagNames, [
        ['Empty', []],
        ['Hello', ['ts', 'db']],
        ['Other', ['db']],
      ]);
      const typed: string = (await posts[1]!.tags)[0]!.name;
      assert.equal(typed, 'ts');
      assert.equal(await posts[1]!.tags.count(), 2);
      // A refinement queries; a change forgets the prefetch.
      assert.deepEqual(
        (await posts[1]!.tags.filter({ name: 'db' })).map((t) => t.name),
        ['db'],
      );
      await posts[1]!.tags.remove(ts!);
      assert.deepEqual(
        (await posts[1]!.tags).map((t) => t.name),
        ['db'],
      );
      // The reverse side.
      const tags = await captureQueries(() => Tag.objects.orderBy('name').prefetchRelated('posts'));
      assert.equal(tags.queries.length, 2);
      const byTag = tags.result.map((t) => [
        t.name,
        (
          (t as unknown as { posts: { state: { cache: Array<{ title: string }> } } }).posts.state.cache ?? []
        ).map((p) => p.title),
      ]);
      assert.deepEqual(byTag, [
        ['db', ['Hello', 'Other']],
        ['ts', []],
      ]);
      void empty;
    });

    test('an explicit through model: links with its own columns, managers and lookups through it, prefetch', async () => {
      await truncate([Person, Group, Membership]);
      assert.equal(Group.meta.manyToMany[0]!.through, 'club.Membership');
      assert.equal(
        club.models.some((m) => m.meta.modelName === 'GroupMembers'),
        false,
        'no automatic model',
      );
      const [ann, bob] = await Person.objects.bulkCreate([{ name: 'Ann' }, { name: 'Bob' }]);
      const chess = await Group.objects.create({ name: 'Chess' });
      await Membership.objects.create({ person: bob!, group: chess, joined: '2025-05-05' });
      await chess.members.add(ann!);
      assert.deepEqual((await chess.members).map((p) => p.name).sort(), ['Ann', 'Bob']);
      assert.deepEqual(
        (await Membership.objects.orderBy('joined')).map((m) => m.joined),
        ['2025-05-05', '2026-01-01'],
        'the through model holds its own column; add() took its default',
      );
      assert.deepEqual(
        (await Group.objects.filter({ members__name: 'Ann' })).map((g) => g.name),
        ['Chess'],
      );
      const [prefetched] = await Group.objects.prefetchRelated('members');
      const { result, queries } = await captureQueries(async () =>
        (await prefetched!.members).map((p) => p.name),
      );
      assert.equal(queries.length, 0);
      assert.deepEqual(result, ['Ann', 'Bob'], "in the target's meta.ordering");
      await chess.members.remove(bob!);
      assert.equal(await Membership.objects.count(), 1);
    });
  });
}

test('an explicit through model without a foreign key to each side is refused when it is declared', () => {
  const bad = defineApp('badthrough');
  const Member = bad.model('Member', { fields: { name: CharField({ maxLength: 20 }) } });
  const Team = bad.model('Team', { fields: { members: ManyToManyField(Member, { through: 'Link' }) } });
  assert.throws(() => bad.model('Link', { fields: { team: ForeignKey(Team, { onDelete: CASCADE }) } }), {
    code: 'PORTICO_ERR_DB_CONFIG',
    message:
      'badthrough.Team.members: the through model badthrough.Link needs a foreign key to badthrough.Member (or throughFields)',
  });
  // Not left half-declared: the fix can be declared, and other models still can.
  bad.model('Other', { fields: {} });
  bad.model('Link', {
    fields: {
      team: ForeignKey(Team, { onDelete: CASCADE }),
      member: ForeignKey(Member, { onDelete: CASCADE }),
    },
  });
  assert.equal(Team.meta.manyToMany[0]!.targetField, 'member');
});
