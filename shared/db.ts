import 'reflect-metadata';
import { DataSource, EntityManager, EntitySchema, Logger as TypeOrmLogger, MigrationInterface } from 'typeorm';

/** Counts every SQL statement a data source sends; tests and benchmarks read it. */
export class StatementCounter implements TypeOrmLogger {
  count = 0;
  logQuery(): void {
    this.count += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** Any entity's schema: lists of entities of different row types (EntitySchema is invariant in its row type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type AnyEntitySchema = EntitySchema<any>;

/** What a subgraph's database holds: its entities, and the migrations that build them on MySQL. */
export interface DatabaseSchema {
  entities: AnyEntitySchema[];
  migrations: (new () => MigrationInterface)[];
}

export interface DatabaseOptions extends DatabaseSchema {
  /** Used in error messages only. */
  subgraph: string;
  /** MySQL/MariaDB URL; absent means a fresh embedded (sql.js) database in memory. */
  databaseUrl?: string;
  poolSize: number;
}

export interface Database {
  dataSource: DataSource;
  statements: StatementCounter;
  kind: 'mysql' | 'embedded';
}

/**
 * Opens one subgraph's own database. MySQL schemas are created and evolved only by the
 * checked-in migrations; the embedded database is new on every start, so it is built from the
 * entities.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const statements = new StatementCounter();
  if (options.databaseUrl) {
    const dataSource = new DataSource({
      type: 'mysql',
      url: options.databaseUrl.replace(/^mariadb:/, 'mysql:'),
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      poolSize: options.poolSize,
      entities: options.entities,
      migrations: options.migrations,
      migrationsTableName: 'migrations',
      logger: statements,
    });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    return { dataSource, statements, kind: 'mysql' };
  }
  const dataSource = new DataSource({
    type: 'sqljs',
    autoSave: false,
    entities: options.entities,
    logger: statements,
  });
  await dataSource.initialize();
  await dataSource.synchronize();
  return { dataSource, statements, kind: 'embedded' };
}

/** Network-level failures of the MySQL driver: the server is down, unreachable, or dropped the connection. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);
/** Refusals a retry cannot mend (wrong user, password or schema), even where mysql2 marks them `fatal`. */
const REFUSED_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);
/** TypeORM's errors for a data source whose pool is closed (or never opened). */
const NOT_CONNECTED = new Set(['CannotExecuteNotConnectedError', 'ConnectionIsNotSetError', 'CannotGetEntityManagerNotConnectedError']);

/**
 * Whether `error` says the database cannot be reached (an outage: worth retrying later), rather
 * than that a statement failed (a bug or bad data). mysql2 also marks connection-level errors `fatal`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, fatal, name } = error as { code?: unknown; fatal?: unknown; name?: unknown };
  if (typeof code === 'string' && REFUSED_CODES.has(code)) return false;
  return (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || fatal === true || (typeof name === 'string' && NOT_CONNECTED.has(name));
}

/** The tail of each embedded database's queue of transactions. */
const embeddedQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in one transaction. MySQL gives every transaction its own pooled connection. The
 * embedded engine (sql.js) has a single connection, where a second BEGIN before the first COMMIT
 * fails (or mixes two writes into one transaction), so there transactions wait their turn: each
 * commits or rolls back on its own. On MySQL a transaction that InnoDB chose as a deadlock's victim
 * (rolled back whole) runs again, at most `DEADLOCK_ATTEMPTS` times in all: two writes in one
 * request run in parallel and may lock the same rows in different orders. Every write path (mutations, imports, seeds) goes through
 * here; `work` must not call it again (it would wait for itself).
 */
export function transaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'sqljs') return retryingDeadlocks(() => dataSource.transaction(work));
  const run = (embeddedQueues.get(dataSource) ?? Promise.resolve()).then(() => dataSource.transaction(work));
  embeddedQueues.set(
    dataSource,
    run.catch(() => undefined),
  );
  return run;
}

/** How often a transaction runs at most when each run is a deadlock's victim. */
export const DEADLOCK_ATTEMPTS = 3;

/** InnoDB's "Deadlock found when trying to get lock; try restarting transaction" (1213); TypeORM's QueryFailedError carries the driver's code. */
export function isDeadlock(error: unknown): boolean {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  return code === 'ER_LOCK_DEADLOCK' || driverError?.code === 'ER_LOCK_DEADLOCK';
}

async function retryingDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
      // The other transaction holds its locks until it commits: give it a moment, a little apart each time.
      await new Promise((resolve) => setTimeout(resolve, attempt * 10 + Math.random() * 20));
    }
  }
}

/** DECIMAL comes back from mysql2 as a string; the API speaks numbers. */
export const decimalToNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

const CHUNK_ROWS = 500;
/** An INSERT stays under this many bytes of values (MySQL's max_allowed_packet is larger). */
const CHUNK_BYTES = 4_000_000;

/**
 * Bulk insert: multi-row INSERTs with `?` placeholders (MySQL and sql.js alike), every value
 * prepared by the driver as TypeORM's own insert does (dates, JSON, booleans, transformers), at
 * most 500 rows and about 4 MB per statement. TypeORM's insert builder takes about five times as
 * long for the same rows. Columns no row gives (e.g. a generated id, a defaulted version) are
 * left to the database.
 */
export async function insertInChunks(manager: EntityManager, entity: AnyEntitySchema, rows: object[], onChunk?: (count: number) => void): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const given = (column: { propertyName: string }) => rows.some((row) => (row as Record<string, unknown>)[column.propertyName] !== undefined);
  const columns = metadata.columns.filter(given);
  const head = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  // The same object in consecutive rows (e.g. an import's one audit time) is prepared once.
  const last = columns.map(() => ({ value: undefined as unknown, prepared: undefined as unknown }));
  let parameters: unknown[] = [];
  let count = 0;
  let bytes = 0;
  const flush = async () => {
    if (count === 0) return;
    await manager.query(head + new Array(count).fill(tuple).join(', '), parameters);
    onChunk?.(count);
    parameters = [];
    count = 0;
    bytes = 0;
  };
  for (const row of rows) {
    const values = columns.map((column, i) => {
      const value = (row as Record<string, unknown>)[column.propertyName] ?? null;
      if (value !== null && typeof value === 'object' && last[i].value === value) return last[i].prepared;
      const prepared = driver.preparePersistentValue(value, column) ?? null;
      last[i] = { value, prepared };
      return prepared;
    });
    const size = values.reduce<number>((sum, v) => sum + (typeof v === 'string' ? v.length : 8), 0);
    if (count > 0 && (count >= CHUNK_ROWS || bytes + size > CHUNK_BYTES)) await flush();
    parameters.push(...values);
    count += 1;
    bytes += size;
  }
  await flush();
}

/** Empties tables in the given order (children before parents, so no foreign key breaks). */
export async function deleteAllRows(manager: EntityManager, entities: AnyEntitySchema[]): Promise<void> {
  for (const entity of entities) await manager.createQueryBuilder().delete().from(entity).execute();
}
