import { SignJWT } from 'jose';
import type { SecurityConfig } from '../config';

export interface ClientTokenRequest {
  subject: string;
  name?: string;
  scopes: readonly string[];
  /** jose's time span, e.g. "1h", "30m", "7d". */
  expiresIn: string;
}

/** A client token signed with the HS256 shared secret: what `npm run token` prints, and tests use. */
export async function signClientToken(clients: SecurityConfig['clients'], request: ClientTokenRequest): Promise<string> {
  if (!clients.secret) throw new Error('no AUTH_JWT_SECRET: tokens come from your identity provider (AUTH_JWKS_URL)');
  return new SignJWT({ scope: request.scopes.join(' '), ...(request.name ? { name: request.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(clients.issuer)
    .setAudience(clients.audience)
    .setSubject(request.subject)
    .setIssuedAt()
    .setExpirationTime(request.expiresIn)
    .sign(new TextEncoder().encode(clients.secret));
}
