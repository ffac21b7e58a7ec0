import { createHash } from 'node:crypto';
import type { CacheHint } from '@apollo/cache-control-types';
import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequestContext } from '@apollo/server';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Identity } from '../../shared/auth/identity';
import type { RequestContextFields } from '../../shared/request-id';
import { fetchedSubgraphs, isCurrent, versionsOf, type TagVersions, type TagVersionSnapshot } from './cache-tags';

/** A cached answer: its data, policy and time, and the versions of its tags (cache-tags.ts) when its request started. */
interface CachedAnswer {
  data: Record<string, unknown>;
  cachePolicy: Required<CacheHint>;
  cacheTime: number;
  tags: TagVersionSnapshot;
}

/** Whose answer an entry is: one subject's (PRIVATE), any caller's with a token, or an anonymous one. */
type Session = { mode: 'private'; subject: string } | { mode: 'authenticated-public' } | { mode: 'no-session' };

const KEY_PREFIX = 'fqc:';

/**
 * The gateway's response cache for queries whose every field is cacheable by the subgraphs'
 * `@cacheControl` hints (the dashboards' aggregates; each subgraph answers with a Cache-Control
 * header and the gateway keeps the lowest maxAge). A cached answer is only ever served to a
 * caller with exactly the same scopes — what a response may contain depends on nothing else —
 * and a PRIVATE one only to the same subject. Responses with errors are never cached.
 *
 * Each answer is tagged with the subgraphs it was fetched from and is served only while their
 * versions are those of when its request started (cache-tags.ts): a write invalidates what it
 * may have changed before its own answer returns. Follows @apollo/server-plugin-response-cache
 * (MIT, https://github.com/apollographql/apollo-server/tree/main/packages/plugin-response-cache),
 * which has no place for tags.
 */
export function responseCache(cache: KeyValueCache<string>, versions: TagVersions): ApolloServerPlugin<BaseContext> {
  const identityOf = (context: BaseContext) => (context as Partial<RequestContextFields>).identity as Identity | undefined;
  const keyOf = (requestContext: GraphQLRequestContext<BaseContext>, session: Session) =>
    KEY_PREFIX +
    createHash('sha256')
      .update(
        JSON.stringify({
          source: requestContext.source,
          operationName: requestContext.operationName ?? null,
          variables: requestContext.request.variables ?? {},
          scopes: [...(identityOf(requestContext.contextValue)?.scopes ?? [])].sort().join(' '),
          session,
        }),
      )
      .digest('hex');
  return {
    async requestDidStart() {
      let started: TagVersionSnapshot | undefined;
      let subject: string | null = null;
      let age: number | null = null;
      const read = async (requestContext: GraphQLRequestContext<BaseContext>, session: Session): Promise<CachedAnswer | undefined> => {
        const serialized = await cache.get(keyOf(requestContext, session));
        const answer = serialized === undefined ? undefined : (JSON.parse(serialized) as CachedAnswer);
        return answer && isCurrent(answer.tags, started!) ? answer : undefined;
      };
      return {
        async responseForOperation(requestContext) {
          requestContext.metrics.responseCacheHit = false;
          if (requestContext.operation?.operation !== 'query') return null;
          const identity = identityOf(requestContext.contextValue);
          subject = identity && !identity.anonymous ? identity.subject : null;
          // The versions as this request starts: what it caches is stale once any of them moves on.
          started = await versions.snapshot();
          if (!started) return null;
          const answer =
            subject === null
              ? await read(requestContext, { mode: 'no-session' })
              : ((await read(requestContext, { mode: 'private', subject })) ?? (await read(requestContext, { mode: 'authenticated-public' })));
          if (!answer) return null;
          requestContext.overallCachePolicy.replace(answer.cachePolicy);
          requestContext.metrics.responseCacheHit = true;
          age = Math.round((Date.now() - answer.cacheTime) / 1000);
          return { body: { kind: 'single', singleResult: { data: answer.data } }, http: { status: undefined, headers: new HeaderMap() } };
        },

        async willSendResponse(requestContext) {
          const { response } = requestContext;
          if (response.body.kind !== 'single' || requestContext.operation?.operation !== 'query') return;
          if (requestContext.metrics.responseCacheHit) {
            if (age !== null) response.http.headers.set('age', String(age));
            return;
          }
          const { data, errors } = response.body.singleResult;
          const cachePolicy = requestContext.overallCachePolicy.policyIfCacheable();
          if (errors || !data || !cachePolicy || !started) return;
          if (cachePolicy.scope === 'PRIVATE' && subject === null) return; // private data is never kept for anonymous callers
          const session: Session =
            cachePolicy.scope === 'PRIVATE' ? { mode: 'private', subject: subject! } : subject === null ? { mode: 'no-session' } : { mode: 'authenticated-public' };
          const answer: CachedAnswer = {
            data,
            cachePolicy,
            cacheTime: Date.now(),
            tags: versionsOf(fetchedSubgraphs(requestContext.contextValue), started),
          };
          cache.set(keyOf(requestContext, session), JSON.stringify(answer), { ttl: cachePolicy.maxAge }).catch((error: unknown) => {
            requestContext.logger.warn(`response cache: ${(error as Error).message}`);
          });
        },
      };
    },
  };
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
