import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The release planning of Wise (src/entities.ts WiseReleaseEntity). Declared with TypeORM's
 * portable table API, so it runs on MySQL/MariaDB and SQLite alike.
 */
export class WiseReleases1796520000000 implements MigrationInterface {
  name = 'WiseReleases1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'wise_release',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'wise_version', type: 'varchar', length: '30' },
          { name: 'released_on', type: 'date' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'notes', type: 'text' },
          { name: 'version', type: 'integer', default: 1 },
        ],
        indices: [
          new TableIndex({ name: 'uq_wise_release_version', columnNames: ['wise_version'], isUnique: true }),
          new TableIndex({ name: 'idx_wise_release_released_on', columnNames: ['released_on'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('wise_release');
  }
}
