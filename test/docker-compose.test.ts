/**
 * The Docker set-up can't be started here, so its wiring is checked by reading it: every
 * expectation comes from the registry and from shared/config.ts (which reads each container's
 * environment exactly as the services will), never from a copy of docker-compose.yml.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { testSecurityEnv } from './helpers/auth';
import { loadConfig, subgraphConfig } from '../shared/config';
import { POIS } from '../shared/registry';
import { deployedSubgraphs, renderDeployment } from '../scripts/deployment';
import { deploymentSecrets } from '../scripts/secrets';
import { STOP_GRACE_PERIOD_MS } from '../shared/server';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

const registry = JSON.parse(read('registry.json')) as { code: string; port: number }[];
/** The collaboration subgraph, then one per registered POI, named after its code: the subgraphs with a database. */
const SUBGRAPHS = ['collaboration', ...registry.map((poi) => poi.code.toLowerCase())];
/** The network subgraph (network lists): no database, it asks the POI subgraphs. */
const NETWORK = 'network';
const NETWORK_PORT = 4010;
const GATEWAY_PORT = 4000;
const mysqlOf = (subgraph: string) => `mysql-${subgraph}`;
const prefixOf = (subgraph: string) => subgraph.toUpperCase();

interface Service {
  build?: string | { context?: string; dockerfile?: string };
  image?: string;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target: number; published?: string | number })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  networks?: string[] | Record<string, unknown>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const services = compose.services ?? {};

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** Compose's variable substitution with no variable set: `${VAR:-default}` gives the default, `$$` a `$`. */
/** What the host (or its .env, from `npm run -s secrets`) sets: only the secrets compose requires. */
const HOST_SECRETS = testSecurityEnv();
/** What `npm run -s secrets` makes for this registry: the names compose must require, and the database passwords used below. */
const DEPLOYMENT_SECRETS = deploymentSecrets(SUBGRAPHS);
const HOST_ENV: Record<string, string> = {
  ...DEPLOYMENT_SECRETS,
  AUTH_JWT_SECRET: HOST_SECRETS.AUTH_JWT_SECRET,
  GATEWAY_SIGNING_KEY: HOST_SECRETS.GATEWAY_SIGNING_KEY,
  GATEWAY_PUBLIC_KEY: HOST_SECRETS.GATEWAY_PUBLIC_KEY,
  CURSOR_SECRET: HOST_SECRETS.CURSOR_SECRET,
  // Compose runs no Redis: an operator's own, passed through where the services need it.
  REDIS_URL: 'redis://redis.example.org:6379',
};

function interpolate(value: string): string {
  return value.replace(/\$(?:(\$)|\{(\w+)(?:(:?[-?+])([^}]*))?\}|(\w+))/g, (_match, dollar, name, operator, argument) => {
    if (dollar) return '$';
    if (HOST_ENV[name]) return HOST_ENV[name];
    if (operator === ':?' || operator === '?') throw new Error(`docker-compose.yml requires ${name} to be set: ${argument}`);
    if (operator === ':-' || operator === '-') return argument;
    return '';
  });
}

/** A service's environment as its container sees it (no variables set on the host). */
function environment(svc: Service): Record<string, string> {
  const entries: [string, unknown][] = Array.isArray(svc.environment)
    ? svc.environment.map((item) => {
        const at = item.indexOf('=');
        return at < 0 ? [item, null] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(svc.environment ?? {});
  return Object.fromEntries(entries.filter(([, value]) => value !== null && value !== undefined).map(([key, value]) => [key, interpolate(String(value))]));
}

/** What `depends_on` waits for, per service. */
function dependencies(svc: Service): Record<string, string> {
  if (Array.isArray(svc.depends_on)) return Object.fromEntries(svc.depends_on.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(svc.depends_on ?? {}).map(([name, spec]) => [name, spec?.condition ?? 'service_started']));
}

function networks(svc: Service): string[] {
  if (!svc.networks) return ['default'];
  return Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks);
}

/** Services that share at least one network with `name`, so can reach it. */
function reachableFrom(name: string): string[] {
  const own = new Set(networks(service(name)));
  return Object.keys(services)
    .filter((other) => other !== name && networks(services[other]).some((n) => own.has(n)))
    .sort();
}

function mounts(svc: Service): { source?: string; target: string; named: boolean }[] {
  return (svc.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') {
      return { source: volume.source, target: volume.target, named: volume.type === undefined || volume.type === 'volume' };
    }
    const parts = interpolate(volume).split(':');
    if (parts.length === 1) return { target: parts[0], named: false };
    return { source: parts[0], target: parts[1], named: !/^[./~]/.test(parts[0]) };
  });
}

