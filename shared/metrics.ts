import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { defaultFieldResolver, GraphQLSchema } from 'graphql';
import { CIRCUIT_STATES, type CircuitBreaker } from './circuit-breaker';
import type { Database } from './db';
import type { BuildInfo } from './release';

/**
 * Prometheus metrics. Every server has its own Registry (never prom-client's global one), so
 * several servers in one process (as in the tests) never clash; the process metrics (CPU,
 * memory, event loop, GC) are collected once per process and appended to every server's output.
 */

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A new registry for one server; every metric in it is labelled with the service's name. */
export function createMetricsRegistry(service: string): Registry {
  processMetrics();
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  return registry;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** `<name>{subgraph,state}`: 1 for each circuit's current state (closed, half-open, open), 0 for the others. */
export function recordCircuitStates(registry: Registry, name: string, help: string, circuits: () => Iterable<[string, CircuitBreaker]>): void {
  new Gauge({
    name,
    help,
    labelNames: ['subgraph', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [subgraph, breaker] of circuits()) {
        const current = breaker.state;
        for (const state of CIRCUIT_STATES) this.set({ subgraph, state }, state === current ? 1 : 0);
      }
    },
  });
}

/** The text a `/metrics` scrape gets: this server's metrics, then the process's. */
export async function renderMetrics(registry: Registry): Promise<string> {
  const own = await registry.metrics();
  const process = await processMetrics().metrics();
  return `${own.trimEnd()}\n\n${process}`;
}

/**
 * Caps a label's cardinality: the first `limit` distinct values keep their own label, later
 * ones (and overlong ones) become "other", so clients cannot grow the series without bound.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly maxLength = 100,
  ) {}

  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (raw.length > this.maxLength || this.seen.size >= this.limit) return 'other';
    this.seen.add(raw);
    return raw;
  }
}

/** Seconds, for request-level durations. */
export const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds, for single SQL statements and resolvers. */
export const FINE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The `code` of a GraphQL error as a metric label. */
export function errorCode(error: { extensions?: Record<string, unknown> } | undefined, fallback = 'UNKNOWN'): string {
  const code = error?.extensions?.code;
  return typeof code === 'string' && code !== '' ? code : fallback;
}

/**
 * Duration per operation and errors per code of one GraphQL server:
 * `<prefix>_request_duration_seconds{operation}` (its `_count` is the request count) and
 * `<prefix>_errors_total{code}`. Unnamed operations are "anonymous"; after 200 distinct names,
 * new ones are "other".
 */
export class OperationMetrics {
  private readonly duration: Histogram<'operation'>;
  private readonly errors: Counter<'code'>;
  private readonly operations = new BoundedLabel(200);
  private readonly codes = new BoundedLabel(50, 64);

  constructor(registry: Registry, prefix: string) {
    this.duration = new Histogram({
      name: `${prefix}_request_duration_seconds`,
      help: 'GraphQL requests by operation name: duration in seconds (_count is the number of requests)',
      labelNames: ['operation'],
      buckets: REQUEST_BUCKETS,
      registers: [registry],
    });
    this.errors = new Counter({
      name: `${prefix}_errors_total`,
      help: 'Errors in GraphQL responses, by extensions.code',
      labelNames: ['code'],
      registers: [registry],
    });
  }

  observe(operationName: string | null | undefined, seconds: number, errorCodes: string[]): void {
    this.duration.observe({ operation: operationName ? this.operations.value(operationName) : 'anonymous' }, seconds);
    for (const code of errorCodes) this.errors.inc({ code: this.codes.value(code) });
  }
}

/**
 * Times a subgraph's root field resolvers (`Query.pois`, `Query._entities`, `Mutation.*`, …) into
 * `subgraph_resolver_duration_seconds{field}`, until the value (or its promise) is there. Only
 * root fields are wrapped, so nested fields cost nothing extra; their SQL shows in the SQL
 * histogram.
 */
