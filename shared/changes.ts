import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { Logger } from './logger';

/**
 * What one committed write changed, as every service speaks of it: the gateway invalidates the
 * cached answers it may have changed and tells live dashboards (README "Caching", "Read your writes").
 */
export interface ChangeEvent {
  /** The subgraph whose data changed: a POI's (`cubiss`) or `collaboration`. */
  subgraph: string;
  /** The POI's code when it is a POI's subgraph. */
  poi?: string;
  /** The GraphQL types the write touched (`Ticket`, `Library`, …); empty: anything of this subgraph may have changed. */
  types: string[];
  /** When the write committed (ISO 8601). */
  at: string;
}

export type ChangeListener = (event: ChangeEvent) => void;

/** Where changes are published and heard: in this process, or through Redis across processes and replicas. */
export interface ChangeBus {
  publish(event: ChangeEvent): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/** The Redis channel every service publishes its changes on. */
export const CHANGE_CHANNEL = 'poi-changes';

/**
 * The Redis hash of the response cache's tag versions (gateway/src/cache-tags.ts): a change
 * bumps its tags there (HINCRBY) in the same MULTI as it is published, so every gateway replica
 * sees a cached answer it may have changed as stale before the write's publisher goes on.
 */
export const TAG_VERSIONS_KEY = 'poi-cache-tag-versions';

/** The gateway's route where an operator (or the import CLI, without Redis) invalidates cached answers by tag (gateway/src/cache-admin.ts). */
export const CACHE_INVALIDATE_PATH = '/admin/cache/invalidate';

/** The tag every cached answer carries: bumping it invalidates them all. */
export const ALL_TAG = '*';

/**
 * The cache tags a change invalidates: its subgraph's. Answers are tagged with every subgraph they
 * were fetched from; per type they are not, since an aggregate (`stats { openTicketCount }`) counts
 * Ticket rows without selecting a Ticket (coarse but correct).
 */
export function changeTags(event: ChangeEvent): string[] {
  return [event.subgraph];
}

class Listeners {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  add(listener: ChangeListener): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
  emit(event: ChangeEvent): void {
    this.emitter.emit('change', event);
  }
}

/**
 * A Redis connection as the services use it: no offline queue (a command fails at once while
 * Redis is away), one retry; ioredis is loaded only when there is a Redis to talk to.
 */
export function connectRedis(url: string, logger: Pick<Logger, 'warn'>, whileAway = 'Redis unavailable'): Redis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  const { default: IORedis } = require('ioredis') as { default: typeof Redis };
  const redis = new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (error) => logger.warn({ err: error }, whileAway));
  return redis;
}

/** Changes heard in this process only. */
export function inProcessChangeBus(): ChangeBus {
  const listeners = new Listeners();
  return {
    publish: async (event) => listeners.emit(event),
    subscribe: (listener) => listeners.add(listener),
    close: async () => undefined,
  };
}

function isChangeEvent(value: unknown): value is ChangeEvent {
  const event = value as Partial<ChangeEvent> | null;
  return typeof event?.subgraph === 'string' && Array.isArray(event.types) && typeof event.at === 'string';
}

/**
 * Changes published on Redis (`CHANGE_CHANNEL`), heard by every process subscribed to it, this
 * one included (Redis delivers a message to its own publisher's subscription too), and its tags'
 * versions bumped (TAG_VERSIONS_KEY) in the same MULTI. While Redis is away, a change is heard in
 * this process only.
 */
export function redisChangeBus(redis: Redis): ChangeBus {
  const listeners = new Listeners();
  // Its own connection (a subscribed one can do nothing else), queueing the subscription until it
  // is connected; ioredis subscribes again after every reconnection.
  const subscriber = redis.duplicate({ enableOfflineQueue: true });
  subscriber.on('error', () => undefined); // the publisher's connection reports Redis being away
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== CHANGE_CHANNEL) return;
    try {
      const event: unknown = JSON.parse(message);
      if (isChangeEvent(event)) listeners.emit(event);
    } catch {
      // not ours: ignore
    }
  });
  void subscriber.subscribe(CHANGE_CHANNEL).catch(() => undefined);
  return {
    publish: async (event) => {
      const transaction = redis.multi();
      for (const tag of changeTags(event)) transaction.hincrby(TAG_VERSIONS_KEY, tag, 1);
      const delivered = await transaction
        .publish(CHANGE_CHANNEL, JSON.stringify(event))
        .exec()
        .then(
          (results) => Boolean(results?.every(([error]) => !error)) && subscriber.status === 'ready',
          () => false,
        );
      if (!delivered) listeners.emit(event);
    },
    subscribe: (listener) => listeners.add(listener),
    close: async () => {
      if (subscriber.status === 'ready') await subscriber.quit().catch(() => undefined);
      subscriber.disconnect();
    },
  };
}
