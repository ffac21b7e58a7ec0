import { createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { LocalSecrets, readOrCreateLocalSecrets } from './auth/local-secrets';
import { NETWORK_READ, scopesFromClaims } from './auth/identity';
import { isCalendarDate } from './dates';
import { MAX_EXPANDED_FIELDS, MAX_QUERY_DEPTH, MAX_TOKENS } from './graphql-limits';
import { POIS } from './registry';
import type { ConnectRetry } from './startup';

/** Where one subgraph listens, where the gateway reaches it, and which database it uses. */
export interface SubgraphConfig {
  name: string;
  port: number;
  /** URL the gateway sends this subgraph's fetches to. */
  url: string;
  /** `mysql://user:password@host:port/schema`; absent means the embedded database. */
  databaseUrl?: string;
}

/** Limits on every operation the gateway accepts; each breach is refused with its own error code. */
export interface OperationLimits {
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
  /** Fields an operation selects with every fragment spread in place, counted without expanding (fragment bombs). */
  expandedFields: number;
  bodyBytes: number;
  /** Estimated cost: every field counts once per item of every list around it (see gateway/src/operation-limits.ts). */
  cost: number;
  /** Operations in one batched HTTP request (a JSON array). */
  batch: number;
}

export interface SecurityConfig {
  /** How the gateway authenticates clients. */
  clients: {
    /** HS256 shared secret (local use and simple set-ups). */
    secret?: string;
    /** JWKS URL for RS256/ES256 tokens (production identity providers). */
    jwksUrl?: string;
    issuer: string;
    audience: string;
    /** Whether a request without a token is served, with `anonymousScopes`. */
    allowAnonymous: boolean;
    anonymousScopes: readonly string[];
    /** Longest a token may be valid, `exp` − `iat`, in seconds (`AUTH_MAX_TOKEN_LIFETIME_SECONDS`). */
    maxLifetimeSeconds: number;
    /** How far another clock may be ahead or behind, for `iat`, `nbf` and `exp` (`AUTH_CLOCK_SKEW_SECONDS`). */
    clockSkewSeconds: number;
  };
  /** The gateway's private key (PKCS#8 PEM) for the tokens it forwards to subgraphs; only the gateway needs it. */
  gatewaySigningKey?: string;
  /** Its public key (SPKI PEM): what every subgraph checks forwarded tokens with; required by subgraphs only (`subgraphRuntime`). */
  gatewayPublicKey?: string;
  /** What subgraphs seal their page cursors with (each derives its own key); required by subgraphs in production. */
  cursorSecret?: string;
  limits: OperationLimits;
  /** Requests per client identity per window; `redisUrl` shares the budget between gateway replicas. */
  rateLimit: { requests: number; windowSeconds: number; redisUrl?: string };
  introspection: boolean;
  ide: boolean;
}

/**
 * Who may read a service's /metrics and the details of its /ready (versions, memory, operation,
 * subgraph and database states): anyone when `open`, else only holders of `token`
 * (`Authorization: Bearer <OPERATIONS_TOKEN>`). /health and /ready's status stay open for probes.
 */
export interface OperationsAccess {
  open: boolean;
  token?: string;
}

/** Bounds of the gateway's live channel (README "Live updates"). */
export interface LiveConfig {
  /** Open streams in all (LIVE_MAX_CONNECTIONS); beyond, 503. 0 turns the channel off. */
  maxConnections: number;
  /** Open streams per identity: a token's subject, or an anonymous caller's address (LIVE_MAX_CONNECTIONS_PER_IDENTITY); beyond, 429. */
  maxConnectionsPerIdentity: number;
  /** How long a client may leave the socket's buffer full before its stream is closed (LIVE_SLOW_CLIENT_SECONDS). */
  slowClientSeconds: number;
  /** Changes within this window go out as one Change per subgraph (LIVE_COALESCE_MS). */
  coalesceMs: number;
}

/** How much one import may bring (poi-kit/import.ts): above either, it is refused and nothing is written. */
export interface ImportLimits {
  /** Data rows in one file (IMPORT_MAX_ROWS). */
  maxRows: number;
  /** Bytes of one file (IMPORT_MAX_BYTES). */
  maxBytes: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = Object.freeze({ maxRows: 200_000, maxBytes: 100 * 2 ** 20 });

export interface Config {
  /** NODE_ENV=production: no anonymous access, no introspection or IDE unless configured, no local secrets. */
  production: boolean;
  /** /metrics and /ready's details: open locally, behind OPERATIONS_TOKEN (or closed) in production or whenever the token is set. */
  operations: OperationsAccess;
  /** Interface every server binds to. */
  host: string;
  gateway: {
    port: number;
    supergraphPath: string;
    /** Per subgraph fetch: timeout, the circuit breaker's threshold and cool-down (also the network subgraph's, per POI), sharing identical queries in flight. */
    resilience: { timeoutMs: number; failureThreshold: number; cooldownMs: number; deduplicate: boolean };
    /** Development switch: answer `Apollo-Query-Plan-Experimental` requests with the query plan. */
    exposeQueryPlan: boolean;
    /** Where whole responses of cacheable queries (by the subgraphs' @cacheControl hints) are kept, if anywhere. */
    responseCache: 'off' | 'memory' | 'redis';
    live: LiveConfig;
  };
  /** The collaboration subgraph first, then one per registered POI. */
  subgraphs: readonly SubgraphConfig[];
  /**
   * MySQL pool size; how long a write's Idempotency-Key is kept; how a subgraph waits for its
   * database at start; `dataDir`: where subgraphs without `<NAME>_DATABASE_URL` keep their
   * embedded database (`<dataDir>/<name>.sqlite`; DATA_DIR, default `.data/` in the checkout), or
   * `:memory:` for databases that last as long as the process.
   */
  database: { poolSize: number; idempotencyTtlHours: number; connect: ConnectRetry; dataDir: string };
  imports: ImportLimits;
  /** `demo`: whether an empty database gets invented demo data (SEED_DEMO_DATA; default only in development and tests). */
  seed: { scale: number; referenceDate: string; demo: boolean };
  /** Set `*_DATABASE_URL` variables that name no subgraph (typos), named when a subgraph's own is missing. */
  strayDatabaseVariables: readonly string[];
  logLevel: string;
  /** How logs are written: JSON lines, or human-readable (pino-pretty) on a terminal. */
  logFormat: LogFormat;
  /** OTLP/HTTP endpoint (base URL) traces are exported to; absent: no tracing at all. */
  otlpEndpoint?: string;
  security: SecurityConfig;
}

/** How long a subgraph keeps a write's Idempotency-Key and answer (README "Writes"). */
export const DEFAULT_IDEMPOTENCY_TTL_HOURS = 24;

/** The live channel's bounds unless LIVE_* says otherwise. */
export const DEFAULT_LIVE: LiveConfig = Object.freeze({ maxConnections: 1000, maxConnectionsPerIdentity: 10, slowClientSeconds: 30, coalesceMs: 250 });

/** Where the services' code and the files they read at run time are: the checkout, or its `dist/` when running the compiled build (`npm run build`). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** Whether this process runs the compiled build (JavaScript in `dist/`) rather than the TypeScript sources through tsx. */
export const COMPILED = path.extname(__filename) === '.js';
/** The checkout, where `.env` and `.secrets/` are: the same for the sources and their build (the folder above `dist/`). */
export const CHECKOUT_ROOT = COMPILED ? path.dirname(PROJECT_ROOT) : PROJECT_ROOT;
/** Where the embedded databases are unless DATA_DIR says otherwise (git- and docker-ignored). */
export const DEFAULT_DATA_DIR = path.join(CHECKOUT_ROOT, '.data');
/** The subgraph that owns the partnership's shared data (registry, work agenda). */
export const COLLABORATION_SUBGRAPH = 'collaboration';
/** The subgraph of the network lists (`Query.network`): no database, it asks the POI subgraphs (subgraphs/network/). */
export const NETWORK_SUBGRAPH = 'network';
/** The ports of the services that are no POI (gateway, collaboration, network subgraph) unless `<NAME>_PORT` says otherwise: never a new POI's. */
export const RESERVED_PORTS = { gateway: 4000, [COLLABORATION_SUBGRAPH]: 4001, [NETWORK_SUBGRAPH]: 4010 } as const;
/** Subgraphs that keep no data: no `<NAME>_DATABASE_URL`, no migrations. */
export const DATABASELESS_SUBGRAPHS: readonly string[] = [NETWORK_SUBGRAPH];
export const SUBGRAPH_NAMES: readonly string[] = [COLLABORATION_SUBGRAPH, ...POIS.map((p) => p.subgraphName), NETWORK_SUBGRAPH];
/** Where each subgraph listens unless `<NAME>_PORT` says otherwise: the collaboration 4001, a POI its registry port, the network subgraph 4010. */
export const DEFAULT_PORTS: Record<string, number> = {
  [COLLABORATION_SUBGRAPH]: RESERVED_PORTS[COLLABORATION_SUBGRAPH],
  ...Object.fromEntries(POIS.map((p) => [p.subgraphName, p.port])),
  [NETWORK_SUBGRAPH]: RESERVED_PORTS[NETWORK_SUBGRAPH],
};
/** NODE_ENV values (unset included) where an empty database gets demo data unless SEED_DEMO_DATA says otherwise. */
const DEVELOPMENT_ENVIRONMENTS = ['', 'development', 'test'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export type LogFormat = 'json' | 'pretty';
/** Whether this process writes to a terminal (LOG_FORMAT=auto makes the logs readable there). */
const stdoutIsTerminal = () => process.stdout.isTTY === true;

type Env = Record<string, string | undefined>;

/** First day of the current month: seeds are deterministic within a month and stay current. */
function startOfThisMonth(): string {
  const now = new Date();
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/**
 * Reads and validates the whole environment once. Every problem is listed in one error, so a
 * bad set-up fails at start-up rather than on the first request. Nothing else reads process.env.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const host = env.HOST || '127.0.0.1';
  const gatewayPort = integer(portVariable('gateway'), 4000, 0, 65535);
  const subgraphs = SUBGRAPH_NAMES.map((name): SubgraphConfig => {
    const prefix = name.toUpperCase();
    const port = integer(portVariable(name), DEFAULT_PORTS[name], 0, 65535);
    const databaseUrl = env[`${prefix}_DATABASE_URL`] || undefined;
    if (databaseUrl && !/^(mysql|mariadb):\/\/[^/]+\/\w+/.test(databaseUrl)) {
      problems.push(`${prefix}_DATABASE_URL must look like mysql://user:password@host:3306/schema`);
    }
    const url = env[`${prefix}_URL`] || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/graphql`;
    if (!/^https?:\/\//.test(url)) problems.push(`${prefix}_URL must be an http(s) URL, got "${url}"`);
    return { name, port, url, databaseUrl };
  });
  const usedPorts = [gatewayPort, ...subgraphs.map((s) => s.port)].filter((p) => p !== 0);
  if (new Set(usedPorts).size !== usedPorts.length) problems.push(`ports must differ: ${usedPorts.join(', ')}`);

  const referenceDate = env.SEED_DATE || startOfThisMonth();
  if (!isCalendarDate(referenceDate)) {
    problems.push(`SEED_DATE must be a date like 2026-11-01, got "${referenceDate}"`);
  }
  const flag = (key: string): boolean => {
    const raw = (env[key] ?? '').trim().toLowerCase();
    if (raw === '' || raw === 'false' || raw === '0') return false;
    if (raw === 'true' || raw === '1') return true;
    problems.push(`${key} must be true or false, got "${env[key]}"`);
    return false;
  };
  const optionalFlag = (key: string, fallback: boolean) => (env[key] === undefined || env[key] === '' ? fallback : flag(key));
  const exposeQueryPlan = flag('EXPOSE_QUERY_PLAN');
  if (exposeQueryPlan && env.NODE_ENV === 'production') {
    problems.push('EXPOSE_QUERY_PLAN=true is refused with NODE_ENV=production: it shows every client the query plan');
  }
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  if (otlpEndpoint && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint)) {
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4318, got "${otlpEndpoint}"`);
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormatSetting = env.LOG_FORMAT || 'auto';
  if (!['auto', 'json', 'pretty'].includes(logFormatSetting)) problems.push(`LOG_FORMAT must be auto, json or pretty, got "${logFormatSetting}"`);
  const logFormat: LogFormat = logFormatSetting === 'auto' ? (stdoutIsTerminal() ? 'pretty' : 'json') : (logFormatSetting as LogFormat);
  const production = env.NODE_ENV === 'production';
  const operationsToken = env.OPERATIONS_TOKEN || undefined;
  if (operationsToken !== undefined && operationsToken.length < 32) problems.push('OPERATIONS_TOKEN must be at least 32 characters');
  const security = loadSecurity(env, production, integer, optionalFlag, problems);
  const dataDir = loadDataDir(env.DATA_DIR, problems);
  const responseCache = (env.RESPONSE_CACHE || 'memory') as Config['gateway']['responseCache'];
  if (!['off', 'memory', 'redis'].includes(responseCache)) problems.push(`RESPONSE_CACHE must be off, memory or redis, got "${responseCache}"`);
  if (responseCache === 'redis' && !security.rateLimit.redisUrl) problems.push('RESPONSE_CACHE=redis needs REDIS_URL');

  const config: Config = {
    production,
    operations: { open: !production && !operationsToken, token: operationsToken },
    host,
    gateway: {
      port: gatewayPort,
      supergraphPath: path.resolve(PROJECT_ROOT, env.SUPERGRAPH_PATH || 'supergraph.graphql'),
      resilience: {
        timeoutMs: integer('SUBGRAPH_TIMEOUT_MS', 5000, 50, 120_000),
        failureThreshold: integer('CIRCUIT_FAILURE_THRESHOLD', 5, 1, 1000),
        cooldownMs: integer('CIRCUIT_COOLDOWN_MS', 5000, 100, 600_000),
        deduplicate: env.SUBGRAPH_DEDUPLICATE === undefined || env.SUBGRAPH_DEDUPLICATE === '' ? true : flag('SUBGRAPH_DEDUPLICATE'),
      },
      exposeQueryPlan,
      responseCache,
      live: {
        maxConnections: integer('LIVE_MAX_CONNECTIONS', DEFAULT_LIVE.maxConnections, 0, 100_000),
        maxConnectionsPerIdentity: integer('LIVE_MAX_CONNECTIONS_PER_IDENTITY', DEFAULT_LIVE.maxConnectionsPerIdentity, 1, 1000),
        slowClientSeconds: integer('LIVE_SLOW_CLIENT_SECONDS', DEFAULT_LIVE.slowClientSeconds, 1, 3600),
        coalesceMs: integer('LIVE_COALESCE_MS', DEFAULT_LIVE.coalesceMs, 0, 10_000),
      },
    },
    subgraphs,
    database: {
      poolSize: integer('DB_POOL_SIZE', 10, 1, 200),
      idempotencyTtlHours: integer('IDEMPOTENCY_TTL_HOURS', DEFAULT_IDEMPOTENCY_TTL_HOURS, 1, 8760),
      connect: { attempts: integer('DB_CONNECT_ATTEMPTS', 30, 1, 10_000), backoffMs: integer('DB_CONNECT_BACKOFF_MS', 1000, 10, 60_000) },
      dataDir,
    },
    imports: {
      maxRows: integer('IMPORT_MAX_ROWS', DEFAULT_IMPORT_LIMITS.maxRows, 1, 10_000_000),
      maxBytes: integer('IMPORT_MAX_BYTES', DEFAULT_IMPORT_LIMITS.maxBytes, 1024, 2 ** 30),
    },
    seed: {
      scale: integer('SEED_SCALE', 1, 1, 100),
      referenceDate,
      demo: optionalFlag('SEED_DEMO_DATA', DEVELOPMENT_ENVIRONMENTS.includes(env.NODE_ENV ?? '')),
    },
    strayDatabaseVariables: Object.keys(env).filter(
      (key) => key.endsWith('_DATABASE_URL') && env[key] && !SUBGRAPH_NAMES.some((name) => key === `${name.toUpperCase()}_DATABASE_URL`),
    ),
    logLevel,
    logFormat,
    otlpEndpoint,
    security,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/**
 * DATA_DIR: `:memory:`, or a folder (relative to the checkout) that is a folder or does not exist
 * yet (it is made at the first start).
 */
function loadDataDir(raw: string | undefined, problems: string[]): string {
  const value = (raw ?? '').trim();
  if (value === ':memory:') return value;
  const dir = value === '' ? DEFAULT_DATA_DIR : path.resolve(CHECKOUT_ROOT, value);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) problems.push(`DATA_DIR must be a folder (or :memory:), but ${dir} is a file`);
  return dir;
}

/** A PEM from the environment: real newlines, or `\n` escapes as .env files and CI secrets often have. */
const pem = (value: string | undefined) => (value ? value.replace(/\\n/g, '\n').trim() + '\n' : undefined);

function loadSecurity(
  env: Env,
  production: boolean,
  integer: (key: string, fallback: number, min: number, max: number) => number,
  optionalFlag: (key: string, fallback: boolean) => boolean,
  problems: string[],
): SecurityConfig {
  // Locally, whatever is not configured comes from the clone's own generated secrets; production must say.
  let generated: LocalSecrets | undefined;
  const local = () =>
    production ? undefined : (generated ??= readOrCreateLocalSecrets(path.resolve(CHECKOUT_ROOT, env.LOCAL_SECRETS_FILE || '.secrets/local.json')));
  const secret = env.AUTH_JWT_SECRET || (env.AUTH_JWKS_URL ? undefined : local()?.clientSecret);
  if (secret !== undefined && secret.length < 32) problems.push('AUTH_JWT_SECRET must be at least 32 characters');
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  if (jwksUrl && !/^https?:\/\/\S+$/.test(jwksUrl)) problems.push(`AUTH_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  const allowAnonymous = optionalFlag('AUTH_ALLOW_ANONYMOUS', !production);
  const anonymousScopes = scopesFromClaims({ scope: env.AUTH_ANONYMOUS_SCOPES ?? NETWORK_READ });
  const gatewaySigningKey = pem(env.GATEWAY_SIGNING_KEY) ?? local()?.gatewayPrivateKey;
  let gatewayPublicKey = pem(env.GATEWAY_PUBLIC_KEY);
  if (env.GATEWAY_SIGNING_KEY) {
    try {
      const key = createPrivateKey(gatewaySigningKey!);
      if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not P-256');
      // The gateway itself needs only its private key; the public half follows from it.
      gatewayPublicKey ??= createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      problems.push('GATEWAY_SIGNING_KEY must be an EC P-256 private key in PKCS#8 PEM (npm run -s secrets makes one)');
    }
  }
  gatewayPublicKey ??= local()?.gatewayPublicKey;
  // Locally the cursor key can follow from the client secret; production sets its own.
  const cursorSecret = env.CURSOR_SECRET || (production ? undefined : (secret ?? local()?.clientSecret));
  if (env.CURSOR_SECRET && env.CURSOR_SECRET.length < 32) problems.push('CURSOR_SECRET must be at least 32 characters');
  const introspection = optionalFlag('GRAPHQL_INTROSPECTION', !production);
  if (env.REDIS_URL && !/^rediss?:\/\/\S+$/.test(env.REDIS_URL)) problems.push(`REDIS_URL must look like redis://127.0.0.1:6379, got "${env.REDIS_URL}"`);
  return {
    clients: {
      secret,
      jwksUrl,
      issuer: env.AUTH_ISSUER || 'poi-federation',
      audience: env.AUTH_AUDIENCE || 'poi-federation-api',
      allowAnonymous,
      anonymousScopes,
      maxLifetimeSeconds: integer('AUTH_MAX_TOKEN_LIFETIME_SECONDS', 86_400, 60, 30 * 86_400),
      clockSkewSeconds: integer('AUTH_CLOCK_SKEW_SECONDS', 60, 0, 300),
    },
    gatewaySigningKey,
    gatewayPublicKey,
    cursorSecret,
    limits: {
      depth: integer('LIMIT_DEPTH', MAX_QUERY_DEPTH, 2, MAX_QUERY_DEPTH),
      aliases: integer('LIMIT_ALIASES', 30, 0, 1000),
      directives: integer('LIMIT_DIRECTIVES', 50, 0, 1000),
      tokens: integer('LIMIT_TOKENS', MAX_TOKENS, 100, 100_000),
      expandedFields: integer('LIMIT_EXPANDED_FIELDS', MAX_EXPANDED_FIELDS, 100, 1_000_000),
      bodyBytes: integer('LIMIT_BODY_BYTES', 2 ** 20, 1024, 64 * 2 ** 20),
      cost: integer('LIMIT_COST', 100_000, 10, 10_000_000),
      batch: integer('LIMIT_BATCH', 10, 1, 100),
    },
    rateLimit: {
      requests: integer('RATE_LIMIT_REQUESTS', 3000, 1, 100_000_000),
      windowSeconds: integer('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      redisUrl: env.REDIS_URL || undefined,
    },
    introspection,
    ide: optionalFlag('GRAPHQL_IDE', introspection),
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

/** The variable that sets a service's port (`GATEWAY_PORT`, `CUBISS_PORT`, …): 0 lets the OS pick one. */
export const portVariable = (service: string) => `${service.toUpperCase()}_PORT`;

/** The variables that put these services (by name: `gateway` or a subgraph) on these ports. */
export function portEnvironment(ports: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(ports).map(([service, port]) => [portVariable(service), String(port)]));
}

export function subgraphConfig(config: Config, name: string): SubgraphConfig {
  const found = config.subgraphs.find((s) => s.name === name);
  if (!found) throw new Error(`Unknown subgraph "${name}". Known: ${SUBGRAPH_NAMES.join(', ')}`);
  return found;
}

/**
 * The command-line tools (`npm start`, token, migrate, import, query, poi:conformance) read a
 * `.env` in the project root when there is one (`npm run -s secrets > .env` writes it); a variable
 * already in the environment wins. Returns the names it set. The services themselves read only
 * their environment: `npm start` hands each its own (serviceEnvironment).
 */
export function loadDotEnv(file = path.join(CHECKOUT_ROOT, '.env'), env: NodeJS.ProcessEnv = process.env): string[] {
  if (!fs.existsSync(file)) return [];
  const added = Object.entries(parseEnv(fs.readFileSync(file, 'utf8'))).filter(([key]) => env[key] === undefined);
  for (const [key, value] of added) env[key] = value;
  return added.map(([key]) => key);
}

/** Secrets only the gateway holds. */
const GATEWAY_ONLY = ['AUTH_JWT_SECRET', 'GATEWAY_SIGNING_KEY'];
/** Secrets every subgraph holds and the gateway does not. */
const SUBGRAPHS_ONLY = ['CURSOR_SECRET', 'GATEWAY_PUBLIC_KEY'];

/**
 * The environment one service gets from `npm start`: everything but other services' secrets. The
 * gateway keeps its signing key and client secret, no database URL; a subgraph its own
 * `<NAME>_DATABASE_URL`, the gateway's public key and the cursor secret; none gets a DB password.
 */
export function serviceEnvironment(env: NodeJS.ProcessEnv, service: string): NodeJS.ProcessEnv {
  const own = service === 'gateway' ? SUBGRAPHS_ONLY : GATEWAY_ONLY;
  const keep = (key: string) =>
    !own.includes(key) &&
    !/_DB_PASSWORD$|^MYSQL_ROOT_PASSWORD$/.test(key) &&
    !(key.endsWith('_DATABASE_URL') && key !== `${service.toUpperCase()}_DATABASE_URL`);
  return Object.fromEntries(Object.entries(env).filter(([key]) => keep(key)));
}

/** What one subgraph process needs beyond the shared configuration, every missing piece listed in one ConfigError. */
export interface SubgraphRuntime extends SubgraphConfig {
  cursorSecret: string;
  gatewayPublicKey: string;
}

/**
 * The settings a subgraph starts with. Production refuses the embedded database: a missing or
 * misspelled `<NAME>_DATABASE_URL` would otherwise serve invented data and lose every write on restart.
 */
export function subgraphRuntime(config: Config, name: string): SubgraphRuntime {
  const settings = subgraphConfig(config, name);
  const { cursorSecret, gatewayPublicKey } = config.security;
  const problems: string[] = [];
  if (config.production && !settings.databaseUrl && !DATABASELESS_SUBGRAPHS.includes(name)) {
    const strays = config.strayDatabaseVariables.length > 0 ? ` (set but unknown: ${config.strayDatabaseVariables.join(', ')})` : '';
    problems.push(`${name.toUpperCase()}_DATABASE_URL must be set with NODE_ENV=production: the embedded database keeps nothing across restarts${strays}`);
  }
  if (!gatewayPublicKey) problems.push("GATEWAY_PUBLIC_KEY must be set (the gateway's ES256 public key, PEM): subgraphs check forwarded identities with it");
  if (!cursorSecret) problems.push('CURSOR_SECRET must be set: subgraphs seal their page cursors with it (npm run -s secrets makes one)');
  if (problems.length > 0 || !gatewayPublicKey || !cursorSecret) throw new ConfigError(problems);
  return { ...settings, cursorSecret, gatewayPublicKey };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
