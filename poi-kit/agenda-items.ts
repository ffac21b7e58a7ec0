// A ticket may point at an item of the shared work agenda (agendaItemId), and a ticket or an
// acceptance test at a Wise release of the release planning (releaseVersion). The items belong to the
// collaboration subgraph, so a POI asks it whether they exist before it writes such a reference:
// with `_entities`, on behalf of the caller, using a token the gateway signed for the
// collaboration subgraph (same identity, audience `collaboration`) and forwarded in
// COLLABORATION_TOKEN_HEADER next to the POI's own. The import CLI signs both itself. When the
// collaboration cannot be asked (no token, down, slow, an error) the write is refused, never
// accepted unchecked.
import { GraphQLError } from 'graphql';

import { COLLABORATION_TOKEN_HEADER } from '../shared/auth/internal-token';
export { COLLABORATION_TOKEN_HEADER };

/** How long a POI waits for the collaboration's answer before refusing the write. */
export const AGENDA_CHECK_TIMEOUT_MS = 3000;

const QUERY = 'query PoiAgendaItemCheck($representations: [_Any!]!) { _entities(representations: $representations) { ... on WorkAgendaItem { id } } }';

/** Which of these work-agenda ids exist, asked of the collaboration subgraph with the caller's token for it. */
export type AgendaItemLookup = (ids: readonly string[], token: string | undefined) => Promise<Set<string>>;

/**
 * Asks the collaboration subgraph for entities by their representations, with the caller's token
 * for it; `field` names the input being checked in the refusal when it cannot be asked.
 */
async function collaborationEntities(
  url: string,
  timeoutMs: number,
  field: string,
  query: string,
  representations: object[],
  token: string | undefined,
): Promise<unknown[]> {
  if (!token) throw collaborationCheckUnavailable(field, 'the request carries no token for the collaboration subgraph');
  let entities: unknown;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables: { representations } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { data?: { _entities?: unknown }; errors?: unknown[] };
    if (!response.ok || body.errors?.length) throw new Error(`it answered ${response.status}`);
    entities = body.data?._entities;
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `it did not answer within ${timeoutMs} ms` : (error as Error).message;
    throw collaborationCheckUnavailable(field, `the collaboration subgraph could not be asked (${reason})`);
  }
  if (!Array.isArray(entities)) throw collaborationCheckUnavailable(field, 'the collaboration subgraph gave no answer');
  return entities;
}

/** The lookup against the collaboration subgraph at `url` (its /graphql). */
export function agendaItemLookup(url: string, timeoutMs = AGENDA_CHECK_TIMEOUT_MS): AgendaItemLookup {
  return async (ids, token) => {
    if (ids.length === 0) return new Set();
    const entities = await collaborationEntities(
      url,
      timeoutMs,
      'agendaItemId',
      QUERY,
      ids.map((id) => ({ __typename: 'WorkAgendaItem', id })),
      token,
    );
    return new Set(entities.flatMap((item) => (item && typeof (item as { id?: unknown }).id === 'string' ? [(item as { id: string }).id] : [])));
  };
}

/** A Wise release of the collaboration's release planning, as a POI checks a write against it. */
export interface PlannedRelease {
  version: string;
  releasedOn: string;
  status: string;
}

/** The release planning's release of this version, or null when the planning does not hold it. */
export type WiseReleaseLookup = (version: string, token: string | undefined, field: string) => Promise<PlannedRelease | null>;

const RELEASE_QUERY =
  'query PoiWiseReleaseCheck($representations: [_Any!]!) { _entities(representations: $representations) { ... on WiseRelease { version releasedOn status } } }';

/** The release lookup against the collaboration subgraph at `url`, like agendaItemLookup. */
export function wiseReleaseLookup(url: string, timeoutMs = AGENDA_CHECK_TIMEOUT_MS): WiseReleaseLookup {
  return async (version, token, field) => {
    const [release] = await collaborationEntities(url, timeoutMs, field, RELEASE_QUERY, [{ __typename: 'WiseRelease', version }], token);
    return release && typeof (release as PlannedRelease).version === 'string' ? (release as PlannedRelease) : null;
  };
}

function collaborationCheckUnavailable(field: string, reason: string): GraphQLError {
  return new GraphQLError(`${field} cannot be checked now: ${reason}; nothing was written, try again later`, {
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  });
}

/** The message for an id the work agenda does not have (mutations and imports alike). */
export const unknownAgendaItem = (id: string) => `${id} is not an item of the work agenda`;

/** The message for a version the release planning does not have. */
export const unknownWiseRelease = (version: string) => `${version} is not a release of the release planning`;
