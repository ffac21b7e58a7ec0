import { MigrationInterface, QueryRunner } from 'typeorm';
import { createIdempotencyKeyTable, dropIdempotencyKeyTable } from '../../../shared/idempotency-migration';

export class IdempotencyKeys1796170000001 implements MigrationInterface {
  name = 'IdempotencyKeys1796170000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIdempotencyKeyTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropIdempotencyKeyTable(queryRunner);
  }
}