export function timeRootResolvers(registry: Registry, schema: GraphQLSchema): void {
  // One histogram per registry, however often the schema is rebuilt (a reloaded schema).
  const name = 'subgraph_resolver_duration_seconds';
  const histogram =
    (registry.getSingleMetric(name) as Histogram<'field'> | undefined) ??
    new Histogram({
      name,
      help: 'Root field resolvers (Query.*, Mutation.*, Query._entities): duration in seconds',
      labelNames: ['field'],
      buckets: FINE_BUCKETS,
      registers: [registry],
    });
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const labels = { field: `${type!.name}.${field.name}` };
      field.resolve = (source, args, context, info) => {
        const done = histogram.startTimer(labels);
        try {
          const value = resolve(source, args, context, info);
          if (value instanceof Promise) return value.finally(done);
          done();
          return value;
        } catch (error) {
          done();
          throw error;
        }
      };
    }
  }
}

/** `subgraph_build_info{kit_version, schema_fingerprint} 1`: which build this subgraph runs. */
export function recordBuildInfo(registry: Registry, build: BuildInfo): void {
  new Gauge({
    name: 'subgraph_build_info',
    help: 'Always 1; its labels say what this subgraph is built from: the POI kit version (none: not built on the kit) and its schema fingerprint',
    labelNames: ['kit_version', 'schema_fingerprint'],
    registers: [registry],
  }).set({ kit_version: build.kitVersion, schema_fingerprint: build.schemaFingerprint }, 1);
}

function statementKind(sql: string): string {
  const word = /^\s*\(?\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  if (word === 'with') return 'select';
  return word && ['select', 'insert', 'update', 'delete', 'begin', 'start', 'commit', 'rollback', 'savepoint', 'release'].includes(word) ? word : 'other';
}

/**
 * A subgraph's database metrics: SQL statement durations and failures by kind of statement
 * (from TypeORM's afterQuery event, which TypeORM times in whole milliseconds), and the
 * connection pool (mysql2: connections open, idle, the limit and requests waiting; the embedded
 * database is one connection, always free).
 */
export function instrumentDatabase(registry: Registry, database: Database): void {
  const duration = new Histogram({
    name: 'subgraph_sql_duration_seconds',
    help: 'SQL statements: duration in seconds, by kind (select, insert, update, delete, …); TypeORM times them in whole milliseconds',
    labelNames: ['statement'],
    buckets: FINE_BUCKETS,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'subgraph_sql_errors_total',
    help: 'SQL statements that failed, by kind',
    labelNames: ['statement'],
    registers: [registry],
  });
  database.dataSource.subscribers.push({
    afterQuery(event) {
      const statement = statementKind(event.query);
      if (!event.success) failures.inc({ statement });
      else if (event.executionTime !== undefined) duration.observe({ statement }, event.executionTime / 1000);
    },
  });

  const pool = () => poolUsage(database);
  new Gauge({
    name: 'subgraph_db_pool_connections',
    help: 'Database connections: total (open) and free (idle)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const usage = pool();
      this.set({ state: 'total' }, usage.total);
      this.set({ state: 'free' }, usage.free);
    },
  });
  new Gauge({
    name: 'subgraph_db_pool_max_connections',
    help: 'The most connections the pool opens',
    registers: [registry],
    collect() {
      this.set(pool().max);
    },
  });
  new Gauge({
    name: 'subgraph_db_pool_waiting_requests',
    help: 'Requests waiting for a free connection',
    registers: [registry],
    collect() {
      this.set(pool().waiting);
    },
  });
}

interface PoolUsage {
  total: number;
  free: number;
  max: number;
  waiting: number;
}

/** mysql2's pool keeps its counts in fields without a public accessor; read them defensively. */
export function poolUsage(database: Pick<Database, 'kind' | 'dataSource'>): PoolUsage {
  if (database.kind === 'embedded') return { total: 1, free: 1, max: 1, waiting: 0 };
  const pool = (database.dataSource.driver as unknown as { pool?: MysqlPoolInternals }).pool;
  if (!pool) return { total: 0, free: 0, max: 0, waiting: 0 };
  return {
    total: pool._allConnections?.length ?? 0,
    free: pool._freeConnections?.length ?? 0,
    max: pool.config?.connectionLimit ?? 0,
    waiting: pool._connectionQueue?.length ?? 0,
  };
}

interface MysqlPoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}
