import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropIndex, onSqlite } from '../../shared/portable-migrations';

/**
 * Wise platforms: a library records the platform it runs on (a code of the collaboration's
 * WisePlatform; NULL: its POI's default platform from registry.json), and the invented per-library
 * Wise instance code goes. The library's natural key is its name (unique within the POI).
 * A database holding two libraries of the same name must have one renamed first. Runs on MySQL and
 * SQLite (whose down leaves the restored instance code nullable).
 */
export class WisePlatforms1796500000000 implements MigrationInterface {
  name = 'WisePlatforms1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`library\` ADD \`wise_platform_code\` varchar(40) NULL`);
    await dropIndex(queryRunner, 'library', 'IDX_9b8e3ab23b5c469d484f6e4156');
    await queryRunner.query(`ALTER TABLE \`library\` DROP COLUMN \`wise_instance_code\``);
    await dropIndex(queryRunner, 'library', 'idx_library_name');
    await queryRunner.query(`CREATE UNIQUE INDEX \`uq_library_name\` ON \`library\` (\`name\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropIndex(queryRunner, 'library', 'uq_library_name');
    await queryRunner.query(`CREATE INDEX \`idx_library_name\` ON \`library\` (\`name\`)`);
    // The instance codes are gone: give every library one from its id, as the old seed did.
    await queryRunner.query(`ALTER TABLE \`library\` ADD \`wise_instance_code\` varchar(20) NULL`);
    if (onSqlite(queryRunner)) {
      // SQLite cannot make a column NOT NULL without rebuilding the table: it stays nullable there.
      await queryRunner.query(`UPDATE \`library\` SET \`wise_instance_code\` = 'LIB-' || printf('%03d', \`id\`)`);
    } else {
      await queryRunner.query(`UPDATE \`library\` SET \`wise_instance_code\` = CONCAT('LIB-', LPAD(\`id\`, 3, '0'))`);
      await queryRunner.query(`ALTER TABLE \`library\` MODIFY \`wise_instance_code\` varchar(20) NOT NULL`);
    }
    await queryRunner.query(`CREATE UNIQUE INDEX \`IDX_9b8e3ab23b5c469d484f6e4156\` ON \`library\` (\`wise_instance_code\`)`);
    await queryRunner.query(`ALTER TABLE \`library\` DROP COLUMN \`wise_platform_code\``);
  }
}
