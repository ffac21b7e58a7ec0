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

export interface DatabaseOptions {
  /** Used in error messages only. */
  subgraph: string;
  /** MySQL/MariaDB URL; absent means a fresh embedded (sql.js) database in memory. */
  databaseUrl?: string;
  entities: EntitySchema<any>[];
  migrations: (new () => MigrationInterface)[];
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

/** DECIMAL comes back from mysql2 as a string; the API speaks numbers. */
export const decimalToNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** Bulk insert in statements of at most 500 rows. */
export async function insertInChunks(manager: EntityManager, entity: EntitySchema<any>, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await manager.insert(entity, rows.slice(i, i + 500));
}

/** Empties tables in the given order (children before parents, so no foreign key breaks). */
export async function deleteAllRows(manager: EntityManager, entities: EntitySchema<any>[]): Promise<void> {
  for (const entity of entities) await manager.createQueryBuilder().delete().from(entity).execute();
}
