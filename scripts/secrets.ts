// `npm run -s secrets > .env`: fresh secrets for a deployment, as .env lines — the HS256 secret
// for client tokens (AUTH_JWT_SECRET) and the gateway's ES256 key pair for the identities it
// forwards (GATEWAY_SIGNING_KEY for the gateway only, GATEWAY_PUBLIC_KEY for every subgraph).
// CURSOR_SECRET is what every subgraph seals its page cursors with.
import { randomBytes } from 'node:crypto';
import { generateSecrets } from '../shared/auth/local-secrets';

const secrets = generateSecrets();
console.log(`AUTH_JWT_SECRET=${secrets.clientSecret}`);
console.log(`GATEWAY_SIGNING_KEY=${JSON.stringify(secrets.gatewayPrivateKey.trim())}`);
console.log(`GATEWAY_PUBLIC_KEY=${JSON.stringify(secrets.gatewayPublicKey.trim())}`);
console.log(`CURSOR_SECRET=${randomBytes(32).toString('base64url')}`);
