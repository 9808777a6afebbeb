/** Reordering helpers for the test editor (drag and drop, or move up/down with the keyboard). */

/** `ids` with the item at `from` moved to index `to` (clamped); the input is not changed. */
export function moveItem<T>(ids: readonly T[], from: number, to: number): T[] {
  const result = [...ids];
  if (from < 0 || from >= result.length) return result;
  const target = Math.max(0, Math.min(result.length - 1, to));
  const [item] = result.splice(from, 1);
  result.splice(target, 0, item as T);
  return result;
}

/** True when two orders differ (so only real moves reach the server). */
export function orderChanged<T>(before: readonly T[], after: readonly T[]): boolean {
  return before.length !== after.length || before.some((id, i) => id !== after[i]);
}
