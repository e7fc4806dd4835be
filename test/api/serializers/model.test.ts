import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  atomic,
  CASCADE,
  CharField as DbCharField,
  DateTimeField as DbDateTimeField,
  DecimalField as DbDecimalField,
  defineApp,
  EmailField as DbEmailField,
  ForeignKey,
  IntegerField as DbIntegerField,
  ManyToManyField,
  SlugField as DbSlugField,
  TextField,
} from '../../../src/db/index.ts';
import { errorCodes, ValidationError } from '../../../src/api/exceptions.ts';
import {
  CharField,
  ModelSerializer,
  PrimaryKeyRelatedField,
  SerializerMethodField,
  SlugRelatedField,
  UniqueValidator,
  Serializer,
  EmailField,
} from '../../../src/api/serializers/index.ts';
import { setUpDatabase, truncate, VENDORS } from '../../db/helpers.ts';

const app = defineApp('apiser');

const Author = app.model('Author', {
  fields: {
    name: DbCharField({ maxLength: 50 }),
    email: DbEmailField({ unique: true }),
  },
});
const Tag = app.model('Tag', { fields: { slug: DbSlugField({ unique: true }) } });
const Article = app.model('Article', {
  fields: {
    author: ForeignKey(Author, { onDelete: CASCADE }),
    title: DbCharField({ maxLength: 20 }),
    slug: DbSlugField(),
    body: TextField({ blank: true, default: '' }),
    status: DbCharField({
      maxLength: 10,
      choices: [
        ['draft', 'Draft'],
        ['live', 'Live'],
      ],
      default: 'draft',
    }),
    price: DbDecimalField({ maxDigits: 6, decimalPlaces: 2, null: true }),
    rank: DbIntegerField({ default: 0 }),
    created: DbDateTimeField({ autoNowAdd: true }),
    tags: ManyToManyField(Tag),
  },
  meta: { uniqueTogether: [['author', 'slug']] },
});
const models = [
  Author,
  Tag,
  Article,
  ...app.models.filter((m) => ![Author, Tag, Article].includes(m as never)),
];

class ArticleSerializer extends ModelSerializer.for(Article, {
  fields: ['id', 'author', 'title', 'slug', 'body', 'status', 'price', 'rank', 'created', 'words'],
  readOnlyFields: ['rank'],
  extraKwargs: { body: { writeOnly: true } },
  declared: {
    words: SerializerMethodField((a: { body: string }) => a.body.split(/\s+/).filter(Boolean).length),
  },
}) {}

class AuthorSerializer extends ModelSerializer.for(Author, { fields: '__all__' }) {}

