import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795457299814 implements MigrationInterface {
  name = 'InitialSchema1795457299814';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`library\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(200) NOT NULL, \`province\` varchar(20) NOT NULL, \`municipalities\` text NOT NULL, \`main_city\` varchar(100) NULL, \`wise_instance_code\` varchar(20) NOT NULL, \`member_count\` int NOT NULL, INDEX \`idx_library_province\` (\`province\`), INDEX \`idx_library_name\` (\`name\`), UNIQUE INDEX \`IDX_9b8e3ab23b5c469d484f6e4156\` (\`wise_instance_code\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`branch\` (\`id\` int NOT NULL AUTO_INCREMENT, \`library_id\` int NOT NULL, \`name\` varchar(200) NOT NULL, \`city\` varchar(100) NOT NULL, \`postal_code\` varchar(7) NOT NULL, \`is_main\` tinyint NOT NULL, INDEX \`idx_branch_library\` (\`library_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`contract\` (\`id\` int NOT NULL AUTO_INCREMENT, \`library_id\` int NOT NULL, \`services\` text NOT NULL, \`starts_on\` date NOT NULL, \`ends_on\` date NOT NULL, \`status\` varchar(20) NOT NULL, \`annual_fee\` decimal(12,2) NOT NULL, \`notice_period_months\` int NOT NULL, INDEX \`idx_contract_library\` (\`library_id\`, \`status\`), INDEX \`idx_contract_ends_on\` (\`ends_on\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`vendor_contract\` (\`id\` int NOT NULL AUTO_INCREMENT, \`vendor\` varchar(100) NOT NULL, \`product\` varchar(200) NOT NULL, \`starts_on\` date NOT NULL, \`ends_on\` date NOT NULL, \`annual_fee\` decimal(12,2) NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`ticket\` (\`id\` int NOT NULL AUTO_INCREMENT, \`library_id\` int NOT NULL, \`title\` varchar(300) NOT NULL, \`category\` varchar(20) NOT NULL, \`priority\` varchar(2) NOT NULL, \`status\` varchar(20) NOT NULL, \`opened_at\` datetime NOT NULL, \`resolved_at\` datetime NULL, \`agenda_item_id\` varchar(40) NULL, INDEX \`idx_ticket_library_opened\` (\`library_id\`, \`opened_at\`), INDEX \`idx_ticket_status\` (\`status\`), INDEX \`idx_ticket_opened\` (\`opened_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`knowledge_article\` (\`id\` int NOT NULL AUTO_INCREMENT, \`title\` varchar(300) NOT NULL, \`summary\` varchar(1000) NOT NULL, \`body\` text NOT NULL, \`tags\` text NOT NULL, \`source\` varchar(100) NOT NULL, \`updated_at\` datetime NOT NULL, INDEX \`idx_knowledge_updated\` (\`updated_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`branch\` ADD CONSTRAINT \`FK_4a4c4146356eabe2d9c581558de\` FOREIGN KEY (\`library_id\`) REFERENCES \`library\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`contract\` ADD CONSTRAINT \`FK_4d6bf5e5e20a1e01170042b5f0d\` FOREIGN KEY (\`library_id\`) REFERENCES \`library\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`ticket\` ADD CONSTRAINT \`FK_3b3f5be2da1ba66d813141e9876\` FOREIGN KEY (\`library_id\`) REFERENCES \`library\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP FOREIGN KEY \`FK_3b3f5be2da1ba66d813141e9876\``);
    await queryRunner.query(`ALTER TABLE \`contract\` DROP FOREIGN KEY \`FK_4d6bf5e5e20a1e01170042b5f0d\``);
    await queryRunner.query(`ALTER TABLE \`branch\` DROP FOREIGN KEY \`FK_4a4c4146356eabe2d9c581558de\``);
    await queryRunner.query(`DROP INDEX \`idx_knowledge_updated\` ON \`knowledge_article\``);
    await queryRunner.query(`DROP TABLE \`knowledge_article\``);
    await queryRunner.query(`DROP INDEX \`idx_ticket_opened\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`idx_ticket_status\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`idx_ticket_library_opened\` ON \`ticket\``);
    await queryRunner.query(`DROP TABLE \`ticket\``);
    await queryRunner.query(`DROP TABLE \`vendor_contract\``);
    await queryRunner.query(`DROP INDEX \`idx_contract_ends_on\` ON \`contract\``);
    await queryRunner.query(`DROP INDEX \`idx_contract_library\` ON \`contract\``);
    await queryRunner.query(`DROP TABLE \`contract\``);
    await queryRunner.query(`DROP INDEX \`idx_branch_library\` ON \`branch\``);
    await queryRunner.query(`DROP TABLE \`branch\``);
    await queryRunner.query(`DROP INDEX \`IDX_9b8e3ab23b5c469d484f6e4156\` ON \`library\``);
    await queryRunner.query(`DROP INDEX \`idx_library_name\` ON \`library\``);
    await queryRunner.query(`DROP INDEX \`idx_library_province\` ON \`library\``);
    await queryRunner.query(`DROP TABLE \`library\``);
  }
}
