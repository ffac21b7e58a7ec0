import { MigrationInterface, QueryRunner } from 'typeorm';
import { indexArticles } from '../search-index';

/**
 * Knowledge search's own index (poi-kit/search-index.ts): the Dutch stems of every article with
 * their weighted frequencies (knowledge_term), each article's length in terms and its content
 * hash; filled here for the articles already there, with the same stemmer the kit writes with.
 * MySQL's FULLTEXT index is no longer used for ranking (it stays, for now, as it was).
 */
export class KnowledgeTerms1796550000000 implements MigrationInterface {
  name = 'KnowledgeTerms1796550000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.query(`ALTER TABLE \`knowledge_article\` ADD \`term_count\` int NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE \`knowledge_article\` ADD \`content_hash\` varchar(64) NOT NULL DEFAULT ''`);
    // Binary collation on MySQL: stems are compared as written (they are lower case without accents already).
    await queryRunner.query(
      `CREATE TABLE \`knowledge_term\` (\`article_id\` int NOT NULL, \`term\` varchar(64) ${mysql ? 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin ' : ''}NOT NULL, \`tf\` int NOT NULL, ` +
        `PRIMARY KEY (\`article_id\`, \`term\`), CONSTRAINT \`fk_knowledge_term_article\` FOREIGN KEY (\`article_id\`) REFERENCES \`knowledge_article\` (\`id\`) ON DELETE CASCADE)`,
    );
    await queryRunner.query(`CREATE INDEX \`idx_knowledge_term_term\` ON \`knowledge_term\` (\`term\`, \`article_id\`)`);
    const rows: { id: number | string }[] = await queryRunner.query(`SELECT \`id\` FROM \`knowledge_article\` ORDER BY \`id\``);
    await indexArticles(
      queryRunner.manager,
      rows.map((row) => Number(row.id)),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`knowledge_term\``);
    await queryRunner.query(`ALTER TABLE \`knowledge_article\` DROP COLUMN \`content_hash\``);
    await queryRunner.query(`ALTER TABLE \`knowledge_article\` DROP COLUMN \`term_count\``);
  }
}
