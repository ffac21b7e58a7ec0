import type Redis from 'ioredis';
import { ALL_TAG, changeTags, TAG_VERSIONS_KEY, type ChangeBus } from '../../shared/changes';

/**
 * Tags of cached answers, and their versions (README "Caching"). Every cached answer is tagged
 * with the subgraphs its fetches went to (recorded by the data sources while the request runs)
 * and with ALL_TAG, and stores the versions its tags had when the request STARTED. It is served
 * only while all of them are still current; a write bumps its subgraph's version before its
 * answer goes back to the client. So a read racing a write never keeps its answer under the
 * version after the write: it took its versions before.
 *
 * Versions live in this process (bumped by the change bus, which in-process is synchronous), or
 * with Redis in one Redis hash every replica reads (bumped in the same MULTI as the change is
 * published, shared/changes.ts), so a write through one replica is seen by all of them.
 */

export type TagVersionSnapshot = Record<string, number>;

export interface TagVersions {
  /** Every tag's current version (absent: 0); undefined when they cannot be read (then nothing is cached or served from the cache). */
  snapshot(): Promise<TagVersionSnapshot | undefined>;
  /** Makes every answer with one of these tags stale (the admin route). */
  bump(tags: readonly string[]): Promise<void>;
}

/** Whether an answer cached with these versions is still current. */
export function isCurrent(stored: TagVersionSnapshot, now: TagVersionSnapshot): boolean {
  return Object.entries(stored).every(([tag, version]) => (now[tag] ?? 0) === version);
}

/** The versions, as of `snapshot`, of the tags of an answer fetched from these subgraphs. */
export function versionsOf(subgraphs: Iterable<string>, snapshot: TagVersionSnapshot): TagVersionSnapshot {
  const tags = [ALL_TAG, ...subgraphs];
  return Object.fromEntries(tags.map((tag) => [tag, snapshot[tag] ?? 0]));
}

/** Versions in this process, bumped as the bus announces each change. */
export function inMemoryTagVersions(changes: ChangeBus): TagVersions & { close(): void } {
  const versions = new Map<string, number>();
  const bump = (tags: readonly string[]) => tags.forEach((tag) => versions.set(tag, (versions.get(tag) ?? 0) + 1));
  const unsubscribe = changes.subscribe((event) => bump(changeTags(event)));
  return {
    snapshot: async () => Object.fromEntries(versions),
    bump: async (tags) => bump(tags),
    close: unsubscribe,
  };
}

/** Versions in Redis, shared by every replica (the change bus bumps them as it publishes). */
export function redisTagVersions(redis: Redis): TagVersions {
  return {
    snapshot: async () => {
      try {
        const all = await redis.hgetall(TAG_VERSIONS_KEY);
        return Object.fromEntries(Object.entries(all).map(([tag, version]) => [tag, Number(version)]));
      } catch {
        return undefined;
      }
    },
    bump: async (tags) => {
      const transaction = redis.multi();
      for (const tag of tags) transaction.hincrby(TAG_VERSIONS_KEY, tag, 1);
      const results = await transaction.exec();
      if (!results || results.some(([error]) => error)) throw new Error('Redis did not bump the cache tags');
    },
  };
}

const fetched = new WeakMap<object, Set<string>>();

/** A subgraph fetch of the request with this context value (the data sources call it). */
export function recordFetch(context: object, subgraph: string): void {
  let subgraphs = fetched.get(context);
  if (!subgraphs) fetched.set(context, (subgraphs = new Set()));
  subgraphs.add(subgraph);
}

/** The subgraphs the request with this context value fetched from. */
export function fetchedSubgraphs(context: object): ReadonlySet<string> {
  return fetched.get(context) ?? new Set();
}
