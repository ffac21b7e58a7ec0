import path from 'node:path';
import { isCalendarDate } from './dates';
import { POIS } from './registry';

/** Where one subgraph listens, where the gateway reaches it, and which database it uses. */
export interface SubgraphConfig {
  name: string;
  port: number;
  /** URL the gateway sends this subgraph's fetches to. */
  url: string;
  /** `mysql://user:password@host:port/schema`; absent means the embedded database. */
  databaseUrl?: string;
}

export interface Config {
  /** Interface every server binds to. */
  host: string;
  gateway: {
    port: number;
    supergraphPath: string;
    /** Per subgraph fetch: timeout, and the circuit breaker's threshold and cool-down. */
    resilience: { timeoutMs: number; failureThreshold: number; cooldownMs: number };
    /** Development switch: answer `Apollo-Query-Plan-Experimental` requests with the query plan. */
    exposeQueryPlan: boolean;
  };
  /** The collaboration subgraph first, then one per registered POI. */
  subgraphs: readonly SubgraphConfig[];
  database: { poolSize: number };
  seed: { scale: number; referenceDate: string };
  logLevel: string;
  /** OTLP/HTTP endpoint (base URL) traces are exported to; absent: no tracing at all. */
  otlpEndpoint?: string;
}

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const SUBGRAPH_NAMES: readonly string[] = ['collaboration', ...POIS.map((p) => p.subgraphName)];
const DEFAULT_PORTS: Record<string, number> = { collaboration: 4001, ...Object.fromEntries(POIS.map((p) => [p.subgraphName, p.port])) };
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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
  const gatewayPort = integer('GATEWAY_PORT', 4000, 0, 65535);
  const subgraphs = SUBGRAPH_NAMES.map((name): SubgraphConfig => {
    const prefix = name.toUpperCase();
    const port = integer(`${prefix}_PORT`, DEFAULT_PORTS[name], 0, 65535);
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

  const config: Config = {
    host,
    gateway: {
      port: gatewayPort,
      supergraphPath: path.resolve(PROJECT_ROOT, env.SUPERGRAPH_PATH || 'supergraph.graphql'),
      resilience: {
        timeoutMs: integer('SUBGRAPH_TIMEOUT_MS', 5000, 50, 120_000),
        failureThreshold: integer('CIRCUIT_FAILURE_THRESHOLD', 5, 1, 1000),
        cooldownMs: integer('CIRCUIT_COOLDOWN_MS', 5000, 100, 600_000),
      },
      exposeQueryPlan,
    },
    subgraphs,
    database: { poolSize: integer('DB_POOL_SIZE', 10, 1, 200) },
    seed: { scale: integer('SEED_SCALE', 1, 1, 100), referenceDate },
    logLevel,
    otlpEndpoint,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

export function subgraphConfig(config: Config, name: string): SubgraphConfig {
  const found = config.subgraphs.find((s) => s.name === name);
  if (!found) throw new Error(`Unknown subgraph "${name}". Known: ${SUBGRAPH_NAMES.join(', ')}`);
  return found;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
