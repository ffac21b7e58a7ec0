import { randomBytes } from 'node:crypto';
import { generateSecrets } from '../../shared/auth/local-secrets';
import { COLLABORATION_WRITE, NETWORK_READ, poiScope } from '../../shared/auth/identity';
import { signClientToken } from '../../shared/auth/client-token';
import type { SecurityConfig } from '../../shared/config';
import { POIS } from '../../shared/registry';

/** Fresh secrets for one test stack, as environment variables, so tests never use the clone's local ones. */
export function testSecurityEnv(): Record<string, string> {
  const secrets = generateSecrets();
  return {
    AUTH_JWT_SECRET: secrets.clientSecret,
    GATEWAY_SIGNING_KEY: secrets.gatewayPrivateKey,
    GATEWAY_PUBLIC_KEY: secrets.gatewayPublicKey,
    CURSOR_SECRET: randomBytes(32).toString('base64url'),
    RATE_LIMIT_REQUESTS: '1000000',
  };
}

/** Every scope there is: what the tests written before security existed run as. */
export const ALL_SCOPES: readonly string[] = [
  NETWORK_READ,
  COLLABORATION_WRITE,
  ...POIS.flatMap((poi) => [poiScope(poi, 'read'), poiScope(poi, 'contracts'), poiScope(poi, 'write')]),
];

export function tokenFor(clients: SecurityConfig['clients'], scopes: readonly string[], subject = 'test-user', expiresIn = '10m'): Promise<string> {
  return signClientToken(clients, { subject, name: subject, scopes, expiresIn });
}