function publishedPorts(svc: Service): { published?: string; target: string }[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return { published: port.published?.toString(), target: String(port.target) };
    const parts = interpolate(String(port)).split('/')[0].split(':');
    return { target: parts[parts.length - 1], published: parts.length > 1 ? parts[parts.length - 2] : undefined };
  });
}

function healthcheck(svc: Service): string {
  const test = svc.healthcheck?.disable ? undefined : svc.healthcheck?.test;
  if (!test || test === 'NONE' || (Array.isArray(test) && (test[0] === 'NONE' || test.length < 2))) return '';
  return interpolate(Array.isArray(test) ? test.slice(1).join(' ') : test);
}

const dockerfilePath = path.join(ROOT, 'Dockerfile');
const dockerfile = fs.existsSync(dockerfilePath) ? fs.readFileSync(dockerfilePath, 'utf8') : '';

/** The command a container of this service runs: its own, or the image's CMD. */
function command(svc: Service): string {
  if (svc.command !== undefined) return Array.isArray(svc.command) ? svc.command.join(' ') : svc.command;
  const cmd = [...dockerfile.matchAll(/^CMD\s+(.+)$/gm)].pop()?.[1].trim() ?? '';
  return cmd.startsWith('[') ? (JSON.parse(cmd) as string[]).join(' ') : cmd;
}

/** The configuration a service computes from its container's environment (shared/config.ts), as the image runs it (NODE_ENV=production). */
const configOf = (name: string) => loadConfig({ NODE_ENV: 'production', ...environment(service(name)) });
/** The port a subgraph's container listens on. */
const listenPort = (subgraph: string) => subgraphConfig(configOf(subgraph), subgraph).port;
/** The subgraph's port everywhere else: the registry's, or the config default for the collaboration. */
const expectedPort = (subgraph: string) => registry.find((poi) => poi.code.toLowerCase() === subgraph)?.port ?? subgraphConfig(loadConfig({}), subgraph).port;

function databaseUrl(subgraph: string): URL {
  const url = subgraphConfig(configOf(subgraph), subgraph).databaseUrl;
  if (!url) throw new Error(`${subgraph} has no ${prefixOf(subgraph)}_DATABASE_URL: it would use the embedded database`);
  return new URL(url);
}

