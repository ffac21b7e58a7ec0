import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795457301196 implements MigrationInterface {
  name = 'InitialSchema1795457301196';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`poi\` (\`code\` varchar(20) NOT NULL, \`name\` varchar(100) NOT NULL, \`full_name\` varchar(200) NOT NULL, \`seat\` varchar(100) NOT NULL, \`website\` varchar(200) NOT NULL, \`in_steering_group\` tinyint NOT NULL, PRIMARY KEY (\`code\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`poi_province\` (\`poi_code\` varchar(20) NOT NULL, \`province\` varchar(20) NOT NULL, INDEX \`idx_poi_province_province\` (\`province\`), PRIMARY KEY (\`poi_code\`, \`province\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`network_agenda_goal\` (\`id\` int NOT NULL AUTO_INCREMENT, \`code\` varchar(20) NOT NULL, \`title\` varchar(200) NOT NULL, \`description\` text NOT NULL, UNIQUE INDEX \`IDX_02400a034883c4f71d959cf662\` (\`code\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`work_agenda_item\` (\`id\` varchar(40) NOT NULL, \`title\` varchar(200) NOT NULL, \`description\` text NOT NULL, \`theme\` varchar(20) NOT NULL, \`status\` varchar(20) NOT NULL, \`due_on\` date NULL, \`owner_code\` varchar(20) NULL, \`goal_id\` int NULL, INDEX \`idx_work_agenda_due\` (\`due_on\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`work_agenda_participant\` (\`item_id\` varchar(40) NOT NULL, \`poi_code\` varchar(20) NOT NULL, PRIMARY KEY (\`item_id\`, \`poi_code\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`steering_group_member\` (\`id\` int NOT NULL AUTO_INCREMENT, \`poi_code\` varchar(20) NOT NULL, \`name\` varchar(100) NOT NULL, \`role\` varchar(100) NOT NULL, \`since\` date NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`poi_province\` ADD CONSTRAINT \`FK_df642a328130494d82a0d8b1f43\` FOREIGN KEY (\`poi_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`work_agenda_item\` ADD CONSTRAINT \`FK_ab0319f63f00c38635dc7d879a8\` FOREIGN KEY (\`owner_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`work_agenda_item\` ADD CONSTRAINT \`FK_fb4b8ce6770089ebba9ede504da\` FOREIGN KEY (\`goal_id\`) REFERENCES \`network_agenda_goal\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`work_agenda_participant\` ADD CONSTRAINT \`FK_71955602b52560bd646fb6b48ca\` FOREIGN KEY (\`item_id\`) REFERENCES \`work_agenda_item\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`work_agenda_participant\` ADD CONSTRAINT \`FK_10dbebefa6b53afb88ad61cb6f3\` FOREIGN KEY (\`poi_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`steering_group_member\` ADD CONSTRAINT \`FK_d63f7d5438b5605b54774ae9618\` FOREIGN KEY (\`poi_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`steering_group_member\` DROP FOREIGN KEY \`FK_d63f7d5438b5605b54774ae9618\``);
    await queryRunner.query(`ALTER TABLE \`work_agenda_participant\` DROP FOREIGN KEY \`FK_10dbebefa6b53afb88ad61cb6f3\``);
    await queryRunner.query(`ALTER TABLE \`work_agenda_participant\` DROP FOREIGN KEY \`FK_71955602b52560bd646fb6b48ca\``);
    await queryRunner.query(`ALTER TABLE \`work_agenda_item\` DROP FOREIGN KEY \`FK_fb4b8ce6770089ebba9ede504da\``);
    await queryRunner.query(`ALTER TABLE \`work_agenda_item\` DROP FOREIGN KEY \`FK_ab0319f63f00c38635dc7d879a8\``);
    await queryRunner.query(`ALTER TABLE \`poi_province\` DROP FOREIGN KEY \`FK_df642a328130494d82a0d8b1f43\``);
    await queryRunner.query(`DROP TABLE \`steering_group_member\``);
    await queryRunner.query(`DROP TABLE \`work_agenda_participant\``);
    await queryRunner.query(`DROP INDEX \`idx_work_agenda_due\` ON \`work_agenda_item\``);
    await queryRunner.query(`DROP TABLE \`work_agenda_item\``);
    await queryRunner.query(`DROP INDEX \`IDX_02400a034883c4f71d959cf662\` ON \`network_agenda_goal\``);
    await queryRunner.query(`DROP TABLE \`network_agenda_goal\``);
    await queryRunner.query(`DROP INDEX \`idx_poi_province_province\` ON \`poi_province\``);
    await queryRunner.query(`DROP TABLE \`poi_province\``);
    await queryRunner.query(`DROP TABLE \`poi\``);
  }
}
