import { MigrationInterface, QueryRunner } from 'typeorm';

/** A library's harmonised Wise settings (settings harmonisation): one row per library that has them. */
export class LibrarySettings1796530000001 implements MigrationInterface {
  name = 'LibrarySettings1796530000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`library_settings\` (\`id\` int NOT NULL AUTO_INCREMENT, \`library_id\` int NOT NULL, \`loan_period_days\` int NOT NULL, \`reservation_fee_cents\` int NOT NULL, \`membership_fee_types\` text NOT NULL, \`fine_policy\` varchar(10) NOT NULL, \`fine_per_day_cents\` int NULL, \`version\` int NOT NULL DEFAULT 1, UNIQUE INDEX \`IDX_9afc2b7836078b2b98865519b1\` (\`library_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`library_settings\` ADD CONSTRAINT \`FK_9afc2b7836078b2b98865519b1d\` FOREIGN KEY (\`library_id\`) REFERENCES \`library\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`library_settings\` DROP FOREIGN KEY \`FK_9afc2b7836078b2b98865519b1d\``);
    await queryRunner.query(`DROP TABLE \`library_settings\``);
  }
}
