// Everything `npm run bench` knows about authentication, in one place. The bench makes its own
// secrets once per run and hands them to every service it starts (authEnvironment); a process it
// started (the Hive peer) finds them in its environment instead.
import { signClientToken } from '../shared/auth/client-token';
import { Identity, NETWORK_READ, poiScope } from '../shared/auth/identity';
import { createIdentitySigner, IdentitySigner } from '../shared/auth/internal-token';
import { generateSecrets, type LocalSecrets } from '../shared/auth/local-secrets';
import { loadConfig } from '../shared/config';
import { POIS } from '../shared/registry';

/** What the benchmark's client may read: the shared view and every POI's own data, as a dashboard operator would. */
const BENCH_IDENTITY: Identity = {
  subject: 'bench',
  name: 'bench',
  scopes: [NETWORK_READ, ...POIS.map((poi) => poiScope(poi, 'read'))],
  anonymous: false,
};

let secrets: LocalSecrets | undefined;
function benchSecrets(): LocalSecrets {
  if (secrets) return secrets;
  if (process.env.GATEWAY_SIGNING_KEY) {
    const { security } = loadConfig();
    secrets = { clientSecret: security.clients.secret!, gatewayPrivateKey: security.gatewaySigningKey!, gatewayPublicKey: security.gatewayPublicKey! };
  } else {
    secrets = generateSecrets();
  }
  return secrets;
}

/** Extra environment for every service of the bench stack: the run's client secret and gateway key pair. */
export function authEnvironment(): Record<string, string> {
  const { clientSecret, gatewayPrivateKey, gatewayPublicKey } = benchSecrets();
  return { AUTH_JWT_SECRET: clientSecret, GATEWAY_SIGNING_KEY: gatewayPrivateKey, GATEWAY_PUBLIC_KEY: gatewayPublicKey };
}

let signer: Promise<IdentitySigner> | undefined;
/**
 * Headers for one request to a subgraph: the bench's direct "limit" fetches and every fetch the
 * Hive peer makes carry the same identity this gateway would forward, signed for that subgraph
 * with the gateway's key (as this gateway does, reused for half its lifetime).
 */
export async function subgraphHeaders(subgraph: string): Promise<Record<string, string>> {
  signer ??= createIdentitySigner(benchSecrets().gatewayPrivateKey);
  return { authorization: `Bearer ${await (await signer)(BENCH_IDENTITY, subgraph)}` };
}

let clientToken: Promise<string> | undefined;
/** Headers a client sends to a gateway: a client token for the bench identity, valid for the whole run. */
export async function clientHeaders(): Promise<Record<string, string>> {
  clientToken ??= signClientToken(
    { ...loadConfig(authEnvironment()).security.clients },
    { subject: BENCH_IDENTITY.subject, name: BENCH_IDENTITY.name, scopes: BENCH_IDENTITY.scopes, expiresIn: '1h' },
  );
  return { authorization: `Bearer ${await clientToken}` };
}
