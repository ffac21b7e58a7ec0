import { MigrationInterface, QueryRunner } from 'typeorm';

export class Evaluations1795458553648 implements MigrationInterface {
  name = 'Evaluations1795458553648';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`evaluation\` (\`id\` varchar(20) NOT NULL, \`period\` varchar(20) NOT NULL, \`due_on\` date NOT NULL, \`status\` varchar(20) NOT NULL, \`summary\` text NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`evaluation\``);
  }
}
