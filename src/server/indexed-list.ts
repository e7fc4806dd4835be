/**
 * A list of open connections (or their watches) as an array with swap-remove, each item
 * knowing its place. Not a `Set` or a `Map`: a table that every connection enters and leaves
 * is reallocated as it grows and shrinks, and its discarded tables, once promoted, still
 * point at the connections of the last few hundred milliseconds, so each scavenge copied
 * them (8–14 ms per scavenge under `Connection: close`, see bench/README.md).
 *
 * @module
 */

/** An item that knows where it is in its list (-1: in none). */
export interface Indexed {
  index: number;
}

/** Appends `item` to `list`. */
export function addIndexed<T extends Indexed>(list: T[], item: T): void {
  item.index = list.length;
  list.push(item);
}

/**
 * Takes `item` out of `list`, the last item taking its place; does nothing when it is not in
 * the list (removed already). Iterate such a list backwards: an item removed meanwhile is
 * replaced by one already visited.
 */
export function removeIndexed<T extends Indexed>(list: T[], item: T): void {
  const index = item.index;
  if (list[index] !== item) return;
  const last = list.pop() as T;
  if (last !== item) {
    list[index] = last;
    last.index = index;
  }
  item.index = -1;
}
