import type Redis from 'ioredis';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Config, SecurityConfig } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import { RedisKeyValueCache } from '../../shared/redis-cache';
import { ChangeBus, inProcessChangeBus, redisChangeBus } from '../../shared/changes';
import { createRateLimit, RateLimit } from './rate-limit';
import { inMemoryResponseCache } from './response-cache';

/** Most memory the in-memory persisted-query store takes (query texts by hash). */
const PERSISTED_QUERY_BYTES = 4 * 2 ** 20;

export interface GatewayStores {
  rateLimit: RateLimit;
  persistedQueries: KeyValueCache<string>;
  /** Absent when the response cache is off. */
  responses?: KeyValueCache<string>;
  /** What the subgraphs' writes changed: heard by this replica only, or through Redis by every replica. */
  changes: ChangeBus;
  close(): Promise<void>;
}

/**
 * What the gateway keeps between requests: rate-limit budgets, persisted queries and cached
 * responses, and the bus of changes. In memory, or, with a Redis URL, in one Redis connection that every gateway replica
 * shares (the response cache only when it is set to `redis`).
 */
export function createStores(
  settings: { rateLimit: SecurityConfig['rateLimit']; responseCache: Config['gateway']['responseCache'] },
  logger: Logger,
): GatewayStores {
  const { redisUrl } = settings.rateLimit;
  // ioredis is loaded only when there is a Redis to talk to.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  const ioredis = (): { default: typeof Redis } => require('ioredis');
  const redis = redisUrl ? new (ioredis().default)(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'Redis unavailable: rate limits count in memory and shared caches miss meanwhile'));
  const responses =
    settings.responseCache === 'off'
      ? undefined
      : settings.responseCache === 'redis' && redis
        ? new RedisKeyValueCache(redis, 'poi-gateway-response:')
        : inMemoryResponseCache();
  const changes = redis ? redisChangeBus(redis) : inProcessChangeBus();
  return {
    rateLimit: createRateLimit(settings.rateLimit, logger, redis),
    persistedQueries: redis
      ? new RedisKeyValueCache(redis, 'poi-gateway-apq:')
      : new InMemoryLRUCache<string>({ maxSize: PERSISTED_QUERY_BYTES, sizeCalculation: (query) => query.length * 2 }),
    responses,
    changes,
    close: async () => {
      await changes.close();
      if (redis?.status === 'ready') await redis.quit().catch(() => undefined);
      redis?.disconnect(); // also ends reconnect attempts while Redis is away
    },
  };
}
