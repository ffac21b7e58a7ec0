import { MigrationInterface, QueryRunner } from 'typeorm';

export class WritesAndAudit1795460074616 implements MigrationInterface {
  name = 'WritesAndAudit1795460074616';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`audit_entry\` (\`id\` int NOT NULL AUTO_INCREMENT, \`at\` datetime NOT NULL, \`actor\` varchar(200) NOT NULL, \`via\` varchar(20) NOT NULL, \`entity\` varchar(30) NOT NULL, \`entity_id\` varchar(60) NOT NULL, \`action\` varchar(10) NOT NULL, \`changes\` text NOT NULL, INDEX \`idx_audit_entity\` (\`entity\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(`ALTER TABLE \`library\` ADD \`version\` int NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE \`contract\` ADD \`version\` int NOT NULL DEFAULT '1'`);
    // Existing requests get a number from their id before the column becomes required and unique.
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD \`reference\` varchar(40) NULL`);
    await queryRunner.query(`UPDATE \`ticket\` SET \`reference\` = CONCAT('T-', LPAD(\`id\`, 6, '0')) WHERE \`reference\` IS NULL`);
    await queryRunner.query(`ALTER TABLE \`ticket\` MODIFY \`reference\` varchar(40) NOT NULL`);
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD UNIQUE INDEX \`IDX_99998d8d0b7bb1046051f15d5c\` (\`reference\`)`);
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD \`assignee\` varchar(100) NULL`);
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD \`version\` int NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE \`knowledge_article\` ADD \`version\` int NOT NULL DEFAULT '1'`);
    // Names become unique per library: an existing duplicate gets its id appended first.
    await queryRunner.query(
      `UPDATE \`branch\` SET \`name\` = CONCAT(\`name\`, ' #', \`id\`) WHERE \`id\` IN (SELECT id FROM (SELECT later.id FROM \`branch\` later JOIN \`branch\` earlier ON later.library_id = earlier.library_id AND later.name = earlier.name AND later.id > earlier.id) duplicates)`,
    );
    await queryRunner.query(
      `UPDATE \`knowledge_article\` SET \`title\` = CONCAT(\`title\`, ' #', \`id\`) WHERE \`id\` IN (SELECT id FROM (SELECT later.id FROM \`knowledge_article\` later JOIN \`knowledge_article\` earlier ON later.source = earlier.source AND later.title = earlier.title AND later.id > earlier.id) duplicates)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX \`uq_branch_library_name\` ON \`branch\` (\`library_id\`, \`name\`)`);
    await queryRunner.query(`CREATE UNIQUE INDEX \`uq_contract_library_start\` ON \`contract\` (\`library_id\`, \`starts_on\`)`);
    await queryRunner.query(`CREATE UNIQUE INDEX \`uq_knowledge_source_title\` ON \`knowledge_article\` (\`source\`, \`title\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`uq_knowledge_source_title\` ON \`knowledge_article\``);
    await queryRunner.query(`DROP INDEX \`uq_contract_library_start\` ON \`contract\``);
    await queryRunner.query(`DROP INDEX \`uq_branch_library_name\` ON \`branch\``);
    await queryRunner.query(`ALTER TABLE \`knowledge_article\` DROP COLUMN \`version\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP COLUMN \`version\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP COLUMN \`assignee\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP INDEX \`IDX_99998d8d0b7bb1046051f15d5c\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP COLUMN \`reference\``);
    await queryRunner.query(`ALTER TABLE \`contract\` DROP COLUMN \`version\``);
    await queryRunner.query(`ALTER TABLE \`library\` DROP COLUMN \`version\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_entity\` ON \`audit_entry\``);
    await queryRunner.query(`DROP TABLE \`audit_entry\``);
  }
}
