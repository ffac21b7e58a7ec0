import { GraphQLError, print, type DocumentNode } from 'graphql';
import { DEADLINE_HEADER } from '../../../shared/deadline';
import { REQUEST_ID_HEADER } from '../../../shared/request-id';
import { injectTraceContext } from '../../../shared/tracing';
import { openCircuitMessage, type Circuits } from '../../../shared/circuit-breaker';
import { requestSubgraph, type SubgraphAnswer } from '../../../shared/subgraph-fetch';
import type { Poi } from '../../../shared/registry';
import type { Owner, RunQuery } from './lists';
import { poiOwnTypes } from './schema';

/** A POI as the network lists reach it: its code and name, its root field and its subgraph's /graphql. */
export interface OwnerSubgraph extends Owner {
  subgraphName: string;
  url: string;
}

/** Every POI of the registry, by code, each at its subgraph's URL (`urls` by subgraph name, else its registry port on this host). */
export function ownersOf(pois: readonly Poi[], urls: Record<string, string>, host = '127.0.0.1'): OwnerSubgraph[] {
  return pois
    .map((poi) => ({
      code: poi.code,
      name: poi.name,
      rootField: poi.rootField,
      foreignTypes: new Set(pois.filter((other) => other.code !== poi.code).flatMap(poiOwnTypes)),
      subgraphName: poi.subgraphName,
      url: urls[poi.subgraphName] ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${poi.port}/graphql`,
    }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** What one network request sends every owner: the caller's token for that owner, and when to give up. */
export interface OwnerCall {
  /** POI subgraph name → the token the gateway signed for it (POI_TOKENS_HEADER). */
  tokens: Record<string, string>;
  /** Epoch ms after which no owner is waited for (the list is then served without it). */
  deadline: number;
  requestId?: string;
}

function failure(owner: OwnerSubgraph, code: 'SUBGRAPH_UNAVAILABLE' | 'SUBGRAPH_TIMEOUT', message: string): { errors: GraphQLError[] } {
  return { errors: [new GraphQLError(message, { extensions: { code, poi: owner.code, subgraph: owner.subgraphName } })] };
}

/**
 * Asks owners their own lists directly, as the caller: each POI gets the token the gateway signed
 * for it (none: the POI answers 401, and the list goes on without it). A POI that is down or does
 * not answer before the request's deadline fails as it does at the gateway (`SUBGRAPH_UNAVAILABLE`,
 * `SUBGRAPH_TIMEOUT`, with `extensions.poi`), never the whole list. Each POI has a circuit breaker,
 * as each subgraph has at the gateway: after `CIRCUIT_FAILURE_THRESHOLD` such failures in a row
 * (or HTTP 5xx answers) the POI is not asked for a cool-down, its part failing at once with
 * `SUBGRAPH_UNAVAILABLE`, then one probe goes through.
 */
export function ownerRunner(owners: readonly OwnerSubgraph[], call: OwnerCall, circuits: Circuits): RunQuery {
  return async (owner, document: DocumentNode, variables) => {
    const target = owners.find((o) => o.code === owner.code)!;
    const token = call.tokens[target.subgraphName];
    const remaining = call.deadline - Date.now();
    if (remaining <= 0) return failure(target, 'SUBGRAPH_TIMEOUT', `${target.name} could not be asked before the request's deadline`);
    const headers = new Headers({
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      [DEADLINE_HEADER]: String(call.deadline),
      ...(call.requestId ? { [REQUEST_ID_HEADER]: call.requestId } : {}),
    });
    // When tracing, the POI's span joins this request's trace (traceparent).
    injectTraceContext(headers);
    const breaker = circuits.of(target.subgraphName);
    if (!breaker.tryPass()) return failure(target, 'SUBGRAPH_UNAVAILABLE', openCircuitMessage(target.name));
    let response: SubgraphAnswer;
    try {
      response = await requestSubgraph(target.url, {
        method: 'POST',
        headers: Object.fromEntries(headers),
        body: JSON.stringify({ query: print(document), variables }),
        signal: AbortSignal.timeout(remaining),
      });
    } catch (error) {
      breaker.failed();
      const name = (error as Error).name;
      return name === 'TimeoutError' || name === 'AbortError'
        ? failure(target, 'SUBGRAPH_TIMEOUT', `${target.name} did not answer within ${remaining} ms`)
        : failure(target, 'SUBGRAPH_UNAVAILABLE', `${target.name} is unavailable: its subgraph could not be reached`);
    }
    // It answered: a refusal (4xx) is not an outage, a server error is.
    if (response.status >= 500) breaker.failed();
    else breaker.succeeded();
    let body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      return failure(target, 'SUBGRAPH_UNAVAILABLE', `${target.name} gave no answer (HTTP ${response.status})`);
    }
    if (response.status >= 500 && !body.data) return failure(target, 'SUBGRAPH_UNAVAILABLE', `${target.name} is unavailable (HTTP ${response.status})`);
    return {
      data: body.data,
      errors: body.errors?.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })),
    };
  };
}
