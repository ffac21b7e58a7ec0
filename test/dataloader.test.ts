import { startStack } from './helpers/stack';

const NESTED = `{ pois { code libraries { totalCount nodes {
  branches { name } contract { status annualFee } tickets { totalCount } } }
  stats { libraryCount branchCount memberCount activeContractCount openTicketCount ticketsByStatus { key count } } } }`;

/** Runs the nested dashboard query once and returns what it cost each subgraph in SQL statements. */
async function measure(seedScale: number) {
  const stack = await startStack({ seedScale });
  try {
    const before = stack.statementCounts();
    const response = await stack.query(NESTED);
    expect(response.errors).toBeUndefined();
    const after = stack.statementCounts();
    const statements = Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - before[name]]));
    const ticketTotal = response.data.pois.flatMap((p: any) => p.libraries.nodes).reduce((sum: number, l: any) => sum + l.tickets.totalCount, 0);
    return { statements, ticketTotal, libraries: response.data.pois.flatMap((p: any) => p.libraries.nodes).length };
  } finally {
    await stack.stop();
  }
}

describe('per-request DataLoaders', () => {
  it('sends the same number of SQL statements to each subgraph at seed scale 1 and 5', async () => {
    const small = await measure(1);
    const large = await measure(5);
    // The data really grew, so an N+1 would show as more statements.
    expect(large.ticketTotal).toBeGreaterThan(small.ticketTotal * 3);
    expect(large.libraries).toBe(small.libraries);
    expect(large.statements).toEqual(small.statements);
    // And the count is small and bounded: one statement per relation, not per row.
    for (const [name, count] of Object.entries(small.statements)) {
      if (name === 'collaboration') expect(count).toBeLessThanOrEqual(3);
      else expect(count).toBeLessThanOrEqual(8);
    }
  });
});
