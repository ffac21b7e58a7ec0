import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Identity } from '../../shared/auth/identity';
import type { RequestContextFields } from '../../shared/request-id';

/**
 * The gateway's response cache for queries whose every field is cacheable by the subgraphs'
 * `@cacheControl` hints (the dashboards' aggregates; each subgraph answers with a Cache-Control
 * header and the gateway keeps the lowest maxAge). A cached answer is only ever served to a
 * caller with exactly the same scopes — what a response may contain depends on nothing else —
 * and a PRIVATE one only to the same subject. Responses with errors are never cached.
 */
export function responseCache(cache: KeyValueCache<string>): ApolloServerPlugin<BaseContext> {
  const identityOf = (context: BaseContext) => (context as Partial<RequestContextFields>).identity as Identity | undefined;
  return responseCachePlugin({
    cache,
    sessionId: async ({ contextValue }) => {
      const identity = identityOf(contextValue);
      return identity && !identity.anonymous ? identity.subject : null;
    },
    extraCacheKeyData: async ({ contextValue }) => [...(identityOf(contextValue)?.scopes ?? [])].sort().join(' '),
  }) as ApolloServerPlugin<BaseContext>;
}

/**
 * What a shared cache (a CDN, a proxy) may do with a cacheable answer. The answer depends on the
 * caller's scopes, so one to a token holder is `private` (only that caller's own cache may keep
 * it), and every cacheable answer carries `Vary: Authorization`; only anonymous answers stay
 * `public`. Runs after Apollo's cache-control plugin, which must come before it in the list.
 */
export function cacheHeadersByCaller(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const headers = response.http.headers;
          const cacheControl = headers.get('cache-control');
          if (!cacheControl?.startsWith('max-age=')) return;
          const vary = headers.get('vary');
          headers.set('vary', vary ? `${vary}, Authorization` : 'Authorization');
          const identity = (contextValue as Partial<RequestContextFields>).identity as Identity | undefined;
          if (identity && !identity.anonymous) headers.set('cache-control', cacheControl.replace(/\bpublic\b/, 'private'));
        },
      };
    },
  };
}

/** Most memory the in-memory response cache takes (it evicts the least recently used beyond). */
const RESPONSE_CACHE_BYTES = 32 * 2 ** 20;

export function inMemoryResponseCache(): KeyValueCache<string> {
  return new InMemoryLRUCache<string>({ maxSize: RESPONSE_CACHE_BYTES, sizeCalculation: (value) => value.length * 2 });
}
