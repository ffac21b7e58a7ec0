// `npm run bench:search`: relevance of knowledge search over the network on a small labelled set.
//
// Starts the whole stack in this process (embedded databases, seed scale 1) and asks every query
// of bench/search-relevance.json two ways:
// - naive: each POI's own search (`pois { knowledgeArticles(search) }`), the POIs' top 5 merged by
//   their own scores (each POI scores with its own statistics), duplicates left as they come;
// - network: `network { knowledgeSearch(text) }` (one ranking with network-wide statistics,
//   identical articles folded into one hit).
// Precision at 5: distinct relevant articles among the first 5 hits, divided by 5 (a hit whose
// article was already shown counts as not relevant: it tells the analyst nothing new). Also the
// share of the relevant articles found in the first 5 (divided by min(5, relevant)), and how many
// different articles the first 5 hits show.
// `--only naive` runs the naive way alone (as on a build without `network.knowledgeSearch`).
// Results: a markdown table on stdout, JSON in bench/results/search-relevance.json. See bench/README.md.
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../shared/config';
import { runMain } from '../shared/lifecycle';
import { startStack, type Stack } from '../test/helpers/stack';

interface Labelled {
  text: string;
  relevant: string[];
}

const K = 5;
const LABELS: Labelled[] = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'bench', 'search-relevance.json'), 'utf8')).queries;

/** The first K titles of the naive merge: every POI's own top K, by its own score (ties by POI code). */
async function naive(stack: Stack, text: string): Promise<string[]> {
  const response = await stack.query(`query($text: String!) { pois { code knowledgeArticles(search: $text, first: ${K}) { nodes { title score } } } }`, {
    text,
  });
  if (response.errors && !response.data) throw new Error(JSON.stringify(response.errors));
  const hits = (response.data.pois as { code: string; knowledgeArticles: { nodes: { title: string; score: number }[] } | null }[]).flatMap((poi) =>
    (poi.knowledgeArticles?.nodes ?? []).map((node) => ({ ...node, code: poi.code })),
  );
  hits.sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return hits.slice(0, K).map((hit) => hit.title);
}

async function network(stack: Stack, text: string): Promise<string[]> {
  const response = await stack.query(`query($text: String!) { network { knowledgeSearch(text: $text, first: ${K}) { nodes { title } } } }`, { text });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return (response.data.network.knowledgeSearch.nodes as { title: string }[]).map((node) => node.title);
}

/** Distinct relevant articles among the titles (a repeat counts as not relevant). */
function relevantFound(titles: string[], relevant: string[]): number {
  const seen = new Set<string>();
  for (const title of titles) if (relevant.includes(title)) seen.add(title);
  return seen.size;
}

runMain(async () => {
  const modes = process.argv.includes('--only') ? [process.argv[process.argv.indexOf('--only') + 1]] : ['naive', 'network'];
  const stack = await startStack({ seedScale: 1, env: { RESPONSE_CACHE: 'off', RATE_LIMIT_REQUESTS: '1000000' } });
  const rows: { text: string; mode: string; titles: string[]; precision: number; recall: number; distinct: number }[] = [];
  try {
    for (const label of LABELS) {
      for (const mode of modes) {
        const titles = mode === 'naive' ? await naive(stack, label.text) : await network(stack, label.text);
        const found = relevantFound(titles, label.relevant);
        rows.push({ text: label.text, mode, titles, precision: found / K, recall: found / Math.min(K, label.relevant.length), distinct: new Set(titles).size });
      }
    }
  } finally {
    await stack.stop();
  }
  const mean = (mode: string, key: 'precision' | 'recall' | 'distinct') => {
    const of = rows.filter((r) => r.mode === mode);
    return Number((of.reduce((sum, r) => sum + r[key], 0) / of.length).toFixed(3));
  };
  const summary = modes.map((mode) => ({
    mode,
    queries: LABELS.length,
    precisionAt5: mean(mode, 'precision'),
    relevantFoundAt5: mean(mode, 'recall'),
    distinctAt5: mean(mode, 'distinct'),
  }));
  fs.mkdirSync(path.join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(PROJECT_ROOT, 'bench', 'results', 'search-relevance.json'), JSON.stringify({ summary, rows }, null, 2) + '\n');
  console.log('| query | ' + modes.map((m) => `${m} P@5 | ${m} found | ${m} distinct`).join(' | ') + ' |');
  console.log('| --- | ' + modes.map(() => '--- | --- | ---').join(' | ') + ' |');
  for (const label of LABELS) {
    const cells = modes.map((mode) => {
      const row = rows.find((r) => r.text === label.text && r.mode === mode)!;
      return `${row.precision.toFixed(2)} | ${row.recall.toFixed(2)} | ${row.distinct}`;
    });
    console.log(`| ${label.text} | ${cells.join(' | ')} |`);
  }
  console.log(
    '| **mean** | ' +
      summary.map((s) => `**${s.precisionAt5.toFixed(3)}** | **${s.relevantFoundAt5.toFixed(3)}** | **${s.distinctAt5.toFixed(2)}**`).join(' | ') +
      ' |',
  );
});
