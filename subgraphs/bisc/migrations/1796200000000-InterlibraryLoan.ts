import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

// 'integer', as TypeORM spells int on SQLite (and AUTOINCREMENT needs it); MySQL reads it as int.
const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
const version = { name: 'version', type: 'integer', default: 1 };

/**
 * BiSC's interlibrary-loan transport tables (../entities.ts). Declared with TypeORM's portable
 * table API, so the migration runs on MySQL/MariaDB and SQLite alike.
 */
export class InterlibraryLoan1796200000000 implements MigrationInterface {
  name = 'InterlibraryLoan1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'bisc_transport_run',
        columns: [
          id,
          { name: 'run_on', type: 'date' },
          { name: 'route', type: 'varchar', length: '100' },
          { name: 'status', type: 'varchar', length: '20' },
          version,
        ],
        indices: [
          new TableIndex({ name: 'idx_bisc_run_on', columnNames: ['run_on'] }),
          new TableIndex({ name: 'idx_bisc_run_status', columnNames: ['status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bisc_transport_stop',
        columns: [
          id,
          { name: 'run_id', type: 'integer' },
          { name: 'sequence', type: 'integer' },
          { name: 'branch_id', type: 'integer' },
          { name: 'planned_at', type: 'datetime' },
          { name: 'arrived_at', type: 'datetime', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'uq_bisc_stop_run_sequence', columnNames: ['run_id', 'sequence'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bisc_interlibrary_loan',
        columns: [
          id,
          { name: 'item_title', type: 'varchar', length: '300' },
          { name: 'lending_branch_id', type: 'integer' },
          { name: 'requesting_branch_id', type: 'integer' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'requested_at', type: 'datetime' },
          { name: 'due_on', type: 'date' },
          { name: 'run_id', type: 'integer', isNullable: true },
          { name: 'delivered_at', type: 'datetime', isNullable: true },
          version,
        ],
        indices: [
          new TableIndex({ name: 'idx_bisc_loan_status', columnNames: ['status'] }),
          new TableIndex({ name: 'idx_bisc_loan_requested', columnNames: ['requested_at'] }),
          new TableIndex({ name: 'idx_bisc_loan_delivered', columnNames: ['delivered_at'] }),
          new TableIndex({ name: 'idx_bisc_loan_run', columnNames: ['run_id'] }),
          new TableIndex({ name: 'idx_bisc_loan_lending', columnNames: ['lending_branch_id'] }),
          new TableIndex({ name: 'idx_bisc_loan_requesting', columnNames: ['requesting_branch_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('bisc_interlibrary_loan');
    await queryRunner.dropTable('bisc_transport_stop');
    await queryRunner.dropTable('bisc_transport_run');
  }
}
