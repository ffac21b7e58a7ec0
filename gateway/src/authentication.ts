import type { HttpHandler, HttpRequest, HttpResponse } from '../../shared/http';
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

/** A token valid for longer than the gateway accepts (`exp` − `iat` over the maximum). */
class TooLongLived extends Error {}

/** Why a token was refused, in words a client can act on (never the token itself). */
function reason(error: unknown): string {
  if (error instanceof TooLongLived) return error.message;
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this gateway does not accept';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is signed with an unknown key';
  return 'the token is not a valid JWT';
}

/**
 * Verifies client JWTs: HS256 with the shared secret, RS256/ES256 with the keys at the JWKS URL;
 * issuer, audience, subject, issue time and expiry are required. Any other algorithm (`none`
 * included) is refused, and so is a token issued (or valid from) more than the clock skew ahead
 * of this clock, or valid for longer than the maximum lifetime (`exp` − `iat`).
 */
function createTokenVerifier(clients: ClientAuth): (token: string) => Promise<Verified> {
  const secret = clients.secret ? new TextEncoder().encode(clients.secret) : undefined;
  const jwks = clients.jwksUrl ? createRemoteJWKSet(new URL(clients.jwksUrl)) : undefined;
  // jose's maxTokenAge requires `iat` and refuses one in the future (beyond the tolerance).
  const claims = {
    issuer: clients.issuer,
    audience: clients.audience,
    requiredClaims: ['exp', 'iat', 'sub'],
    maxTokenAge: clients.maxLifetimeSeconds,
    clockTolerance: clients.clockSkewSeconds,
  };
  const checked = (payload: JWTPayload): Verified => {
    if (payload.exp! - payload.iat! > clients.maxLifetimeSeconds) {
      throw new TooLongLived(
        `the token is valid for ${payload.exp! - payload.iat!} s (exp − iat): this gateway accepts tokens valid for at most ${clients.maxLifetimeSeconds} s`,
      );
    }
    return verifiedFrom(payload);
  };
  return async (token) => {
    const alg = decodeProtectedHeader(token).alg;
    if (alg === 'HS256' && secret) return checked((await jwtVerify(token, secret, { ...claims, algorithms: ['HS256'] })).payload);
    if ((alg === 'RS256' || alg === 'ES256') && jwks) return checked((await jwtVerify(token, jwks, { ...claims, algorithms: ['RS256', 'ES256'] })).payload);
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
 * Authentication at the gateway, before the request's body is read: a valid
 * `Authorization: Bearer <jwt>` becomes `res.locals.identity`; no token is the anonymous identity
 * where allowed, else 401; a bad token is always 401 (never silently anonymous). Every refusal
 * spends one of the caller's address's requests (`chargeFailure`): 429 once that budget is spent.
 */
export function authenticateClients(clients: ClientAuth, chargeFailure: (req: HttpRequest, res: HttpResponse) => Promise<boolean>): HttpHandler {
  const verify = rememberVerified(createTokenVerifier(clients));
  const anonymous = anonymousIdentity(clients);
  return (req, res, next) => {
    const refuse = (message: string) => void chargeFailure(req, res).then((withinBudget) => withinBudget && unauthorized(res, message));
    const header = req.headers.authorization;
    if (!header) {
      if (!clients.allowAnonymous) return refuse('Authentication required: send Authorization: Bearer <token>');
      res.locals.identity = anonymous;
      return next();
    }
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) return refuse('The Authorization header must be "Bearer <token>"');
    verify(token).then(
      (identity) => {
        res.locals.identity = identity;
        next();
      },
      (error) => refuse(`Not authenticated: ${reason(error)}`),
    );
  };
}
