import { MigrationInterface, QueryRunner } from 'typeorm';

export class FiltersAndSearch1795458317105 implements MigrationInterface {
  name = 'FiltersAndSearch1795458317105';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX \`idx_library_member_count\` ON \`library\` (\`member_count\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_contract_starts_on\` ON \`contract\` (\`starts_on\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_contract_status\` ON \`contract\` (\`status\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_ticket_resolved\` ON \`ticket\` (\`resolved_at\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_ticket_priority\` ON \`ticket\` (\`priority\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_ticket_category\` ON \`ticket\` (\`category\`)`);
    // Written by hand: relevance-ranked knowledge search (the entity marks it synchronize: false).
    await queryRunner.query(`ALTER TABLE \`knowledge_article\` ADD FULLTEXT INDEX \`ft_knowledge_article\` (\`title\`, \`summary\`, \`body\`, \`tags\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`ft_knowledge_article\` ON \`knowledge_article\``);
    await queryRunner.query(`DROP INDEX \`idx_ticket_category\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`idx_ticket_priority\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`idx_ticket_resolved\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`idx_contract_status\` ON \`contract\``);
    await queryRunner.query(`DROP INDEX \`idx_contract_starts_on\` ON \`contract\``);
    await queryRunner.query(`DROP INDEX \`idx_library_member_count\` ON \`library\``);
  }
}
