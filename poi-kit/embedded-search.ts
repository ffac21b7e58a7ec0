import type { DataSource } from 'typeorm';

/** How much a hit counts per column of knowledge_fts: title, summary, body, tags. */
const COLUMN_WEIGHTS = [4, 2, 1, 3];

/**
 * Relevance of one row from FTS4's matchinfo(…, 'pcx'): for every phrase and column, the hits in
 * this row weighed against the hits in all rows (rarer words count more), summed with column
 * weights. The embedded database's counterpart of MySQL's FULLTEXT relevance.
 */
export function searchRank(matchinfo: Uint8Array): number {
  const ints = new Uint32Array(matchinfo.buffer, matchinfo.byteOffset, matchinfo.byteLength / 4);
  const [phrases, columns] = ints;
  let score = 0;
  for (let phrase = 0; phrase < phrases; phrase++) {
    for (let column = 0; column < columns; column++) {
      const base = 2 + 3 * (phrase * columns + column);
      const hitsHere = ints[base];
      const hitsEverywhere = ints[base + 1];
      if (hitsHere > 0) score += (COLUMN_WEIGHTS[column] ?? 1) * (hitsHere / hitsEverywhere) * 10;
    }
  }
  return Math.round(score * 1e6) / 1e6;
}

/**
 * Full-text search for the embedded (sql.js) database: an FTS4 index over knowledge_article kept
 * current by triggers, and the `poi_search_rank` SQL function. MySQL uses its FULLTEXT index
 * instead (see the migrations).
 */
export async function installEmbeddedSearch(dataSource: DataSource): Promise<void> {
  const database = (dataSource.driver as unknown as { databaseConnection: { create_function(name: string, fn: (blob: Uint8Array) => number): void } })
    .databaseConnection;
  database.create_function('poi_search_rank', searchRank);
  const columns = 'title, summary, body, tags';
  const values = (row: string) => `${row}.id, ${row}.title, ${row}.summary, ${row}.body, ${row}.tags`;
  await dataSource.query(`CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts4(${columns}, content="knowledge_article", tokenize=unicode61)`);
  await dataSource.query(`CREATE TRIGGER knowledge_fts_insert AFTER INSERT ON knowledge_article BEGIN
    INSERT INTO knowledge_fts(docid, ${columns}) VALUES (${values('new')}); END`);
  await dataSource.query(`CREATE TRIGGER knowledge_fts_delete BEFORE DELETE ON knowledge_article BEGIN
    DELETE FROM knowledge_fts WHERE docid = old.id; END`);
  await dataSource.query(`CREATE TRIGGER knowledge_fts_update_before BEFORE UPDATE ON knowledge_article BEGIN
    DELETE FROM knowledge_fts WHERE docid = old.id; END`);
  await dataSource.query(`CREATE TRIGGER knowledge_fts_update_after AFTER UPDATE ON knowledge_article BEGIN
    INSERT INTO knowledge_fts(docid, ${columns}) VALUES (${values('new')}); END`);
}
