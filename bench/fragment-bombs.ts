// `npm run bench:limits`: how long the gateway's pre-validation check (shared/graphql-limits.ts)
// takes to refuse hostile documents: the issue's 1 KB doubling chain (2^22 copies of `pois`)
// and 1 MiB fragment bombs of every shape in test/helpers/hostile-documents.ts (2^36 copies).
// Each is checked `RUNS` times; the median and the slowest are printed.
import { performance } from 'node:perf_hooks';
import { MAX_TOKENS, rejectHostileDocuments } from '../shared/graphql-limits';
import { fragmentBombs } from '../test/helpers/hostile-documents';

const RUNS = 15;
const check = rejectHostileDocuments({ tokens: MAX_TOKENS, expandedFields: 15_000 });

function refuse(text: string): { ms: number; status: number; code?: string } {
  let status = 200;
  let code: string | undefined;
  const started = performance.now();
  check(
    { body: { query: text } },
    {
      status: (s: number) => (
        (status = s),
        { json: (body: unknown) => void (code = (body as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code) }
      ),
    },
    () => {},
  );
  return { ms: performance.now() - started, status, code };
}

const issueDocument = [
  'query { ...G0 }',
  ...Array.from({ length: 21 }, (_, i) => `fragment G${i} on Query { ...G${i + 1} ...G${i + 1} }`),
  'fragment G21 on Query { pois { code } }',
].join('\n');
const documents = [{ shape: `the issue's doubling chain (${issueDocument.length} bytes, 2^22)`, text: issueDocument }, ...fragmentBombs(2 ** 20, 36)];
console.log('| document | answer | median ms | slowest ms |\n| --- | --- | --- | --- |');
for (const { shape, text } of documents) {
  const runs = Array.from({ length: RUNS }, () => refuse(text));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  console.log(`| ${shape} | ${runs[0].status} ${runs[0].code} | ${ms[Math.floor(RUNS / 2)].toFixed(1)} | ${ms[RUNS - 1].toFixed(1)} |`);
}