describe('docker-compose.yml', () => {
  it('covers the same subgraphs as the configuration', () => {
    expect(loadConfig({}).subgraphs.map((s) => s.name)).toEqual([...SUBGRAPHS, NETWORK]);
  });

  it('is current: its generated parts are what `npm run compose` makes from the registry', () => {
    const text = read('docker-compose.yml');
    expect(renderDeployment(text, deployedSubgraphs(POIS))).toBe(text);
    // And they do follow it: one more POI is one more of everything, and nothing else changes.
    const withNewcomer = renderDeployment(text, [...deployedSubgraphs(POIS), { name: 'fryslan', port: 4006 }]);
    const added = YAML.parse(withNewcomer, { merge: true }) as ComposeFile;
    expect(Object.keys(added.services).sort()).toEqual([...Object.keys(services), 'fryslan', 'mysql-fryslan'].sort());
    expect(added.services.gateway.environment).toMatchObject({ FRYSLAN_URL: 'http://fryslan:4006/graphql' });
    expect(Object.keys(added.volumes ?? {})).toContain('mysql-fryslan-data');
    expect(added.networks).toMatchObject({ 'fryslan-db': { internal: true } });
    expect(withNewcomer.slice(0, withNewcomer.indexOf('# >>>'))).toBe(text.slice(0, text.indexOf('# >>>')));
  });

  it('requires every secret `npm run -s secrets` makes, and has no default for any', () => {
    const text = read('docker-compose.yml');
    const required = new Set([...text.matchAll(/\$\{(\w+):\?[^}]*\}/g)].map((match) => match[1]));
    expect([...required].sort()).toEqual(Object.keys(DEPLOYMENT_SECRETS).sort());
    expect(text).not.toMatch(/\$\{\w*(PASSWORD|SECRET|KEY)\w*:-/);
  });

  it('publishes only the gateway, whose /metrics and /ready details are closed without OPERATIONS_TOKEN', () => {
    expect(Object.keys(services).filter((name) => publishedPorts(service(name)).length > 0)).toEqual(['gateway']);
    for (const name of ['gateway', ...SUBGRAPHS, NETWORK])
      expect({ service: name, operations: configOf(name).operations }).toEqual({ service: name, operations: { open: false, token: undefined } });
  });

  it('gives every service longer to stop than its drain takes', () => {
    const seconds = (value: unknown) => Number(/^(\d+)s$/.exec(String(value))?.[1] ?? 0);
    for (const name of ['gateway', ...SUBGRAPHS, NETWORK]) {
      const grace = seconds((service(name) as { stop_grace_period?: string }).stop_grace_period);
      expect({ service: name, longer: grace * 1000 > STOP_GRACE_PERIOD_MS + 1000 }).toEqual({ service: name, longer: true });
    }
  });

  it('has the gateway, one service per subgraph and one MySQL per subgraph with data, nothing else', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', ...SUBGRAPHS, NETWORK, ...SUBGRAPHS.map(mysqlOf)].sort());
  });

  it('passes REDIS_URL to the gateway and every POI subgraph (which announces its imports there), not to the collaboration or the network subgraph', () => {
    for (const name of ['gateway', ...SUBGRAPHS, NETWORK]) {
      const announces = name === 'gateway' || (name !== 'collaboration' && name !== NETWORK);
      expect({ name, redisUrl: configOf(name).security.rateLimit.redisUrl }).toEqual({ name, redisUrl: announces ? HOST_ENV.REDIS_URL : undefined });
    }
  });

  describe('network subgraph', () => {
    it('runs from the project image at its port, with no database, and is healthy when its /ready answers', () => {
      const svc = service(NETWORK);
      expect(command(svc)).toBe(`node --max-semi-space-size=1 --heap-growing-percent=50 --v8-pool-size=1 dist/scripts/start-subgraph.js ${NETWORK}`);
      expect(configOf(NETWORK).host).toBe('0.0.0.0');
      expect(listenPort(NETWORK)).toBe(NETWORK_PORT);
      expect(Object.keys(environment(svc)).filter((key) => key.endsWith('_DATABASE_URL'))).toEqual([]);
      expect(Object.keys(dependencies(svc)).filter((name) => name.startsWith('mysql-'))).toEqual([]);
      expect(healthcheck(svc)).toContain(`127.0.0.1:${NETWORK_PORT}/ready`);
    });

    it.each(SUBGRAPHS.filter((s) => s !== 'collaboration'))('reaches POI %s where the gateway does', (subgraph) => {
      const url = subgraphConfig(configOf(NETWORK), subgraph).url;
      expect(url).toBe(subgraphConfig(configOf('gateway'), subgraph).url);
      expect(new URL(url).hostname).toBe(subgraph);
      expect(reachableFrom(NETWORK)).toContain(subgraph);
    });

    it("holds the gateway's public key and the cursor secret, never its signing key", () => {
      const env = environment(service(NETWORK));
      expect([env.GATEWAY_SIGNING_KEY, env.AUTH_JWT_SECRET]).toEqual([undefined, undefined]);
      expect(configOf(NETWORK).security.gatewayPublicKey).toBe(HOST_SECRETS.GATEWAY_PUBLIC_KEY.trim() + '\n');
      expect(configOf(NETWORK).security.cursorSecret).toBe(HOST_SECRETS.CURSOR_SECRET);
    });

    it('is reached and awaited by the gateway', () => {
      expect(new URL(subgraphConfig(configOf('gateway'), NETWORK).url)).toMatchObject({ hostname: NETWORK, port: String(NETWORK_PORT) });
      expect(dependencies(service('gateway'))[NETWORK]).toBe('service_healthy');
      expect(reachableFrom('gateway')).toContain(NETWORK);
    });
  });

  it('gives every service a healthcheck', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect({ service: name, healthcheck: healthcheck(svc) }).toEqual({ service: name, healthcheck: expect.stringMatching(/\S/) });
    }
  });

  it('shares no volume between services', () => {
    const owners = new Map<string, string[]>();
    for (const [name, svc] of Object.entries(services)) {
      for (const mount of mounts(svc)) {
        if (mount.source) owners.set(mount.source, [...(owners.get(mount.source) ?? []), name]);
      }
    }
    const shared = [...owners].filter(([, users]) => users.length > 1);
    expect(shared).toEqual([]);
  });

  it('gives no two subgraphs the same database server, user or schema', () => {
    const urls = SUBGRAPHS.map(databaseUrl);
    for (const part of ['hostname', 'username', 'pathname'] as const) {
      expect(new Set(urls.map((url) => url[part])).size).toBe(SUBGRAPHS.length);
    }
  });

  describe.each(SUBGRAPHS)('subgraph %s', (subgraph) => {
    const mysql = mysqlOf(subgraph);
    const mysqlEnv = () => environment(service(mysql));

    it('has its own MySQL 8 with its own schema, user and password', () => {
      const svc = service(mysql);
      expect(svc.image).toMatch(/^mysql:8(\.|$)/);
      expect(mysqlEnv()).toMatchObject({
        MYSQL_DATABASE: `poi_${subgraph}`,
        MYSQL_USER: subgraph,
        MYSQL_PASSWORD: expect.stringMatching(/\S/),
        MYSQL_ROOT_PASSWORD: expect.stringMatching(/\S/),
      });
      // Both passwords come from the environment (`npm run -s secrets`), never from a default.
      expect(mysqlEnv()).toMatchObject({
        MYSQL_PASSWORD: DEPLOYMENT_SECRETS[`${prefixOf(subgraph)}_DB_PASSWORD`],
        MYSQL_ROOT_PASSWORD: DEPLOYMENT_SECRETS.MYSQL_ROOT_PASSWORD,
      });
      expect(healthcheck(svc)).toMatch(/mysqladmin\b.*\bping\b/);
    });

    it('keeps its database on a named volume', () => {
      const data = mounts(service(mysql)).find((mount) => mount.target === '/var/lib/mysql');
      expect(data).toMatchObject({ named: true, source: expect.any(String) });
      expect(Object.keys(compose.volumes ?? {})).toContain(data!.source);
    });

    it('connects to its own MySQL service only, as its user, to its schema', () => {
      const env = environment(service(subgraph));
      expect(Object.keys(env).filter((key) => key.endsWith('_DATABASE_URL'))).toEqual([`${prefixOf(subgraph)}_DATABASE_URL`]);
      const url = databaseUrl(subgraph);
      expect({
        protocol: url.protocol,
        host: url.hostname,
        port: url.port || '3306',
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        schema: url.pathname.slice(1),
      }).toEqual({
        protocol: 'mysql:',
        host: mysql,
        port: '3306',
        user: mysqlEnv().MYSQL_USER,
        password: mysqlEnv().MYSQL_PASSWORD,
        schema: mysqlEnv().MYSQL_DATABASE,
      });
      // Nothing but its subgraph can even reach the database.
      expect(reachableFrom(mysql)).toEqual([subgraph]);
    });

    it('starts once its own database is healthy', () => {
      const deps = dependencies(service(subgraph));
      expect(deps[mysql]).toBe('service_healthy');
      expect(Object.keys(deps).filter((name) => name.startsWith('mysql-'))).toEqual([mysql]);
    });

    it('runs the subgraph from the project image on all interfaces at its port', () => {
      const svc = service(subgraph);
      expect(svc.build).toBeDefined();
      expect(command(svc)).toBe(`node --max-semi-space-size=1 --heap-growing-percent=50 --v8-pool-size=1 dist/scripts/start-subgraph.js ${subgraph}`);
      expect(configOf(subgraph).host).toBe('0.0.0.0');
      expect(listenPort(subgraph)).toBe(expectedPort(subgraph));
    });

    it('is healthy when its /ready answers (its database included)', () => {
      expect(healthcheck(service(subgraph))).toContain(`127.0.0.1:${listenPort(subgraph)}/ready`);
    });
  });

  describe('gateway', () => {
    const gateway = () => service('gateway');

    it('runs the gateway from the project image on all interfaces', () => {
      expect(gateway().build).toBeDefined();
      expect(command(gateway())).toBe('node --max-semi-space-size=8 --heap-growing-percent=100 dist/gateway/src/index.js');
      expect(configOf('gateway').host).toBe('0.0.0.0');
    });

    it(`listens on and publishes port ${GATEWAY_PORT}`, () => {
      expect(configOf('gateway').gateway.port).toBe(GATEWAY_PORT);
      expect(publishedPorts(gateway())).toContainEqual({ published: String(GATEWAY_PORT), target: String(GATEWAY_PORT) });
      expect(healthcheck(gateway())).toContain(`127.0.0.1:${GATEWAY_PORT}/ready`);
    });

    it('alone holds the signing key, and refuses anonymous requests (production mode)', () => {
      const security = configOf('gateway').security;
      expect(security.gatewaySigningKey).toBe(HOST_SECRETS.GATEWAY_SIGNING_KEY.trim() + '\n');
      expect(security.clients.secret).toBe(HOST_SECRETS.AUTH_JWT_SECRET);
      expect(security.clients.allowAnonymous).toBe(false);
      expect(security.introspection).toBe(false);
      for (const subgraph of SUBGRAPHS) {
        const env = environment(service(subgraph));
        expect([subgraph, env.GATEWAY_SIGNING_KEY, env.AUTH_JWT_SECRET]).toEqual([subgraph, undefined, undefined]);
        expect([subgraph, configOf(subgraph).security.gatewayPublicKey]).toEqual([subgraph, HOST_SECRETS.GATEWAY_PUBLIC_KEY.trim() + '\n']);
        // Every subgraph seals its cursors; the gateway has no use for the secret.
        expect([subgraph, configOf(subgraph).security.cursorSecret]).toEqual([subgraph, HOST_SECRETS.CURSOR_SECRET]);
      }
      expect(environment(gateway()).CURSOR_SECRET).toBeUndefined();
    });

    it('starts once every subgraph is healthy', () => {
      const deps = dependencies(gateway());
      expect(Object.fromEntries(SUBGRAPHS.map((s) => [s, deps[s]]))).toEqual(Object.fromEntries(SUBGRAPHS.map((s) => [s, 'service_healthy'])));
    });

    it.each(SUBGRAPHS)('reaches %s at its service name and port', (subgraph) => {
      expect(Object.keys(environment(gateway()))).toContain(`${prefixOf(subgraph)}_URL`);
      const url = new URL(subgraphConfig(configOf('gateway'), subgraph).url);
      expect({ host: url.hostname, port: url.port, path: url.pathname }).toEqual({
        host: subgraph,
        port: String(listenPort(subgraph)),
        path: '/graphql',
      });
      expect(reachableFrom('gateway')).toContain(subgraph);
    });
  });
});

