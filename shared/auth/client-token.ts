import { SignJWT } from 'jose';
import type { SecurityConfig } from '../config';

export interface ClientTokenRequest {
  subject: string;
  name?: string;
  scopes: readonly string[];
  /** How long the token is valid: a whole number and a unit, e.g. "1h", "30m", "7d". */
  expiresIn: string;
}

const SPAN = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "1h" → 3600; undefined when it is not a whole number and one of s, m, h, d. */
function spanSeconds(span: string): number | undefined {
  const match = SPAN.exec(span.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]] : undefined;
}

/**
 * A client token signed with the HS256 shared secret: what `npm run token` prints, and tests use.
 * Never valid for longer than the gateway accepts (`AUTH_MAX_TOKEN_LIFETIME_SECONDS`).
 */
export async function signClientToken(clients: SecurityConfig['clients'], request: ClientTokenRequest): Promise<string> {
  if (!clients.secret) throw new Error('no AUTH_JWT_SECRET: tokens come from your identity provider (AUTH_JWKS_URL)');
  const seconds = spanSeconds(request.expiresIn);
  if (seconds === undefined || seconds < 1) throw new Error(`the expiry must look like 30m, 1h or 7d, got "${request.expiresIn}"`);
  if (seconds > clients.maxLifetimeSeconds) {
    throw new Error(
      `a token may be valid for at most ${clients.maxLifetimeSeconds} s (AUTH_MAX_TOKEN_LIFETIME_SECONDS), not ${request.expiresIn} (${seconds} s)`,
    );
  }
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: request.scopes.join(' '), ...(request.name ? { name: request.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(clients.issuer)
    .setAudience(clients.audience)
    .setSubject(request.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + seconds)
    .sign(new TextEncoder().encode(clients.secret));
}
