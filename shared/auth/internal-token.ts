import { importPKCS8, importSPKI, jwtVerify, SignJWT, type KeyLike } from 'jose';
import { Identity, scopesFromClaims } from './identity';

/**
 * Gateway-to-subgraph trust. The gateway forwards the identity it verified in a short-lived
 * token signed with its private key (ES256); every subgraph holds only the public key, checks
 * the signature, that the token was issued by the gateway for that very subgraph (`aud`), and
 * that it has not expired. Without a valid one a subgraph answers 401.
 */
export const INTERNAL_ISSUER = 'poi-gateway';
const ALGORITHM = 'ES256';
/** Lifetime of a forwarded token; the gateway re-signs well before it runs out. */
export const INTERNAL_TOKEN_SECONDS = 60;
/** Most identities × subgraphs whose signed tokens the gateway keeps for reuse. */
const CACHE_SIZE = 10_000;

export type IdentitySigner = (identity: Identity, subgraph: string) => Promise<string>;

/** The gateway's signer. Tokens are reused for half their lifetime, so a busy identity costs one signature per subgraph per 30 s. */
export async function createIdentitySigner(privateKeyPem: string, now: () => number = Date.now): Promise<IdentitySigner> {
  const key = await importPKCS8(privateKeyPem, ALGORITHM);
  const cache = new Map<string, { token: string; renewAt: number }>();
  return async (identity, subgraph) => {
    const cacheKey = `${subgraph}\n${identity.subject}\n${identity.name}\n${identity.scopes.join(' ')}\n${identity.anonymous}`;
    const cached = cache.get(cacheKey);
    if (cached && cached.renewAt > now()) return cached.token;
    const issuedAt = Math.floor(now() / 1000);
    const token = await new SignJWT({ name: identity.name, scope: identity.scopes.join(' '), anonymous: identity.anonymous })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(subgraph)
      .setSubject(identity.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + INTERNAL_TOKEN_SECONDS)
      .sign(key);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(cacheKey, { token, renewAt: now() + (INTERNAL_TOKEN_SECONDS * 1000) / 2 });
    return token;
  };
}

export type IdentityVerifier = (token: string) => Promise<Identity>;

/** A subgraph's verifier: throws on any token that is not the gateway's, for this subgraph, and current. */
export async function createIdentityVerifier(publicKeyPem: string, subgraph: string): Promise<IdentityVerifier> {
  const key: KeyLike = await importSPKI(publicKeyPem, ALGORITHM);
  return async (token) => {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: INTERNAL_ISSUER,
      audience: subgraph,
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: `${INTERNAL_TOKEN_SECONDS + 5}s`,
    });
    return {
      subject: payload.sub!,
      name: typeof payload.name === 'string' && payload.name ? payload.name : payload.sub!,
      scopes: scopesFromClaims(payload),
      anonymous: payload.anonymous === true,
    };
  };
}

/** The header with the caller's token for the collaboration subgraph, on requests to a POI subgraph that may write (poi-kit/agenda-items.ts). */
export const COLLABORATION_TOKEN_HEADER = 'x-collaboration-token';

/**
 * The header with the caller's tokens for the POI subgraphs, on requests to the network subgraph
 * only: a JSON object from subgraph name to a token the gateway signed for that subgraph (same
 * identity, audience the POI's subgraph). The network subgraph cannot sign; it passes each POI its
 * own token, so every owner checks the caller exactly as on a request from the gateway.
 */
export const POI_TOKENS_HEADER = 'x-poi-tokens';

/** The gateway's tokens of one identity for these subgraphs, as POI_TOKENS_HEADER carries them. */
export async function poiTokensHeader(sign: IdentitySigner, identity: Identity, subgraphs: readonly string[]): Promise<string> {
  const tokens = await Promise.all(subgraphs.map(async (name) => [name, await sign(identity, name)] as const));
  return JSON.stringify(Object.fromEntries(tokens));
}

/** POI_TOKENS_HEADER's tokens by subgraph name; anything but a JSON object of strings gives none. */
export function readPoiTokens(header: string | string[] | undefined): Record<string, string> {
  if (typeof header !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(header);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}
