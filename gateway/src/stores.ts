import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Config, SecurityConfig } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import { RedisKeyValueCache } from '../../shared/redis-cache';
import { ChangeBus, connectRedis, inProcessChangeBus, redisChangeBus } from '../../shared/changes';
import { createRateLimit, RateLimit } from './rate-limit';
import { inMemoryResponseCache } from './response-cache';
import { inMemoryTagVersions, redisTagVersions, type TagVersions } from './cache-tags';

/** Most memory the in-memory persisted-query store takes (query texts by hash). */
const PERSISTED_QUERY_BYTES = 4 * 2 ** 20;

export interface GatewayStores {
  rateLimit: RateLimit;
  persistedQueries: KeyValueCache<string>;
  /** Absent when the response cache is off. */
  responses?: KeyValueCache<string>;
  /** What the subgraphs' writes changed: heard by this replica only, or through Redis by every replica. */
  changes: ChangeBus;
  /** The versions of the response cache's tags (cache-tags.ts): in memory, or with a Redis URL in Redis for every replica. */
  tagVersions: TagVersions;
  close(): Promise<void>;
}

/**
 * What the gateway keeps between requests: rate-limit budgets, persisted queries and cached
 * responses with their tags' versions, and the bus of changes. In memory, or, with a Redis URL, in one Redis connection that every gateway replica
 * shares (the response cache only when it is set to `redis`).
 */
export function createStores(
  settings: { rateLimit: SecurityConfig['rateLimit']; responseCache: Config['gateway']['responseCache'] },
  logger: Logger,
): GatewayStores {
  const { redisUrl } = settings.rateLimit;
  const redis = redisUrl ? connectRedis(redisUrl, logger, 'Redis unavailable: rate limits count in memory and shared caches miss meanwhile') : undefined;
  const responses =
    settings.responseCache === 'off'
      ? undefined
      : settings.responseCache === 'redis' && redis
        ? new RedisKeyValueCache(redis, 'poi-gateway-response:')
        : inMemoryResponseCache();
  const changes = redis ? redisChangeBus(redis) : inProcessChangeBus();
  // With Redis the versions are there, whichever cache holds the answers: the bus bumps them as it publishes.
  const memoryVersions = redis ? undefined : inMemoryTagVersions(changes);
  const tagVersions = memoryVersions ?? redisTagVersions(redis!);
  return {
    rateLimit: createRateLimit(settings.rateLimit, logger, redis),
    persistedQueries: redis
      ? new RedisKeyValueCache(redis, 'poi-gateway-apq:')
      : new InMemoryLRUCache<string>({ maxSize: PERSISTED_QUERY_BYTES, sizeCalculation: (query) => query.length * 2 }),
    responses,
    changes,
    tagVersions,
    close: async () => {
      memoryVersions?.close();
      await changes.close();
      if (redis?.status === 'ready') await redis.quit().catch(() => undefined);
      redis?.disconnect(); // also ends reconnect attempts while Redis is away
    },
  };
}
