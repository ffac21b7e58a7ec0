import type { Poi } from '../registry';

/**
 * Who is asking, as the gateway verified it and as every subgraph receives it. Scopes follow
 * OAuth (`scope` claim, space-separated); see README "Security" for what each one allows.
 */
export interface Identity {
  /** The token's `sub`, or `anonymous`. */
  subject: string;
  /** A readable name for audit trails: the token's `name` claim, else its subject. */
  name: string;
  scopes: readonly string[];
  /** True for a request without a token (allowed locally, refused in production by default). */
  anonymous: boolean;
}

/** Shared, non-confidential data: the registry, work agenda, aggregates, public POI data. */
export const NETWORK_READ = 'network:read';
/** Writes to the collaboration's own data (the work agenda). */
export const COLLABORATION_WRITE = 'collaboration:write';

export type PoiPermission = 'read' | 'contracts' | 'write';

/** `poi:cubiss:read`, `poi:cubiss:contracts` (confidential contract terms), `poi:cubiss:write`. */
export function poiScope(poi: Pick<Poi, 'subgraphName'>, permission: PoiPermission): string {
  return `poi:${poi.subgraphName}:${permission}`;
}

export const ROLES = ['dashboard', 'analyst', 'poi-staff', 'coordinator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The scopes of each role preset (`npm run token -- --role …`). Dashboards and analysts see the
 * shared view only; a POI's staff also see and change everything of their own POI, confidential
 * contract terms included; the coordinator maintains the work agenda.
 */
export function roleScopes(role: Role, poi?: Pick<Poi, 'subgraphName'>): string[] {
  switch (role) {
    case 'dashboard':
    case 'analyst':
      return [NETWORK_READ];
    case 'coordinator':
      return [NETWORK_READ, COLLABORATION_WRITE];
    case 'poi-staff':
      if (!poi) throw new Error('the poi-staff role needs --poi <code>');
      return [NETWORK_READ, poiScope(poi, 'read'), poiScope(poi, 'contracts'), poiScope(poi, 'write')];
  }
}

const SCOPE_PATTERN = /^[a-z][a-z0-9:_-]{0,99}$/;

/** Scopes from a `scope` claim (space-separated string) or an `scp` claim (array); malformed ones are dropped. */
export function scopesFromClaims(claims: Record<string, unknown>): string[] {
  const raw = typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : Array.isArray(claims.scp) ? claims.scp : [];
  return [...new Set(raw.filter((s): s is string => typeof s === 'string' && SCOPE_PATTERN.test(s)))];
}

/** Whether the identity holds every scope of at least one of the alternatives (Federation's `@requiresScopes` rule). */
export function satisfiesScopes(identity: Identity, alternatives: readonly (readonly string[])[]): boolean {
  return alternatives.some((all) => all.every((scope) => identity.scopes.includes(scope)));
}
