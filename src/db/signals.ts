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
