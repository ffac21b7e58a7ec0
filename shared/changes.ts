import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';

/**
 * What one committed write changed, as every service speaks of it: the gateway invalidates the
 * cached answers it may have changed and tells live dashboards (README "Fresh answers").
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
 * one included (Redis delivers a message to its own publisher's subscription too). While Redis is
 * away, a change is heard in this process only.
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
      const delivered = await redis.publish(CHANGE_CHANNEL, JSON.stringify(event)).then(
        () => subscriber.status === 'ready',
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
