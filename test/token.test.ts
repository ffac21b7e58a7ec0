import { spawn } from 'node:child_process';
import path from 'node:path';
import { decodeJwt, jwtVerify } from 'jose';
import { readOrCreateLocalSecrets } from '../shared/auth/local-secrets';
import { PROJECT_ROOT } from '../shared/config';
import { testSecurityEnv } from './helpers/auth';

/**
 * `npm run -s token` (scripts/token.ts), run as a user runs it, its token checked with jose
 * against the key it must be signed with. Expected scopes, issuer, audience and lifetimes are
 * README's (Security: Tokens; Configuration: AUTH_ISSUER, AUTH_AUDIENCE), written out here.
 */

/** Runs the script with `args`; stdout, stderr and the exit code. */
function token(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The environment without anything of the caller's that configures tokens. */
const baseEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AUTH_|NODE_ENV$|GATEWAY_|CURSOR_SECRET$|LOCAL_SECRETS_FILE$)/.test(key)),
  ) as NodeJS.ProcessEnv;

const ISSUER = 'poi-federation';
const AUDIENCE = 'poi-federation-api';

describe('npm run token', () => {
  const secrets = testSecurityEnv();
  const env = { ...baseEnv(), ...secrets };
  const key = new TextEncoder().encode(secrets.AUTH_JWT_SECRET);

  /** The claims of a token printed by the script, verified with the deployment's secret. */
  async function claimsOf(args: string[]) {
    const run = await token(args, env);
    expect([run.code, run.stderr]).toEqual([0, '']);
    // Prints the token and nothing else.
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload, protectedHeader } = await jwtVerify(run.stdout.trim(), key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    return { ...(payload as typeof payload & { name?: string }), scopes: String(payload.scope).split(' ').sort() };
  }

  it.each([
    ['dashboard', [], ['network:read']],
    ['analyst', [], ['network:read']],
    ['poi-staff', ['--poi', 'bisc'], ['network:read', 'poi:bisc:contracts', 'poi:bisc:read', 'poi:bisc:write']],
    ['coordinator', [], ['collaboration:write', 'network:read']],
  ])('--role %s: the scopes README documents, valid 1 h, signed with AUTH_JWT_SECRET', async (role, extra, scopes) => {
    const claims = await claimsOf(['--role', role, ...extra]);
    expect(claims.scopes).toEqual(scopes);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(typeof claims.sub).toBe('string');
    expect(claims.name).toBe(claims.sub);
  });

  it('--scopes, --expires, --subject and --name become the claims', async () => {
    const claims = await claimsOf(['--scopes', 'network:read poi:cubiss:read', '--expires', '30m', '--subject', 'u-42', '--name', 'Anouk']);
    expect(claims).toMatchObject({ sub: 'u-42', name: 'Anouk', scopes: ['network:read', 'poi:cubiss:read'] });
    expect(claims.exp! - claims.iat!).toBe(1800);
  });

  it('refuses a lifetime over 24 h, an unknown role and no scopes at all, printing no token', async () => {
    for (const args of [['--role', 'analyst', '--expires', '25h'], ['--role', 'admin'], []]) {
      const run = await token(args, env);
      expect([args, run.code === 0, run.stdout]).toEqual([args, false, '']);
      expect(run.stderr.length).toBeGreaterThan(0);
    }
  });

  it("without AUTH_JWT_SECRET locally, signs with the clone's own secret in .secrets/local.json", async () => {
    const run = await token(['--role', 'analyst'], baseEnv());
    expect(run.code).toBe(0);
    const local = readOrCreateLocalSecrets(path.join(PROJECT_ROOT, '.secrets', 'local.json'));
    const { payload } = await jwtVerify(run.stdout.trim(), new TextEncoder().encode(local.clientSecret), { issuer: ISSUER, audience: AUDIENCE });
    expect(payload.scope).toBe('network:read');
    // Not with another secret.
    await expect(jwtVerify(run.stdout.trim(), new TextEncoder().encode(secrets.AUTH_JWT_SECRET))).rejects.toThrow();
    expect(decodeJwt(run.stdout.trim()).sub).toBe(payload.sub);
  });
});
