import { createIdentitySigner, type IdentitySigner } from '../../shared/auth/internal-token';
import { NETWORK_READ, poiScope, type Identity, type PoiPermission } from '../../shared/auth/identity';
import type { Poi } from '../../shared/registry';

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface Answer<T = any> {
  status: number;
  data?: T;
  errors?: GraphQLError[];
}

/** Who the checker asks as: everything of the POI, or that less one of its scopes, or nobody (no token at all). */
export type Caller = { without?: PoiPermission } | 'unsigned' | { bearer: string };

/** The name the checker's identity carries, and so the actor of its writes in the audit trail. */
export const CHECKER_NAME = 'poi-conformance';
/** A request the subgraph does not answer within this long fails the check. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The checker's identity: the shared view and every scope of the POI, less `without`. */
export function checkerIdentity(poi: Poi, without?: PoiPermission): Identity {
  const permissions = (['read', 'contracts', 'write'] as const).filter((p) => p !== without);
  return { subject: CHECKER_NAME, name: CHECKER_NAME, scopes: [NETWORK_READ, ...permissions.map((p) => poiScope(poi, p))], anonymous: false };
}

/**
 * Talks to one POI subgraph as the gateway does: POST /graphql with the caller's identity in a
 * token signed with the gateway's key for that subgraph (`Authorization: Bearer …`, audience the
 * POI's subgraph name).
 */
export class SubgraphClient {
  private constructor(
    readonly poi: Poi,
    readonly url: string,
    private readonly signingKey: string,
    private readonly sign: IdentitySigner,
  ) {}

  static async create(poi: Poi, url: string, signingKey: string): Promise<SubgraphClient> {
    return new SubgraphClient(poi, url, signingKey, await createIdentitySigner(signingKey));
  }

  /** The checker's token as the gateway would have signed it at `at` (epoch ms): an hour ago, it has expired. */
  async tokenSignedAt(at: number): Promise<string> {
    return (await createIdentitySigner(this.signingKey, () => at))(checkerIdentity(this.poi), this.poi.subgraphName);
  }

  /** A token with the checker's identity (less `without`), signed with the gateway's key, for `subgraph` (default: this POI's). */
  token(without?: PoiPermission, subgraph = this.poi.subgraphName): Promise<string> {
    return this.sign(checkerIdentity(this.poi, without), subgraph);
  }

  async post<T = any>(query: string, variables: Record<string, unknown> = {}, caller: Caller = {}): Promise<Answer<T>> {
    const bearer = caller === 'unsigned' ? undefined : 'bearer' in caller ? caller.bearer : await this.token(caller.without);
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).catch((error: Error) => {
      throw new Error(`no answer from ${this.url}: ${(error.cause as Error | undefined)?.message ?? error.message}`);
    });
    const text = await response.text();
    try {
      return { status: response.status, ...(JSON.parse(text) as object) };
    } catch {
      return { status: response.status, errors: [{ message: `not a GraphQL answer: ${text.slice(0, 200)}` }] };
    }
  }

  /** The answer's data; any error fails the check with the subgraph's own words. */
  async data<T = any>(query: string, variables: Record<string, unknown> = {}, caller: Caller = {}): Promise<T> {
    const answer = await this.post<T>(query, variables, caller);
    if (answer.errors?.length || !answer.data) throw new Error(`HTTP ${answer.status}: ${describeErrors(answer.errors)}`);
    return answer.data;
  }
}

export const errorCode = (error: GraphQLError) => String(error.extensions?.code ?? 'no code');

export function describeErrors(errors: GraphQLError[] | undefined): string {
  if (!errors?.length) return 'no errors';
  return (
    errors
      .slice(0, 3)
      .map((e) => `${errorCode(e)} "${e.message}"`)
      .join('; ') + (errors.length > 3 ? ` (+${errors.length - 3} more)` : '')
  );
}
