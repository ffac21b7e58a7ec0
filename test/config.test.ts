import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testSecurityEnv } from './helpers/auth';
import { ConfigError, loadConfig, subgraphRuntime } from '../shared/config';

describe('configuration', () => {
  it('has the documented default ports and the embedded database', () => {
    const config = loadConfig({});
    expect(config.gateway.port).toBe(4000);
    expect(Object.fromEntries(config.subgraphs.map((s) => [s.name, s.port]))).toEqual({
      collaboration: 4001,
      bisc: 4002,
      cubiss: 4003,
      probiblio: 4004,
      rijnbrink: 4005,
    });
    expect(config.subgraphs.every((s) => s.databaseUrl === undefined)).toBe(true);
    expect(config.subgraphs.find((s) => s.name === 'cubiss')!.url).toBe('http://127.0.0.1:4003/graphql');
    expect(config.seed.scale).toBe(1);
    expect(Object.isFrozen(config.subgraphs[0])).toBe(true);
  });

  it('takes ports, database URLs and subgraph URLs from the environment', () => {
    const config = loadConfig({
      GATEWAY_PORT: '5000',
      CUBISS_PORT: '5003',
      CUBISS_DATABASE_URL: 'mysql://cubiss:secret@db:3306/poi_cubiss',
      BISC_URL: 'http://bisc:4002/graphql',
      SEED_SCALE: '10',
    });
    const cubiss = config.subgraphs.find((s) => s.name === 'cubiss')!;
    expect(config.gateway.port).toBe(5000);
    expect(cubiss).toMatchObject({ port: 5003, url: 'http://127.0.0.1:5003/graphql', databaseUrl: 'mysql://cubiss:secret@db:3306/poi_cubiss' });
    expect(config.subgraphs.find((s) => s.name === 'bisc')!.url).toBe('http://bisc:4002/graphql');
    expect(config.seed.scale).toBe(10);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ GATEWAY_PORT: 'abc', BISC_PORT: '4003', SEED_SCALE: '0', RIJNBRINK_DATABASE_URL: 'postgres://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      expect.stringContaining('GATEWAY_PORT'),
      expect.stringContaining('RIJNBRINK_DATABASE_URL'),
      expect.stringContaining('ports must differ'),
      expect.stringContaining('LOG_LEVEL'),
      expect.stringContaining('SEED_SCALE'),
    ]);
  });

  it('import caps: 200,000 rows and 100 MiB by default, from IMPORT_MAX_ROWS and IMPORT_MAX_BYTES, bad values refused', () => {
    expect(loadConfig({}).imports).toEqual({ maxRows: 200_000, maxBytes: 100 * 2 ** 20 });
    expect(loadConfig({ IMPORT_MAX_ROWS: '5000', IMPORT_MAX_BYTES: '2048' }).imports).toEqual({ maxRows: 5000, maxBytes: 2048 });
    expect(() => loadConfig({ IMPORT_MAX_ROWS: '0', IMPORT_MAX_BYTES: 'lots' })).toThrow(
      expect.objectContaining({
        problems: [expect.stringContaining('IMPORT_MAX_ROWS must be a whole number'), expect.stringContaining('IMPORT_MAX_BYTES must be a whole number')],
      }),
    );
  });

  describe('security', () => {
    const secrets = testSecurityEnv();

    it("locally: anonymous network:read, introspection and IDE on, secrets from the clone's generated file", () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-')), 'local.json');
      const first = loadConfig({ LOCAL_SECRETS_FILE: file }).security;
      expect(first.clients).toMatchObject({
        allowAnonymous: true,
        anonymousScopes: ['network:read'],
        issuer: 'poi-federation',
        audience: 'poi-federation-api',
      });
      expect(first).toMatchObject({ introspection: true, ide: true });
      expect(first.clients.secret!.length).toBeGreaterThanOrEqual(32);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      // Every service of the clone reads the same secrets.
      expect(loadConfig({ LOCAL_SECRETS_FILE: file }).security).toEqual(first);
    });

    it('in production: no anonymous access, no introspection, no local secrets; the public key follows from the signing key', () => {
      const gateway = loadConfig({
        NODE_ENV: 'production',
        GATEWAY_SIGNING_KEY: secrets.GATEWAY_SIGNING_KEY,
        AUTH_JWT_SECRET: secrets.AUTH_JWT_SECRET,
      }).security;
      expect(gateway.clients.allowAnonymous).toBe(false);
      expect([gateway.introspection, gateway.ide]).toEqual([false, false]);
      expect(gateway.gatewayPublicKey!.trim()).toBe(secrets.GATEWAY_PUBLIC_KEY.trim());
      const subgraph = loadConfig({ NODE_ENV: 'production', GATEWAY_PUBLIC_KEY: secrets.GATEWAY_PUBLIC_KEY.replace(/\n/g, '\\n') }).security;
      expect(subgraph.gatewayPublicKey!.trim()).toBe(secrets.GATEWAY_PUBLIC_KEY.trim());
      expect(subgraph.gatewaySigningKey).toBeUndefined();
      // No cursor secret is made up in production (a subgraph refuses to start without one); a short one is refused.
      expect(subgraph.cursorSecret).toBeUndefined();
      expect(
        loadConfig({ NODE_ENV: 'production', GATEWAY_PUBLIC_KEY: secrets.GATEWAY_PUBLIC_KEY, CURSOR_SECRET: secrets.CURSOR_SECRET }).security.cursorSecret,
      ).toBe(secrets.CURSOR_SECRET);
      expect(() => loadConfig({ NODE_ENV: 'production', GATEWAY_PUBLIC_KEY: secrets.GATEWAY_PUBLIC_KEY, CURSOR_SECRET: 'short' })).toThrow(
        /CURSOR_SECRET must be at least 32 characters/,
      );
      // Tools (token, migrate) load the configuration too: only a subgraph demands the public key.
      expect(() => loadConfig({ NODE_ENV: 'production' })).not.toThrow();
      expect(() =>
        subgraphRuntime(
          loadConfig({ NODE_ENV: 'production', CURSOR_SECRET: secrets.CURSOR_SECRET, CUBISS_DATABASE_URL: 'mysql://c:p@db:3306/poi_cubiss' }),
          'cubiss',
        ),
      ).toThrow(/GATEWAY_PUBLIC_KEY must be set/);
      expect(
        loadConfig({ NODE_ENV: 'production', GATEWAY_PUBLIC_KEY: secrets.GATEWAY_PUBLIC_KEY, AUTH_ALLOW_ANONYMOUS: 'true', GRAPHQL_INTROSPECTION: 'true' })
          .security,
      ).toMatchObject({
        clients: { allowAnonymous: true },
        introspection: true,
        ide: true,
      });
    });

    it('takes limits and the rate limit from the environment and refuses bad values', () => {
      const config = loadConfig({
        ...secrets,
        LIMIT_COST: '1234',
        LIMIT_BATCH: '3',
        RATE_LIMIT_REQUESTS: '50',
        RATE_LIMIT_WINDOW_SECONDS: '10',
        REDIS_URL: 'redis://127.0.0.1:6379',
      });
      expect(config.security.limits).toMatchObject({ cost: 1234, batch: 3, depth: 40 });
      expect(config.security.rateLimit).toEqual({ requests: 50, windowSeconds: 10, redisUrl: 'redis://127.0.0.1:6379' });
      let error: unknown;
      try {
        loadConfig({
          ...secrets,
          AUTH_JWT_SECRET: 'short',
          LIMIT_DEPTH: '99',
          REDIS_URL: 'localhost:6379',
          GATEWAY_SIGNING_KEY: 'nope',
          AUTH_JWKS_URL: 'ftp://x',
        });
      } catch (e) {
        error = e;
      }
      expect((error as ConfigError).problems).toEqual([
        'AUTH_JWT_SECRET must be at least 32 characters',
        'AUTH_JWKS_URL must be an http(s) URL, got "ftp://x"',
        expect.stringContaining('GATEWAY_SIGNING_KEY must be an EC P-256 private key'),
        expect.stringContaining('REDIS_URL must look like'),
        expect.stringContaining('LIMIT_DEPTH must be a whole number from 2 to 40'),
      ]);
    });

    it("takes the live channel's bounds from the environment (documented defaults) and refuses bad values", () => {
      expect(loadConfig({ ...secrets }).gateway.live).toEqual({ maxConnections: 1000, maxConnectionsPerIdentity: 10, slowClientSeconds: 30, coalesceMs: 250 });
      expect(
        loadConfig({ ...secrets, LIVE_MAX_CONNECTIONS: '0', LIVE_MAX_CONNECTIONS_PER_IDENTITY: '2', LIVE_SLOW_CLIENT_SECONDS: '5', LIVE_COALESCE_MS: '0' })
          .gateway.live,
      ).toEqual({ maxConnections: 0, maxConnectionsPerIdentity: 2, slowClientSeconds: 5, coalesceMs: 0 });
      let error: unknown;
      try {
        loadConfig({
          ...secrets,
          LIVE_MAX_CONNECTIONS: '-1',
          LIVE_MAX_CONNECTIONS_PER_IDENTITY: '0',
          LIVE_SLOW_CLIENT_SECONDS: 'soon',
          LIVE_COALESCE_MS: '60000',
        });
      } catch (e) {
        error = e;
      }
      expect((error as ConfigError).problems).toEqual([
        'LIVE_MAX_CONNECTIONS must be a whole number from 0 to 100000, got "-1"',
        'LIVE_MAX_CONNECTIONS_PER_IDENTITY must be a whole number from 1 to 1000, got "0"',
        'LIVE_SLOW_CLIENT_SECONDS must be a whole number from 1 to 3600, got "soon"',
        'LIVE_COALESCE_MS must be a whole number from 0 to 10000, got "60000"',
      ]);
    });
  });

  describe('production defaults', () => {
    const secrets = testSecurityEnv();
    const production = { NODE_ENV: 'production', GATEWAY_PUBLIC_KEY: secrets.GATEWAY_PUBLIC_KEY, CURSOR_SECRET: secrets.CURSOR_SECRET };
    const problemsOf = (run: () => unknown): string[] => {
      try {
        run();
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };

    it('refuses to start a production subgraph without its database URL, naming the variable and a near miss', () => {
      const problems = problemsOf(() => subgraphRuntime(loadConfig({ ...production, CUBIS_DATABASE_URL: 'mysql://c:p@db:3306/poi_cubiss' }), 'cubiss'));
      expect(problems).toEqual([expect.stringMatching(/^CUBISS_DATABASE_URL must be set with NODE_ENV=production.*CUBIS_DATABASE_URL/)]);
      // Other services of the same environment (the gateway, another subgraph with its URL) are not held back.
      expect(subgraphRuntime(loadConfig({ ...production, BISC_DATABASE_URL: 'mysql://b:p@db:3306/poi_bisc' }), 'bisc').databaseUrl).toBe(
        'mysql://b:p@db:3306/poi_bisc',
      );
      // Locally the embedded database is the default.
      expect(subgraphRuntime(loadConfig({ ...secrets }), 'cubiss').databaseUrl).toBeUndefined();
    });

    it('seeds demo data by default in development and tests only; SEED_DEMO_DATA decides', () => {
      expect(loadConfig({}).seed.demo).toBe(true);
      expect(loadConfig({ NODE_ENV: 'test' }).seed.demo).toBe(true);
      expect(loadConfig({ NODE_ENV: 'production' }).seed.demo).toBe(false);
      expect(loadConfig({ NODE_ENV: 'staging' }).seed.demo).toBe(false);
      expect(loadConfig({ NODE_ENV: 'production', SEED_DEMO_DATA: 'true' }).seed.demo).toBe(true);
      expect(loadConfig({ SEED_DEMO_DATA: 'false' }).seed.demo).toBe(false);
      expect(problemsOf(() => loadConfig({ SEED_DEMO_DATA: 'yes' }))).toEqual(['SEED_DEMO_DATA must be true or false, got "yes"']);
    });
  });
});
