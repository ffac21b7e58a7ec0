import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Musidesk's tables (subgraphs/rijnbrink/musidesk/entities.ts). Declared with TypeORM's portable
 * table API, so the migration runs on MySQL/MariaDB and SQLite alike.
 */
export class Musidesk1796300000000 implements MigrationInterface {
  name = 'Musidesk1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' } as const;
    const version = { name: 'version', type: 'integer', default: 1 };
    await queryRunner.createTable(
      new Table({
        name: 'rijnbrink_sheet_music',
        columns: [
          id,
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'composer', type: 'varchar', length: '200' },
          { name: 'arranger', type: 'varchar', length: '200', isNullable: true },
          { name: 'ensemble_type', type: 'varchar', length: '20' },
          { name: 'instrumentation', type: 'varchar', length: '100' },
          { name: 'grade', type: 'integer' },
          { name: 'sets', type: 'integer' },
          version,
        ],
        indices: [
          new TableIndex({ name: 'idx_rijnbrink_sheet_music_title', columnNames: ['title'] }),
          new TableIndex({ name: 'idx_rijnbrink_sheet_music_ensemble', columnNames: ['ensemble_type'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'rijnbrink_sheet_music_loan',
        columns: [
          id,
          { name: 'sheet_music_id', type: 'integer' },
          { name: 'ensemble_name', type: 'varchar', length: '200' },
          { name: 'ensemble_type', type: 'varchar', length: '20' },
          { name: 'place', type: 'varchar', length: '100' },
          { name: 'sets', type: 'integer' },
          { name: 'lent_on', type: 'date' },
          { name: 'due_on', type: 'date' },
          { name: 'returned_on', type: 'date', isNullable: true },
          version,
        ],
        indices: [
          new TableIndex({ name: 'idx_rijnbrink_loan_sheet_music', columnNames: ['sheet_music_id', 'returned_on'] }),
          new TableIndex({ name: 'idx_rijnbrink_loan_lent_on', columnNames: ['lent_on'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['sheet_music_id'],
            referencedTableName: 'rijnbrink_sheet_music',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('rijnbrink_sheet_music_loan');
    await queryRunner.dropTable('rijnbrink_sheet_music');
  }
}
