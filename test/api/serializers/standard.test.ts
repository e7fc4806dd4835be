import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { z } from 'zod';
import { errorCodes, ValidationError } from '../../../src/api/exceptions.ts';
import { Serializer, type ValidatedData } from '../../../src/api/serializers/index.ts';

const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

const article = z.object({
  title: z.string().min(2).max(10),
  rating: z.number().int().min(0).default(0),
  tags: z.array(z.string()),
  author: z.object({ name: z.string(), email: z.email() }),
});

class ArticleSerializer extends Serializer.of(article) {
  validateTitle(value: string) {
    if (value === 'banned') throw new ValidationError('That title is taken.', { code: 'taken' });
    return value.trim();
  }
  override validate(attrs: ValidatedData<typeof ArticleSerializer>) {
    if (attrs.tags.includes(attrs.title)) throw new ValidationError('A tag may not repeat the title.');
    return attrs;
  }
}

test('Zod: issues become DRF’s tree, with Zod’s codes', async () => {
  const s = new ArticleSerializer({
    data: { title: 'x', tags: ['a', 3], author: { name: 'A', email: 'nope' } },
  });
  assert.equal(await s.isValid(), false);
  assert.deepEqual(errorCodes(s.errors as never), {
    title: ['too_small'],
    tags: { 1: ['invalid_type'] },
    author: { email: ['invalid_format'] },
  });
  assert.equal(typeof (json(s.errors) as { title: string[] }).title[0], 'string');
  const notObject = new ArticleSerializer({ data: 'x' });
  assert.equal(await notObject.isValid(), false);
  assert.deepEqual(errorCodes(notObject.errors as never), { non_field_errors: ['invalid_type'] });
});

test('Zod: the output is the validated data (defaults applied), then hooks, then validate', async () => {
  const s = new ArticleSerializer({
    data: { title: 'Hello', tags: ['x'], author: { name: 'A', email: 'a@b.co' } },
  });
  assert.equal(await s.isValid(), true, JSON.stringify(s.errors));
  const data: { title: string; rating: number } = s.validatedData;
  assert.deepEqual(data, { title: 'Hello', rating: 0, tags: ['x'], author: { name: 'A', email: 'a@b.co' } });
  assert.deepEqual(s.data, s.validatedData);

  const banned = new ArticleSerializer({
    data: { title: 'banned', tags: [], author: { name: 'A', email: 'a@b.co' } },
  });
  assert.equal(await banned.isValid(), false);
  assert.deepEqual(errorCodes(banned.errors as never), { title: ['taken'] });
  const repeat = new ArticleSerializer({
    data: { title: 'ab', tags: ['ab'], author: { name: 'A', email: 'a@b.co' } },
  });
  assert.equal(await repeat.isValid(), false);
  assert.deepEqual(json(repeat.errors), { non_field_errors: ['A tag may not repeat the title.'] });
  // `data` of an instance shows the schema's keys only.
  const shown = new ArticleSerializer({
    instance: {
      title: 't',
      rating: 1,
      tags: [],
      author: { name: 'A', email: 'a@b.co' },
      secret: 'x',
    } as never,
  });
  assert.deepEqual(Object.keys(shown.data), ['title', 'rating', 'tags', 'author']);
});

test('Zod: async refinements go through the same isValid', async () => {
  const unique = z.object({
    slug: z.string().refine(async (s) => {
      await new Promise((r) => setTimeout(r, 1));
      return s !== 'taken';
    }, 'Slug is taken.'),
  });
  class SlugSerializer extends Serializer.of(unique) {}
  const s = new SlugSerializer({ data: { slug: 'taken' } });
  assert.equal(await s.isValid(), false);
  assert.deepEqual(json(s.errors), { slug: ['Slug is taken.'] });
  assert.deepEqual(errorCodes(s.errors as never), { slug: ['custom'] });
});

test('Valibot: the same contract; its issue type is the code', async () => {
  const schema = v.object({
    name: v.pipe(v.string(), v.maxLength(3)),
    age: v.pipe(v.number(), v.minValue(0)),
    tags: v.array(v.string()),
  });
  class Person extends Serializer.of(schema) {}
  const bad = new Person({ data: { name: 'abcd', age: -1, tags: ['a', 1] } });
  assert.equal(await bad.isValid(), false);
  assert.deepEqual(errorCodes(bad.errors as never), {
    name: ['max_length'],
    age: ['min_value'],
    tags: { 1: ['string'] },
  });
  const good = new Person({ data: { name: 'Ann', age: 3, tags: [] } });
  assert.equal(await good.isValid(), true);
  const typed: { name: string; age: number; tags: string[] } = good.validatedData;
  assert.deepEqual(typed, { name: 'Ann', age: 3, tags: [] });
  await assert.rejects(new Person({ data: {} }).isValid({ raiseException: true }), ValidationError);
});
