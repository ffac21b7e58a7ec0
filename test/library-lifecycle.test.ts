// A library organisation is ACTIVE or MERGED into its successor. A merged one stays queryable
// (by id, with `status: [MERGED]`), but counts in no current figure and has no live agreement.
import { startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await stack.query<T>(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const MERGED = ['Bibliotheek Angstel, Vecht en Venen', 'Bibliotheek Het Groene Hart'];

describe('library lifecycle', () => {
  it('counts only current libraries: BiSC has 8 since the 2025 merger into Utrechtse Venen', async () => {
    const { bisc } = await data(`{ bisc { stats { libraryCount branchCount memberCount activeContractCount librariesByProvince { key count } }
      libraries(first: 100) { totalCount nodes { name status memberCount branches { id } contract { status } } }
      withoutAgreement: libraries(filter: { hasActiveContract: false }) { nodes { name } } } }`);
    const current = bisc.libraries.nodes;
    expect(bisc.stats.libraryCount).toBe(8);
    expect(bisc.libraries.totalCount).toBe(8);
    expect(current.map((l: any) => l.name)).not.toEqual(expect.arrayContaining([MERGED[0]]));
    expect(current.every((l: any) => l.status === 'ACTIVE')).toBe(true);
    expect(bisc.stats.memberCount).toBe(current.reduce((sum: number, l: any) => sum + l.memberCount, 0));
    expect(bisc.stats.branchCount).toBe(current.reduce((sum: number, l: any) => sum + l.branches.length, 0));
    expect(bisc.stats.librariesByProvince).toEqual([{ key: 'UTRECHT', count: 8 }]);
    expect(bisc.stats.activeContractCount).toBe(current.filter((l: any) => l.contract?.status === 'ACTIVE').length);
    for (const name of MERGED) expect(bisc.withoutAgreement.nodes.map((l: any) => l.name)).not.toContain(name);
  });

  it('keeps merged libraries queryable, with their successor and no live agreement', async () => {
    const { bisc } = await data(`{ bisc { merged: libraries(filter: { status: [MERGED] }) { totalCount nodes { id name status activeFrom activeUntil
        successor { name status activeFrom } contract { status endsOn } } }
      all: libraries(filter: { status: [ACTIVE, MERGED] }) { totalCount } } }`);
    expect(bisc.all.totalCount).toBe(10);
    expect(bisc.merged.nodes.map((l: any) => l.name).sort()).toEqual(MERGED);
    for (const library of bisc.merged.nodes) {
      expect(library).toMatchObject({
        status: 'MERGED',
        activeFrom: null,
        activeUntil: '2024-12-31',
        successor: { name: 'Bibliotheek Utrechtse Venen', status: 'ACTIVE', activeFrom: '2025-01-01' },
        contract: { status: 'EXPIRED', endsOn: '2024-12-31' },
      });
    }
    const { bisc: one } = await data(`query One($id: ID!) { bisc { library(id: $id) { name status } } }`, { id: bisc.merged.nodes[0].id });
    expect(one.library.status).toBe('MERGED');
  });

  it("moves no interlibrary loans to or from a merged library's branches", async () => {
    const { bisc } = await data(`{ bisc { libraries(filter: { status: [MERGED] }) { nodes { id } } } }`);
    for (const { id } of bisc.libraries.nodes) {
      const loans = await data(`query Loans($id: ID!) { bisc { interlibraryLoan { loans(filter: { libraryId: $id }) { totalCount } } } }`, { id });
      expect(loans.bisc.interlibraryLoan.loans.totalCount).toBe(0);
    }
  });

  it('refuses a live agreement for a merged library', async () => {
    const { bisc } = await data(`{ bisc { libraries(filter: { status: [MERGED] }, first: 1) { nodes { id contract { id version } } } } }`);
    const library = bisc.libraries.nodes[0];
    const created = await stack.query(
      `mutation New($libraryId: ID!) { bisc { createContract(input: { libraryId: $libraryId, services: [HELPDESK],
      startsOn: "2026-01-01", endsOn: "2028-12-31", annualFee: 1000, noticePeriodMonths: 3 }) { id } } }`,
      { libraryId: library.id },
    );
    expect(created.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(created.errors?.[0].message).toMatch(/merged into its successor on 2024-12-31/);
    const renewed = await stack.query(
      `mutation Renew($id: ID!, $version: Int!) { bisc { renewContract(id: $id, input: { endsOn: "2027-12-31", expectedVersion: $version }) { id } } }`,
      { id: library.contract.id, version: library.contract.version },
    );
    expect(renewed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
