import { createHash } from 'node:crypto';
import { newStemmer } from 'snowball-stemmers';
import { In, type EntityManager } from 'typeorm';
import { insertInChunks } from '../shared/db';
import { KnowledgeArticleEntity, KnowledgeTermEntity, type KnowledgeArticle } from './entities';

/**
 * Knowledge search's index: every article as a bag of Dutch word stems (table knowledge_term),
 * kept by the kit on every write and import, the same in MySQL and the embedded database, so
 * both rank with the same BM25 and the network can compare scores across POIs.
 */

const dutch = newStemmer('dutch');

/**
 * Snowball's Dutch stop words (https://snowballstem.org/algorithms/dutch/stop.txt): too common to
 * find anything, left out of the index and of searches.
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om hem dan zou of wat mijn men dit zo door ' +
    'over ze zich bij ook tot je mij uit der daar haar naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets worden ' +
    'toch al waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd altijd doch wordt wezen kunnen ons ' +
    'zelf tegen na reeds wil kon niets uw iemand geweest andere'
  ).split(' '),
);

/** Longest stem kept (the column's width); longer words are cut. */
export const MAX_TERM_LENGTH = 64;

/** Lower case, accents dropped ("geïnstalleerd" → "geinstalleerd"), as Snowball's Dutch prelude does too. */
function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words of a text (letters and digits), normalised. */
export function wordsOf(text: string): string[] {
  return normalise(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * A Dutch word's stem: Snowball's Dutch stemmer, after one rule of our own for the past participles
 * of verbs in -eren, which Snowball leaves alone (it does not strip the ge- prefix):
 * "gereserveerd" → "reserveer" → "reserver", as "reserveren" and "reservering" stem. Also
 * -eerde/-eerden and -eert ("gecontroleerde", "geïnstalleerd"). Other participles ("gemeld",
 * "gebouwd") are not rewritten: ge- alone cannot tell them from words like "gebruikt" or "gezicht".
 */
export function stem(word: string): string {
  const w = normalise(word);
  const participle = /^ge([a-z]+)ee([rl])(?:d|t|de|den)$/.exec(w);
  return dutch.stem(participle ? `${participle[1]}ee${participle[2]}` : w).slice(0, MAX_TERM_LENGTH);
}

/** The index terms of a text: stems of its words, stop words and single letters left out. */
export function termsOf(text: string): string[] {
  return wordsOf(text)
    .filter((w) => w.length >= 2 && !STOP_WORDS.has(w))
    .map(stem);
}

/** How much an occurrence counts per field (a BM25F-like weighing: a word in the title counts four times). */
export const FIELD_WEIGHTS = { title: 4, summary: 2, body: 1, tags: 3 } as const;

type Indexed = Pick<KnowledgeArticle, 'title' | 'summary' | 'body' | 'tags'>;

/** An article's weighted term frequencies and its length (the sum of them). */
export function articleTerms(article: Indexed): { terms: Map<string, number>; length: number } {
  const terms = new Map<string, number>();
  let length = 0;
  const add = (text: string, weight: number) => {
    for (const term of termsOf(text)) {
      terms.set(term, (terms.get(term) ?? 0) + weight);
      length += weight;
    }
  };
  add(article.title, FIELD_WEIGHTS.title);
  add(article.summary, FIELD_WEIGHTS.summary);
  add(article.body, FIELD_WEIGHTS.body);
  add(article.tags.join(' '), FIELD_WEIGHTS.tags);
  return { terms, length };
}

/**
 * What makes two articles the same article: SHA-256 of the title and body, lower case, accents
 * dropped and white space collapsed. Equal in every POI that publishes the same text (the network
 * search folds them into one hit).
 */
export function contentHash(article: Pick<KnowledgeArticle, 'title' | 'body'>): string {
  const clean = (text: string) => normalise(text).replace(/\s+/g, ' ').trim();
  return createHash('sha256')
    .update(`${clean(article.title)}\n${clean(article.body)}`)
    .digest('hex');
}

/** At most this many words of a search count. */
const MAX_SEARCH_TERMS = 10;

/**
 * The stems a search looks for, each matched as the start of an index term ("reserv" finds
 * "reserver"): words of three or more letters that are no stop words; a stem that starts another
 * one of the search is left out (that one implies it).
 */
export function searchTerms(search: string): string[] {
  const stems = [
    ...new Set(
      wordsOf(search)
        .filter((w) => w.length >= 3 && !STOP_WORDS.has(w))
        .map(stem),
    ),
  ].slice(0, MAX_SEARCH_TERMS);
  return stems.filter((s) => !stems.some((other) => other !== s && other.startsWith(s))).sort();
}

/** BM25's parameters (the usual ones, as Lucene and Elasticsearch default to). */
export const BM25 = { k1: 1.2, b: 0.75 } as const;

/** Term statistics of a collection: how many articles, their total length, and per search term in how many articles it occurs. */
export interface TermStatistics {
  documentCount: number;
  totalLength: number;
  terms: { term: string; documentFrequency: number }[];
}

/** BM25's inverse document frequency (Lucene's form, never negative). */
export function idf(documentCount: number, documentFrequency: number): number {
  return Math.log(1 + (documentCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

/** An article's BM25 score for term frequencies (per search term) and length, under the statistics: the formula the SQL computes. */
export function bm25(frequencies: Map<string, number>, length: number, statistics: TermStatistics): number {
  const averageLength = statistics.totalLength / statistics.documentCount;
  let score = 0;
  for (const { term, documentFrequency } of statistics.terms) {
    const tf = frequencies.get(term) ?? 0;
    if (tf > 0)
      score += (idf(statistics.documentCount, documentFrequency) * tf * (BM25.k1 + 1)) / (tf + BM25.k1 * (1 - BM25.b + (BM25.b * length) / averageLength));
  }
  return Math.round(score * 1e6) / 1e6;
}

/**
 * Rebuilds the index rows of these articles (their terms, length and content hash), in the
 * caller's transaction: after every write and import of articles, and in the migration that
 * brought the index.
 */
export async function indexArticles(manager: EntityManager, ids: readonly number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const articles = await manager.find(KnowledgeArticleEntity, {
      where: { id: In([...chunk]) },
      select: { id: true, title: true, summary: true, body: true, tags: true },
    });
    await manager.delete(KnowledgeTermEntity, { articleId: In([...chunk]) });
    const rows: { articleId: number; term: string; tf: number }[] = [];
    const lengths: string[] = [];
    const hashes: string[] = [];
    const parameters: unknown[] = [];
    for (const article of articles) {
      const { terms, length } = articleTerms(article);
      for (const [term, tf] of terms) rows.push({ articleId: article.id, term, tf });
      lengths.push(`WHEN ${Number(article.id)} THEN ${length}`);
      hashes.push(`WHEN ${Number(article.id)} THEN ?`);
      parameters.push(contentHash(article));
    }
    await insertInChunks(manager, KnowledgeTermEntity, rows);
    if (articles.length === 0) continue;
    // One statement per chunk: every article's length and hash by id.
    await manager.query(
      `UPDATE knowledge_article SET term_count = CASE id ${lengths.join(' ')} END, content_hash = CASE id ${hashes.join(' ')} END WHERE id IN (${articles.map((a) => Number(a.id)).join(', ')})`,
      parameters,
    );
  }
}
