import DataLoader from 'dataloader';

/** A loader that fetches rows by id in one query and returns them in key order (null for misses). */
export function loaderById<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K): DataLoader<K, V | null> {
  return new DataLoader(async (keys) => {
    const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** A loader for one-to-many relations: one query for all parents, rows grouped per parent. */
export function loaderOfGroups<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, parentOf: (row: V) => K): DataLoader<K, V[]> {
  return new DataLoader(async (keys) => {
    const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const row of await fetch(keys)) groups.get(parentOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** Runs a keyless query at most once per request. */
export function once<T>(fetch: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fetch());
}
