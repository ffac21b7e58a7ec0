import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * A library's harmonised Wise settings (settings harmonisation): one row per library that has them
 * (../entities.ts, LibrarySettingsEntity). Declared with TypeORM's portable table API, so it runs
 * on MySQL/MariaDB and SQLite alike.
 */
export class LibrarySettings1796530000001 implements MigrationInterface {
  name = 'LibrarySettings1796530000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'library_settings',
        columns: [
          // 'integer', as TypeORM spells int on SQLite (and AUTOINCREMENT needs it); MySQL reads it as int.
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'library_id', type: 'integer' },
          { name: 'loan_period_days', type: 'integer' },
          { name: 'reservation_fee_cents', type: 'integer' },
          { name: 'membership_fee_types', type: 'text' },
          { name: 'fine_policy', type: 'varchar', length: '10' },
          { name: 'fine_per_day_cents', type: 'integer', isNullable: true },
          { name: 'version', type: 'integer', default: 1 },
        ],
        indices: [new TableIndex({ name: 'uq_library_settings_library', columnNames: ['library_id'], isUnique: true })],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_9afc2b7836078b2b98865519b1d',
            columnNames: ['library_id'],
            referencedTableName: 'library',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('library_settings');
  }
}
