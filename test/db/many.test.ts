import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CharField, defineApp, ManyToManyField, ProjectState } from '../../src/db/index.ts';
import { setUpDatabase, truncate, VENDORS } from './helpers.ts';

const blog = defineApp('blog');
const Tag = blog.model('Tag', { fields: { name: CharField({ maxLength: 20, unique: true }) } });
const Post = blog.model('Post', {
  fields: { title: CharField({ maxLength: 50 }), tags: ManyToManyField(Tag, { relatedName: 'posts' }) },
});
const PostTags = blog.models.find((m) => m.meta.modelName === 'PostTags')!;
const models = [Tag, Post, PostTags];

test('a many-to-many field makes an automatic through model, which the migrations state holds like any model', () => {
  assert.equal(PostTags.meta.table, 'blog_post_tags');
  assert.deepEqual(
    PostTags.meta.fields.map((f) => f.column),
    ['id', 'post_id', 'tag_id'],
  );
  assert.deepEqual(PostTags.meta.uniqueTogether, [['post', 'tag']]);
  assert.deepEqual(
    [...ProjectState.fromModels(models).models.keys()],
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
  });
}