for (const vendor of VENDORS) {
  describe(`ModelSerializer on ${vendor}`, () => {
    let db: Awaited<ReturnType<typeof setUpDatabase>>;
    before(async () => {
      db = await setUpDatabase(vendor, models as never);
    });
    after(async () => {
      await db.drop();
    });
    beforeEach(async () => {
      await truncate(models as never);
    });

    test('fields, rules and read-only fields come from the model', async () => {
      const s = new ArticleSerializer({
        data: { title: 'x'.repeat(21), slug: 'no spaces', status: 'gone', price: '12345.6', rank: 3 },
      });
      assert.equal(await s.isValid(), false);
      assert.deepEqual(errorCodes(s.errors as never), {
        author: ['required'],
        title: ['max_length'],
        slug: ['invalid'],
        status: ['invalid_choice'],
        price: ['max_whole_digits'],
      });
      assert.equal(
        String((s.errors.title as never[])[0]),
        'Ensure this field has no more than 20 characters.',
      );
      assert.equal(String((s.errors.author as never[])[0]), 'This field is required.');
    });

    test('create through the model; data shows keys, computed fields, hides write-only fields', async () => {
      const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
      const s = new ArticleSerializer({
        data: { author: ann.id, title: 'Hello', slug: 'hello', body: 'one two three' },
      });
      assert.equal(await s.isValid(), true, JSON.stringify(s.errors));
      assert.equal(s.validatedData.author.id, ann.id); // the row, typed as the Author instance
      assert.equal(s.validatedData.status, undefined); // not given: the model's default applies on create
      const article = await s.save();
      assert.equal(article.authorId, ann.id);
      assert.equal(article.status, 'draft');
      const data = s.data;
      assert.equal(data.author, ann.id);
      assert.equal(data.words, 3);
      assert.equal(data.rank, 0);
      assert.equal(typeof data.created, 'string');
      assert.equal('body' in data, false);
      assert.equal(await Article.objects.count(), 1);
    });

    test('a missing related row is does_not_exist; a wrong type is incorrect_type', async () => {
      const s = new ArticleSerializer({ data: { author: 999, title: 'a', slug: 'a' } });
      assert.equal(await s.isValid(), false);
      assert.equal(String((s.errors.author as never[])[0]), 'Invalid pk "999" - object does not exist.');
      const t = new ArticleSerializer({ data: { author: [1], title: 'a', slug: 'a' } });
      assert.equal(await t.isValid(), false);
      assert.deepEqual(errorCodes(t.errors as never), { author: ['incorrect_type'] });
      assert.equal(
        String((t.errors.author as never[])[0]),
        'Incorrect type. Expected pk value, received list.',
      );
    });

    test('unique fields are checked against the database, the updated row left out', async () => {
      const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
      const dup = new AuthorSerializer({ data: { name: 'B', email: 'ann@example.com' } });
      assert.equal(await dup.isValid(), false);
      assert.deepEqual(errorCodes(dup.errors as never), { email: ['unique'] });
      assert.equal(String((dup.errors.email as never[])[0]), 'author with this email already exists.');
      const same = new AuthorSerializer({ instance: ann, data: { name: 'Ann B', email: 'ann@example.com' } });
      assert.equal(await same.isValid(), true, JSON.stringify(same.errors));
      const updated = await same.save();
      assert.equal(updated, ann);
      await ann.refreshFromDb();
      assert.equal(ann.name, 'Ann B');
      assert.deepEqual(same.data, { id: ann.id, name: 'Ann B', email: 'ann@example.com' });
    });

    test('uniqueTogether becomes a class validator: non_field_errors, and required on create', async () => {
      const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
      await Article.objects.create({ author: ann, title: 'A', slug: 'a' });
      const s = new ArticleSerializer({ data: { author: ann.id, title: 'B', slug: 'a' } });
      assert.equal(await s.isValid(), false);
      assert.deepEqual(errorCodes(s.errors as never), { non_field_errors: ['unique'] });
      assert.equal(
        String((s.errors.non_field_errors as never[])[0]),
        'The fields author, slug must make a unique set.',
      );
      const other = new ArticleSerializer({ data: { author: ann.id, title: 'B', slug: 'b' } });
      assert.equal(await other.isValid(), true);
    });

    test('partial update: missing fields allowed, defaults not applied, attributes saved', async () => {
      const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
      const a = await Article.objects.create({ author: ann, title: 'A', slug: 'a', status: 'live' });
      const s = new ArticleSerializer({ instance: a, data: { title: 'Renamed' }, partial: true });
      assert.equal(await s.isValid(), true, JSON.stringify(s.errors));
      assert.deepEqual(s.validatedData, { title: 'Renamed' });
      await s.save();
      const fresh = await Article.objects.get({ pk: a.id });
      assert.equal(fresh.title, 'Renamed');
      assert.equal(fresh.status, 'live');
    });

    test('UniqueValidator runs inside the request transaction and sees its uncommitted rows', async () => {
      class Signup extends Serializer.of({
        email: EmailField({ validators: [UniqueValidator({ queryset: Author.objects, lookup: 'iexact' })] }),
      }) {}
      await assert.rejects(
        atomic(async () => {
          await Author.objects.create({ name: 'Tx', email: 'tx@example.com' });
          const s = new Signup({ data: { email: 'TX@example.com' } });
          assert.equal(await s.isValid(), false);
          assert.deepEqual(errorCodes(s.errors as never), { email: ['unique'] });
          assert.equal(String((s.errors.email as never[])[0]), 'This field must be unique.');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      const after = new Signup({ data: { email: 'tx@example.com' } });
      assert.equal(await after.isValid(), true);
    });

    test('depth shows relations nested; SlugRelatedField and declared nested read-only serializers', async () => {
      const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
      await Article.objects.create({ author: ann, title: 'A', slug: 'a' });
      class Deep extends ModelSerializer.for(Article, { fields: ['id', 'author', 'title'], depth: 1 }) {}
      const [row] = await Article.objects.selectRelated('author');
      assert.deepEqual(new Deep({ instance: row }).data, {
        id: row!.id,
        author: { id: ann.id, name: 'Ann', email: 'ann@example.com' },
        title: 'A',
      });
      class Nested extends ModelSerializer.for(Article, {
        fields: ['title', 'author'],
        declared: { author: AuthorSerializer.asField({ readOnly: true }) },
      }) {}
      assert.deepEqual(new Nested({ instance: row }).data, {
        title: 'A',
        author: { id: ann.id, name: 'Ann', email: 'ann@example.com' },
      });
      class BySlug extends Serializer.of({
        author: SlugRelatedField({ slugField: 'email', queryset: Author.objects }),
      }) {}
      const s = new BySlug({ data: { author: 'nobody@example.com' } });
      assert.equal(await s.isValid(), false);
      assert.equal(
        String((s.errors.author as never[])[0]),
        'Object with email=nobody@example.com does not exist.',
      );
      const t = new BySlug({ data: { author: 'ann@example.com' } });
      assert.equal(await t.isValid(), true);
      assert.equal(t.validatedData.author.name, 'Ann');
    });

    test('many-to-many through a declared PrimaryKeyRelatedField({ many: true }) is set after create', async () => {
      const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
      const [t1, t2] = await Tag.objects.bulkCreate([{ slug: 'ts' }, { slug: 'db' }]);
      class WithTags extends ModelSerializer.for(Article, {
        fields: ['author', 'title', 'slug', 'tags'],
        declared: { tags: PrimaryKeyRelatedField({ queryset: Tag.objects, many: true }) },
      }) {}
      const bad = new WithTags({ data: { author: ann.id, title: 'T', slug: 't', tags: [t1!.id, 777] } });
      assert.equal(await bad.isValid(), false);
      assert.deepEqual(errorCodes(bad.errors as never), { tags: { 1: ['does_not_exist'] } });
      const s = new WithTags({ data: { author: ann.id, title: 'T', slug: 't', tags: [t1!.id, t2!.id] } });
      assert.equal(await s.isValid(), true, JSON.stringify(s.errors));
      const article = await s.save();
      const slugs = (await Article.objects.get({ pk: article.id }).then((a) => a.tags.orderBy('slug'))).map(
        (t) => t.slug,
      );
      assert.deepEqual(slugs, ['db', 'ts']);
    });

    test('writable nested serializers are refused by the default create', async () => {
      class Writable extends ModelSerializer.for(Article, {
        fields: ['title', 'slug', 'author'],
        declared: { author: AuthorSerializer.asField() },
      }) {}
      const s = new Writable({
        data: { title: 'T', slug: 't', author: { name: 'N', email: 'n@example.com' } },
      });
      assert.equal(await s.isValid(), true, JSON.stringify(s.errors));
      await assert.rejects(s.save(), /does not support writable nested fields by default/);
      assert.equal(await Article.objects.count(), 0);
    });
  });
}

test('a ModelSerializer needs fields or exclude, and names that exist', () => {
  const none = ModelSerializer.for(Author, {} as never);
  assert.throws(
    () => new none({ data: {} }).isValid(),
    /without either the 'fields' option or the 'exclude' option/,
  );
  const typo = ModelSerializer.for(Author, { fields: ['nmae'] as never });
  assert.throws(() => new typo({ data: {} }).isValid(), /Field name `nmae` is not valid for model `Author`/);
  const both = ModelSerializer.for(Author, { fields: '__all__', exclude: ['name'] } as never);
  assert.throws(() => new both({ data: {} }).isValid(), /both 'fields' and 'exclude'/);
  const excluded = ModelSerializer.for(Author, { exclude: ['email'] });
  assert.deepEqual(new excluded({ instance: new Author({ name: 'A', email: 'a@b.co' }) }).data, {
    id: null,
    name: 'A',
  });
  assert.throws(() => {
    ModelSerializer.for(Author, { fields: ['name'], declared: { extra: CharField() } } as never);
    const c = ModelSerializer.for(Author, { fields: ['name'], declared: { extra: CharField() } } as never);
    return new c({ data: {} }).isValid();
  }, /was declared on serializer .* but has not been included in the 'fields' option/);
  assert.ok(ValidationError);
});
