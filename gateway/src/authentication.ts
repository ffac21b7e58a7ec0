import type express from 'express';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { Identity, scopesFromClaims } from '../../shared/auth/identity';
import { unauthorized } from '../../shared/auth/subgraph-guard';
import type { SecurityConfig } from '../../shared/config';

type ClientAuth = SecurityConfig['clients'];

/** The identity of a request without a token, where that is allowed. */
function anonymousIdentity(clients: ClientAuth): Identity {
  return { subject: 'anonymous', name: 'anonymous', scopes: clients.anonymousScopes, anonymous: true };
}

interface Verified {
  identity: Identity;
  /** The token's expiry, in ms. */
  expiresAt: number;
}

function verifiedFrom(payload: JWTPayload): Verified {
  const name = typeof payload.name === 'string' && payload.name.trim() ? payload.name.trim().slice(0, 200) : payload.sub!;
  return { identity: { subject: payload.sub!, name, scopes: scopesFromClaims(payload), anonymous: false }, expiresAt: payload.exp! * 1000 };
}

/** Why a token was refused, in words a client can act on (never the token itself). */
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this gateway does not accept';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is signed with an unknown key';
  return 'the token is not a valid JWT';
}

/**
 * Verifies client JWTs: HS256 with the shared secret, RS256/ES256 with the keys at the JWKS URL;
 * issuer, audience, subject and expiry are required. Any other algorithm (`none` included) is
 * refused.
 */
function createTokenVerifier(clients: ClientAuth): (token: string) => Promise<Verified> {
  const secret = clients.secret ? new TextEncoder().encode(clients.secret) : undefined;
  const jwks = clients.jwksUrl ? createRemoteJWKSet(new URL(clients.jwksUrl)) : undefined;
  const claims = { issuer: clients.issuer, audience: clients.audience, requiredClaims: ['exp', 'sub'] };
  return async (token) => {
    const alg = decodeProtectedHeader(token).alg;
    if (alg === 'HS256' && secret) return verifiedFrom((await jwtVerify(token, secret, { ...claims, algorithms: ['HS256'] })).payload);
    if ((alg === 'RS256' || alg === 'ES256') && jwks) return verifiedFrom((await jwtVerify(token, jwks, { ...claims, algorithms: ['RS256', 'ES256'] })).payload);
    throw new errors.JOSEAlgNotAllowed(`"${alg}" is not accepted`);
  };
}

/** Most verified tokens kept, so a busy client's signature is checked once, not on every request. */
const VERIFIED_TOKENS = 10_000;

/** Remembers verified identities by token until the token expires (bounded; oldest out first). */
function rememberVerified(verify: (token: string) => Promise<Verified>, now: () => number = Date.now) {
  const verified = new Map<string, Verified>();
  return async (token: string): Promise<Identity> => {
    const known = verified.get(token);
    if (known && known.expiresAt > now()) return known.identity;
    verified.delete(token);
    const fresh = await verify(token);
    if (verified.size >= VERIFIED_TOKENS) verified.delete(verified.keys().next().value!);
    verified.set(token, fresh);
    return fresh.identity;
  };
}

/**
 * Authentication at the gateway: a valid `Authorization: Bearer <jwt>` becomes
 * `res.locals.identity`; no token is the anonymous identity where allowed, else 401; a bad
 * token is always 401 (never silently anonymous).
 */
export function authenticateClients(clients: ClientAuth): express.RequestHandler {
  const verify = rememberVerified(createTokenVerifier(clients));
  const anonymous = anonymousIdentity(clients);
  return (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) {
      if (!clients.allowAnonymous) return unauthorized(res, 'Authentication required: send Authorization: Bearer <token>');
      res.locals.identity = anonymous;
      return next();
    }
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) return unauthorized(res, 'The Authorization header must be "Bearer <token>"');
    verify(token).then(
      (identity) => {
        res.locals.identity = identity;
        next();
      },
      (error) => unauthorized(res, `Not authenticated: ${reason(error)}`),
    );
  };
}
