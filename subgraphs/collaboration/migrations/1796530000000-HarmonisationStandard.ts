import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The Wise settings standard the partnership agreed (settings harmonisation): one row, per setting
 * its value and the day agreed (../src/entities.ts, HarmonisationStandardEntity). Declared with
 * TypeORM's portable table API, so it runs on MySQL/MariaDB and SQLite alike.
 */
export class HarmonisationStandard1796530000000 implements MigrationInterface {
  name = 'HarmonisationStandard1796530000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const agreedOn = (name: string) => ({ name, type: 'date' });
    await queryRunner.createTable(
      new Table({
        name: 'harmonisation_standard',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'loan_period_days', type: 'integer' },
          agreedOn('loan_period_agreed_on'),
          { name: 'reservation_fee_cents', type: 'integer' },
          agreedOn('reservation_fee_agreed_on'),
          { name: 'membership_fee_types', type: 'text' },
          agreedOn('membership_fee_types_agreed_on'),
          { name: 'fine_policy', type: 'varchar', length: '10' },
          { name: 'fine_per_day_cents', type: 'integer', isNullable: true },
          agreedOn('fine_policy_agreed_on'),
          { name: 'version', type: 'integer', default: 1 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('harmonisation_standard');
  }
}
