import { MigrationInterface, QueryRunner } from 'typeorm';
import { createIdempotencyKeyTable, dropIdempotencyKeyTable } from '../../shared/idempotency-migration';

export class IdempotencyKeys1796170000000 implements MigrationInterface {
  name = 'IdempotencyKeys1796170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIdempotencyKeyTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropIdempotencyKeyTable(queryRunner);
  }
}
