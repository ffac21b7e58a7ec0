import { MigrationInterface, QueryRunner } from 'typeorm';

/** The Wise settings standard the partnership agreed (settings harmonisation): one row, per setting its value and the day agreed. */
export class HarmonisationStandard1796530000000 implements MigrationInterface {
  name = 'HarmonisationStandard1796530000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`harmonisation_standard\` (\`id\` int NOT NULL, \`loan_period_days\` int NOT NULL, \`loan_period_agreed_on\` date NOT NULL, \`reservation_fee_cents\` int NOT NULL, \`reservation_fee_agreed_on\` date NOT NULL, \`membership_fee_types\` text NOT NULL, \`membership_fee_types_agreed_on\` date NOT NULL, \`fine_policy\` varchar(10) NOT NULL, \`fine_per_day_cents\` int NULL, \`fine_policy_agreed_on\` date NOT NULL, \`version\` int NOT NULL DEFAULT 1, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`harmonisation_standard\``);
  }
}
