/**
 * The model signals, on the framework's {@link Signal}: the sender is the model class.
 * A receiver may return a promise; the save or delete waits for it.
 *
 * @module
 */
import { Signal } from '../web/index.ts';

/** Sent before an instance is saved (`raw` false, `updateFields` as given). */
export const preSave = new Signal<
  unknown,
  { instance: unknown; updateFields: readonly string[] | null; using: string }
>();
/** Sent after an instance is saved; `created` says whether it was inserted. */
export const postSave = new Signal<
  unknown,
  { instance: unknown; created: boolean; updateFields: readonly string[] | null; using: string }
>();
/** Sent before each instance a delete removes (queryset deletes included). */
export const preDelete = new Signal<unknown, { instance: unknown; using: string }>();
/** Sent after each instance a delete removed. */
export const postDelete = new Signal<unknown, { instance: unknown; using: string }>();

/** Sends and waits for the receivers' promises. */
export async function sendAndWait<A extends object>(
  signal: Signal<unknown, A>,
  sender: unknown,
  args: A,
): Promise<void> {
  if (!signal.hasListeners(sender)) return;
  await signal.asend(sender, args);
}

/**
 * Sent after `migrate` (Django's `post_migrate`), once per installed app, the app as the
 * sender, even when there was nothing to apply: contrib apps create what they derive from
 * the models (auth's default permissions). Receivers run after the migrations committed.
 */
export const postMigrate = new Signal<
  import('./models.ts').App,
  {
    apps: readonly import('./models.ts').App[];
    using: string;
    applied: readonly string[];
    unapplied: readonly string[];
  }
>();
