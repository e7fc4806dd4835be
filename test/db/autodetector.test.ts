import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CASCADE,
  CharField,
  detectChanges,
  ForeignKey,
  ModelState,
  nonInteractive,
  ProjectState,
} from '../../src/db/index.ts';
import { detectChangesSync } from '../../src/db/migrations/autodetector.ts';

const name = () => CharField({ maxLength: 20 });

/** `shop.<model>` with a name, a `parent` to itself, and a `shop.Order` pointing at it. */
function state(model: string): ProjectState {
  return new ProjectState([
    new ModelState('shop', model, [
      ['name', name()],
      ['parent', ForeignKey(`shop.${model}`, { onDelete: CASCADE, null: true })],
    ]),
    new ModelState('shop', 'Order', [['item', ForeignKey(`shop.${model}`, { onDelete: CASCADE })]]),
  ]);
}

const kinds = (changes: Awaited<ReturnType<typeof detectChanges>>) =>
  [...changes.operations.values()].flat().map((op) => op.describe());

test('a model gone and one with the same fields come: a rename if the questioner says so', async () => {
  const asked: string[] = [];
  const yes = {
    askRename: () => false,
    askRenameModel: (app: string, from: string, to: string) => {
      asked.push(`${app}.${from} -> ${to}`);
      return true;
    },
  };
  const renamed = await detectChanges(state('Item'), state('Product'), yes);
  assert.deepEqual(asked, ['shop.Item -> Product']);
  // The self-reference and Order's foreign key follow the rename: nothing else to do.
  assert.deepEqual(kinds(renamed), ['Rename model Item to Product']);

  const no = await detectChanges(state('Item'), state('Product'), nonInteractive);
  assert.deepEqual(kinds(no), ['Create model Product', 'Alter field item on order', 'Delete model Item']);
  // A questioner of before (no askRenameModel), and the check's non-asking diff: no rename.
  assert.deepEqual(
    kinds(await detectChanges(state('Item'), state('Product'), { askRename: () => true })),
    kinds(no),
  );
  assert.deepEqual(kinds(detectChangesSync(state('Item'), state('Product'))), kinds(no));
});

test('a model with other fields is not offered as a rename', async () => {
  const other = new ProjectState([new ModelState('shop', 'Product', [['title', name()]])]);
  const before = new ProjectState([new ModelState('shop', 'Item', [['name', name()]])]);
  let asked = 0;
  const changes = await detectChanges(before, other, {
    askRename: () => false,
    askRenameModel: () => (asked++, true),
  });
  assert.equal(asked, 0);
  assert.deepEqual(kinds(changes), ['Create model Product', 'Delete model Item']);
});
