import { QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The `idempotency_key` table (shared/idempotency.ts), the same in every subgraph that writes.
 * Declared with TypeORM's portable table API, so the migration runs on MySQL/MariaDB and SQLite alike.
 */
export async function createIdempotencyKeyTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: 'idempotency_key',
      columns: [
        { name: 'id', type: 'varchar', length: '64', isPrimary: true },
        { name: 'request_key', type: 'varchar', length: '64' },
        { name: 'subject', type: 'varchar', length: '200' },
        { name: 'fingerprint', type: 'varchar', length: '64' },
        { name: 'answer', type: 'text', isNullable: true },
        { name: 'created_at', type: 'datetime' },
      ],
      indices: [
        new TableIndex({ name: 'idx_idempotency_request', columnNames: ['request_key'] }),
        new TableIndex({ name: 'idx_idempotency_created', columnNames: ['created_at'] }),
      ],
    }),
  );
}

export async function dropIdempotencyKeyTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.dropTable('idempotency_key');
}
