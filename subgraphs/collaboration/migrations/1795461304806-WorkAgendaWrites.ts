import { MigrationInterface, QueryRunner } from 'typeorm';

export class WorkAgendaWrites1795461304806 implements MigrationInterface {
  name = 'WorkAgendaWrites1795461304806';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`audit_entry\` (\`id\` int NOT NULL AUTO_INCREMENT, \`at\` datetime NOT NULL, \`actor\` varchar(200) NOT NULL, \`via\` varchar(20) NOT NULL, \`entity\` varchar(30) NOT NULL, \`entity_id\` varchar(60) NOT NULL, \`action\` varchar(10) NOT NULL, \`changes\` text NOT NULL, INDEX \`idx_audit_entity\` (\`entity\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(`ALTER TABLE \`work_agenda_item\` ADD \`version\` int NOT NULL DEFAULT '1'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`work_agenda_item\` DROP COLUMN \`version\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_entity\` ON \`audit_entry\``);
    await queryRunner.query(`DROP TABLE \`audit_entry\``);
  }
}
