// Audit rows are written as partial updates: a later update of a row overrides only the fields it
// carries. Pure: the workflows merge queued rows with it.

export function mergeRow<T extends object>(earlier: T | undefined, update: T): T {
  const defined = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
  return { ...earlier, ...defined } as T;
}
