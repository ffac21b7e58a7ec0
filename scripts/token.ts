// `npm run -s token -- --scopes "network:read poi:bisc:read" [--expires 1h]` or
// `npm run -s token -- --role poi-staff --poi bisc`: prints a client token for this gateway
// (HS256, signed with AUTH_JWT_SECRET or, locally, the clone's generated secret), and nothing else.
import { parseArgs } from 'node:util';
import { signClientToken } from '../shared/auth/client-token';
import { Role, roleScopes, ROLES, scopesFromClaims } from '../shared/auth/identity';
import { loadDotEnv, loadConfig } from '../shared/config';
import { runMain } from '../shared/lifecycle';
import { poiByCode } from '../shared/registry';

// A .env in the project root (npm run -s secrets > .env) fills what the environment leaves unset.
loadDotEnv();

const USAGE = `Usage: npm run -s token -- (--scopes "<scope> …" | --role <${ROLES.join('|')}> [--poi <code>]) [--expires 1h] [--subject <id>] [--name <name>]`;

runMain(async () => {
  const { values } = parseArgs({
    options: {
      scopes: { type: 'string' },
      role: { type: 'string' },
      poi: { type: 'string' },
      expires: { type: 'string', default: '1h' },
      subject: { type: 'string' },
      name: { type: 'string' },
    },
  });
  if (!values.scopes && !values.role) throw new Error(USAGE);
  if (values.role && !(ROLES as readonly string[]).includes(values.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`);
  const poi = values.poi ? poiByCode(values.poi) : undefined;
  const scopes = [...new Set([...(values.role ? roleScopes(values.role as Role, poi) : []), ...scopesFromClaims({ scope: values.scopes ?? '' })])];
  const subject = values.subject ?? (values.role ? `${values.role}${poi ? `-${poi.subgraphName}` : ''}` : 'local-user');
  const config = loadConfig();
  if (!config.security.clients.secret) {
    throw new Error(
      "No AUTH_JWT_SECRET: set the deployment's (in the environment or .env) to mint its tokens; with NODE_ENV=production none is made up, and with AUTH_JWKS_URL tokens come from your identity provider",
    );
  }
  // signClientToken refuses an --expires that is no time span or longer than AUTH_MAX_TOKEN_LIFETIME_SECONDS (24 h by default).
  console.log(await signClientToken(config.security.clients, { subject, name: values.name ?? subject, scopes, expiresIn: values.expires! }));
});
