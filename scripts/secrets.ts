// `npm run -s secrets > .env`: fresh secrets for a deployment, as .env lines — the HS256 secret
// for client tokens (AUTH_JWT_SECRET) and the gateway's ES256 key pair for the identities it
// forwards (GATEWAY_SIGNING_KEY for the gateway only, GATEWAY_PUBLIC_KEY for every subgraph).
// CURSOR_SECRET is what every subgraph seals its page cursors with. MYSQL_ROOT_PASSWORD and one
// <NAME>_DB_PASSWORD per subgraph are for docker-compose.yml's databases (or your own MySQL users).
import { randomBytes } from 'node:crypto';
import { generateSecrets } from '../shared/auth/local-secrets';
import { SUBGRAPH_NAMES } from '../shared/config';

/** URL-safe (a password is also part of its <NAME>_DATABASE_URL). */
const password = () => randomBytes(24).toString('base64url');

/** Every secret a deployment needs, by variable name. */
export function deploymentSecrets(subgraphs: readonly string[] = SUBGRAPH_NAMES): Record<string, string> {
  const secrets = generateSecrets();
  return {
    AUTH_JWT_SECRET: secrets.clientSecret,
    GATEWAY_SIGNING_KEY: JSON.stringify(secrets.gatewayPrivateKey.trim()),
    GATEWAY_PUBLIC_KEY: JSON.stringify(secrets.gatewayPublicKey.trim()),
    CURSOR_SECRET: randomBytes(32).toString('base64url'),
    MYSQL_ROOT_PASSWORD: password(),
    ...Object.fromEntries(subgraphs.map((name) => [`${name.toUpperCase()}_DB_PASSWORD`, password()])),
  };
}

if (require.main === module) {
  for (const [key, value] of Object.entries(deploymentSecrets())) console.log(`${key}=${value}`);
}
