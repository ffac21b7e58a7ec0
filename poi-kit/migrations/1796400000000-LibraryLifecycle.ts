import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropIndex } from '../../shared/portable-migrations';

/** Library lifecycle: ACTIVE or MERGED, the days it was active, and the library it merged into. Runs on MySQL and SQLite. */
export class LibraryLifecycle1796400000000 implements MigrationInterface {
  name = 'LibraryLifecycle1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`library\` ADD \`status\` varchar(10) NOT NULL DEFAULT 'ACTIVE'`);
    await queryRunner.query(`ALTER TABLE \`library\` ADD \`active_from\` date NULL`);
    await queryRunner.query(`ALTER TABLE \`library\` ADD \`active_until\` date NULL`);
    await queryRunner.query(`ALTER TABLE \`library\` ADD \`successor_id\` int NULL`);
    await queryRunner.query(`CREATE INDEX \`idx_library_status\` ON \`library\` (\`status\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropIndex(queryRunner, 'library', 'idx_library_status');
    await queryRunner.query(`ALTER TABLE \`library\` DROP COLUMN \`successor_id\``);
    await queryRunner.query(`ALTER TABLE \`library\` DROP COLUMN \`active_until\``);
    await queryRunner.query(`ALTER TABLE \`library\` DROP COLUMN \`active_from\``);
    await queryRunner.query(`ALTER TABLE \`library\` DROP COLUMN \`status\``);
  }
}