describe('Dockerfile', () => {
  it('builds every gateway and subgraph service from the Dockerfile at the project root', () => {
    expect(fs.existsSync(dockerfilePath)).toBe(true);
    for (const name of ['gateway', ...SUBGRAPHS, NETWORK]) expect({ name, build: service(name).build }).toEqual({ name, build: expect.anything() });
    for (const [name, svc] of Object.entries(services)) {
      if (svc.build === undefined) continue;
      const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
      const context = path.resolve(ROOT, build.context ?? '.');
      expect({ name, context, dockerfile: path.resolve(context, build.dockerfile ?? 'Dockerfile') }).toEqual({
        name,
        context: ROOT,
        dockerfile: dockerfilePath,
      });
    }
  });

  it('installs with npm ci on Node 20 and runs as the node user', () => {
    expect(dockerfile).toMatch(/^FROM\s+node:20[-.\w]*(\s|$)/m);
    expect(dockerfile).toMatch(/^RUN\s.*\bnpm ci\b/m);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.pop()).toBe('node');
  });

  it('runs the compiled build on plain node, with the production dependencies only', () => {
    const stages = dockerfile.split(/^(?=FROM\s)/m).filter((stage) => stage.startsWith('FROM'));
    const runtime = stages[stages.length - 1];
    const workdir = [...runtime.matchAll(/^WORKDIR\s+(\S+)/gm)].pop()?.[1];
    // The runtime stage installs without dev dependencies and holds the build stage's dist/ only.
    expect(runtime).toMatch(/^RUN\s.*\bnpm ci --omit=dev\b/m);
    expect(runtime).not.toMatch(/\btsx\b|esbuild|typescript/);
    const copied = [...runtime.matchAll(/^COPY\s+--from=(\S+)\s+(\S+)\s+(\S+)/gm)].map((m) => ({
      stage: m[1],
      from: m[2],
      to: path.posix.resolve(workdir!, m[3]),
    }));
    expect(copied).toEqual([{ stage: expect.any(String), from: expect.stringMatching(/\/dist$/), to: `${workdir}/dist` }]);
    const build = stages.find((stage) => new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${copied[0].stage}\\s*$`, 'mi').test(stage));
    expect(build).toMatch(/^RUN\s.*\bnpm run build\b/m);
    const buildDir = [...build!.matchAll(/^WORKDIR\s+(\S+)/gm)].pop()?.[1];
    expect(copied[0].from).toBe(`${buildDir}/dist`);
    for (const name of ['gateway', ...SUBGRAPHS, NETWORK]) {
      const [program, ...args] = command(service(name)).split(/\s+/);
      expect({ name, program, flags: args.filter((a) => a.startsWith('--')) }).toEqual({
        name,
        program: 'node',
        flags:
          name === 'gateway'
            ? ['--max-semi-space-size=8', '--heap-growing-percent=100']
            : ['--max-semi-space-size=1', '--heap-growing-percent=50', '--v8-pool-size=1'],
      });
      // Its script is one the build compiles from a source that exists.
      const script = args.find((a) => a.endsWith('.js'))!;
      expect({
        name,
        script: script.replace(/^dist\//, '').replace(/\.js$/, '.ts'),
        exists: fs.existsSync(path.join(ROOT, script.replace(/^dist\//, '').replace(/\.js$/, '.ts'))),
      }).toEqual({
        name,
        script: expect.stringMatching(/^(gateway\/src\/index|scripts\/start-subgraph)\.ts$/),
        exists: true,
      });
    }
  });

  it('keeps dependencies and history out of the build context, but nothing the services read', () => {
    const patterns = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const matches = (pattern: string, file: string) => {
      const regex = pattern
        .replace(/^\/+|\/+$/g, '')
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*');
      return new RegExp(`^${regex}$`).test(file);
    };
    /** .dockerignore semantics: the last matching pattern wins; excluding a folder excludes its files. */
    const ignored = (file: string) => {
      const ancestors = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
      let result = false;
      for (const pattern of patterns) {
        const negated = pattern.startsWith('!');
        if (ancestors.some((candidate) => matches(negated ? pattern.slice(1) : pattern, candidate))) result = !negated;
      }
      return result;
    };

    for (const file of ['node_modules/yaml/package.json', '.git/HEAD', 'test/artifacts/x', 'bench/results/x']) {
      expect({ file, ignored: ignored(file) }).toEqual({ file, ignored: true });
    }
    const dataFiles = SUBGRAPHS.flatMap((s) => {
      const dir = path.join(ROOT, 'subgraphs', s, 'data');
      return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `subgraphs/${s}/data/${f}`) : [];
    });
    const runtimeFiles = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      // What `npm run build` compiles and copies in the build stage.
      'tsconfig.build.json',
      'scripts/build.ts',
      'dashboard/index.html',
      'operations/dashboard-overview.graphql',
      'supergraph.graphql',
      'gateway/src/index.ts',
      'scripts/start-subgraph.ts',
      'shared/config.ts',
      'subgraphs/catalog.ts',
      'subgraphs/collaboration/schema.graphql',
      'registry.json',
      ...dataFiles,
    ];
    for (const file of runtimeFiles) expect({ file, ignored: ignored(file) }).toEqual({ file, ignored: false });
  });
});
