// What a hand-written migration needs where MySQL/MariaDB and SQLite (the embedded default) speak
// differently. Every migration from 1796600000000 on runs on both engines (README "Migrations"):
// prefer TypeORM's QueryRunner API (createTable, addColumn, createIndex, …), else these.
import type { QueryRunner } from 'typeorm';

/** Whether a migration runs on the embedded engine (SQLite) rather than MySQL/MariaDB. */
export const onSqlite = (queryRunner: QueryRunner) => queryRunner.connection.options.type !== 'mysql';

/** DROP INDEX: MySQL names the index's table, SQLite's index names are the database's own. */
export function dropIndex(queryRunner: QueryRunner, table: string, index: string): Promise<unknown> {
  return queryRunner.query(onSqlite(queryRunner) ? `DROP INDEX \`${index}\`` : `DROP INDEX \`${index}\` ON \`${table}\``);
}
