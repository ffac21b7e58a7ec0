import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Release planning in a POI's own database: its acceptance test of each Wise release
 * (`release_acceptance`), and a request's link to the release it is about (`ticket.release_version`).
 * Declared with TypeORM's portable API, so it runs on MySQL/MariaDB and SQLite alike.
 */
export class ReleaseAcceptance1796520000000 implements MigrationInterface {
  name = 'ReleaseAcceptance1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'release_acceptance',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'release_version', type: 'varchar', length: '30' },
          { name: 'test_status', type: 'varchar', length: '20' },
          { name: 'planned_go_live_on', type: 'date', isNullable: true },
          { name: 'actual_go_live_on', type: 'date', isNullable: true },
          { name: 'notes', type: 'text', isNullable: true },
          { name: 'version', type: 'integer', default: 1 },
        ],
        indices: [new TableIndex({ name: 'uq_release_acceptance_version', columnNames: ['release_version'], isUnique: true })],
      }),
    );
    await queryRunner.addColumn('ticket', new TableColumn({ name: 'release_version', type: 'varchar', length: '30', isNullable: true }));
    await queryRunner.createIndex('ticket', new TableIndex({ name: 'idx_ticket_release', columnNames: ['release_version', 'opened_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('ticket', 'idx_ticket_release');
    await queryRunner.dropColumn('ticket', 'release_version');
    await queryRunner.dropTable('release_acceptance');
  }
}
