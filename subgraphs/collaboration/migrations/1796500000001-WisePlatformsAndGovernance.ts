import { MigrationInterface, QueryRunner } from 'typeorm';

/** Wise platforms (with the POIs on them and the migrations onto them) and governance: decisions, cost-sharing key, members. */
export class WisePlatformsAndGovernance1796500000001 implements MigrationInterface {
  name = 'WisePlatformsAndGovernance1796500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`wise_platform\` (\`code\` varchar(40) NOT NULL, \`name\` varchar(100) NOT NULL, \`description\` text NOT NULL, \`hosting\` varchar(20) NULL, \`current_wise_version\` varchar(40) NULL, \`succeeded_by_code\` varchar(40) NULL, \`demo\` tinyint NOT NULL, \`source_url\` varchar(300) NULL, PRIMARY KEY (\`code\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`wise_platform_poi\` (\`platform_code\` varchar(40) NOT NULL, \`poi_code\` varchar(20) NOT NULL, PRIMARY KEY (\`platform_code\`, \`poi_code\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`wise_platform_migration\` (\`id\` int NOT NULL AUTO_INCREMENT, \`platform_code\` varchar(40) NOT NULL, \`poi_code\` varchar(20) NOT NULL, \`migrated_on\` date NOT NULL, \`precision\` varchar(10) NOT NULL, \`group_description\` varchar(500) NOT NULL, \`demo\` tinyint NOT NULL, \`source_url\` varchar(300) NULL, INDEX \`idx_wise_platform_migration_platform\` (\`platform_code\`, \`migrated_on\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`decision\` (\`id\` varchar(20) NOT NULL, \`decided_on\` date NOT NULL, \`title\` varchar(200) NOT NULL, \`body\` text NOT NULL, \`decided_by\` varchar(100) NOT NULL, \`demo\` tinyint NOT NULL, INDEX \`idx_decision_decided_on\` (\`decided_on\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`cost_share\` (\`poi_code\` varchar(20) NOT NULL, \`share_percent\` decimal(5,2) NOT NULL, \`demo\` tinyint NOT NULL, PRIMARY KEY (\`poi_code\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`member\` (\`id\` int NOT NULL AUTO_INCREMENT, \`poi_code\` varchar(20) NOT NULL, \`library_id\` int NOT NULL DEFAULT '0', \`joined_on\` date NOT NULL, UNIQUE INDEX \`uq_member_poi_library\` (\`poi_code\`, \`library_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`wise_platform\` ADD CONSTRAINT \`FK_864a9b19dafb8f1922e5951edf0\` FOREIGN KEY (\`succeeded_by_code\`) REFERENCES \`wise_platform\`(\`code\`) ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`wise_platform_poi\` ADD CONSTRAINT \`FK_2d34a4804cf88777aae6941fc9e\` FOREIGN KEY (\`platform_code\`) REFERENCES \`wise_platform\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`wise_platform_poi\` ADD CONSTRAINT \`FK_003af3fd0f11ae54931e4ce34f1\` FOREIGN KEY (\`poi_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`wise_platform_migration\` ADD CONSTRAINT \`FK_9afc427a0c4f436c848f4ef53ef\` FOREIGN KEY (\`platform_code\`) REFERENCES \`wise_platform\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`wise_platform_migration\` ADD CONSTRAINT \`FK_fdab110e49f0caef839e90eb9b9\` FOREIGN KEY (\`poi_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`cost_share\` ADD CONSTRAINT \`FK_b1d91a230dceaad31d48816da8e\` FOREIGN KEY (\`poi_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`member\` ADD CONSTRAINT \`FK_6bd43205ad4340cfb8b1b4e75a4\` FOREIGN KEY (\`poi_code\`) REFERENCES \`poi\`(\`code\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`member\` DROP FOREIGN KEY \`FK_6bd43205ad4340cfb8b1b4e75a4\``);
    await queryRunner.query(`ALTER TABLE \`cost_share\` DROP FOREIGN KEY \`FK_b1d91a230dceaad31d48816da8e\``);
    await queryRunner.query(`ALTER TABLE \`wise_platform_migration\` DROP FOREIGN KEY \`FK_fdab110e49f0caef839e90eb9b9\``);
    await queryRunner.query(`ALTER TABLE \`wise_platform_migration\` DROP FOREIGN KEY \`FK_9afc427a0c4f436c848f4ef53ef\``);
    await queryRunner.query(`ALTER TABLE \`wise_platform_poi\` DROP FOREIGN KEY \`FK_003af3fd0f11ae54931e4ce34f1\``);
    await queryRunner.query(`ALTER TABLE \`wise_platform_poi\` DROP FOREIGN KEY \`FK_2d34a4804cf88777aae6941fc9e\``);
    await queryRunner.query(`ALTER TABLE \`wise_platform\` DROP FOREIGN KEY \`FK_864a9b19dafb8f1922e5951edf0\``);
    await queryRunner.query(`DROP INDEX \`uq_member_poi_library\` ON \`member\``);
    await queryRunner.query(`DROP TABLE \`member\``);
    await queryRunner.query(`DROP TABLE \`cost_share\``);
    await queryRunner.query(`DROP INDEX \`idx_decision_decided_on\` ON \`decision\``);
    await queryRunner.query(`DROP TABLE \`decision\``);
    await queryRunner.query(`DROP INDEX \`idx_wise_platform_migration_platform\` ON \`wise_platform_migration\``);
    await queryRunner.query(`DROP TABLE \`wise_platform_migration\``);
    await queryRunner.query(`DROP TABLE \`wise_platform_poi\``);
    await queryRunner.query(`DROP TABLE \`wise_platform\``);
  }
}
