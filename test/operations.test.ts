// Every example operation in operations/ (one per .graphql file) must be a documented, named
// operation that validates against the gateway's API schema, runs through the real gateway
// without errors, and gives numbers that agree with independent queries. A new file is picked
// up automatically; give it variables in VARIABLES if it has required ones without a default,
// and checks in CHECKS if it answers something that can be cross-checked.
import fs from 'node:fs';
import path from 'node:path';
import { DocumentNode, GraphQLSchema, Kind, OperationDefinitionNode, parse, validate } from 'graphql';
import { POIS } from '../shared/registry';
import { apiSchemaOf } from '../shared/schema-changes';
import { startStack, Stack } from './helpers/stack';

const OPERATIONS_DIR = path.resolve(__dirname, '../operations');
const files = fs
  .readdirSync(OPERATIONS_DIR)
  .filter((f) => f.endsWith('.graphql'))
  .sort();

interface OperationFile {
  file: string;
  text: string;
  document: DocumentNode;
  operations: OperationDefinitionNode[];
}
const loaded: OperationFile[] = files.map((file) => {
  const text = fs.readFileSync(path.join(OPERATIONS_DIR, file), 'utf8');
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`operations/${file}: ${(error as Error).message}`);
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return { file, text, document, operations };
});
const named = loaded.filter((f) => f.operations.length === 1 && f.operations[0].name);
const nameOf = (f: OperationFile) => f.operations[0].name!.value;

/** NetworkOverview → network-overview, CubissContractsEndingWithP1Tickets → cubiss-contracts-ending-with-p1-tickets. */
const kebab = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

const DAY = 86_400_000;
const isoDay = (offsetDays = 0) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const today = isoDay(0);
const until = isoDay(180);
const yearStart = `${new Date().getUTCFullYear()}-01-01T00:00:00.000Z`;
const SEARCH = 'reservering';
const OPEN = ['OPEN', 'IN_PROGRESS', 'WAITING'];

/** Variables per operation name; operations not listed run with their defaults. */
const VARIABLES: Record<string, Record<string, unknown>> = {
  ExpiringContracts: { today, until },
  CubissContractsEndingWithP1Tickets: { today, until, yearStart },
  KnowledgeSearch: { search: SEARCH },
  // This year so far: January up to this month.
  SlaComplianceP1Incidents: { months: new Date().getUTCMonth() + 1 },
  // LibraryProfile: { id } is set in beforeAll, from the largest Cubiss library.
};

let stack: Stack;
let schema: GraphQLSchema;
beforeAll(async () => {
  stack = await startStack();
  // The gateway serves the supergraph's API schema (the network lists included: the network subgraph's).
  schema = apiSchemaOf(stack.supergraphSdl);
  const { cubiss } = await data(`{ cubiss { libraries(first: 1, orderBy: { field: MEMBER_COUNT, direction: DESC }) { nodes { id } } } }`);
  VARIABLES.LibraryProfile = { id: cubiss.libraries.nodes[0].id };
});
afterAll(async () => {
  await stack?.stop();
});

async function data(query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await stack.query(query, variables);
  expect(response.errors).toBeUndefined();
  expect(response.status).toBe(200);
  return response.data;
}

const byCode = <T extends { code: string }>(list: T[]) => new Map(list.map((item) => [item.code, item]));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const counts = (list: { key: string; count: number }[]) => Object.fromEntries(list.map((k) => [k.key, k.count]));
const registryCodes = POIS.map((p) => p.code);

function expectAscending(values: (string | number)[]) {
  for (let i = 1; i < values.length; i++) expect(values[i - 1] <= values[i]).toBe(true);
}

/** Cross-checks per operation name: the operation's data and variables against independent queries. */
const CHECKS: Record<string, (result: any, variables: Record<string, unknown>) => Promise<void>> = {
  async NetworkOverview({ pois }) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    const independent = await data(
      `query Independent($today: Date!, $until: Date!) { ${POIS.map(
        (p) => `${p.rootField} { code
        libraries(first: 100) { totalCount nodes { memberCount branches { id } } pageInfo { hasNextPage } }
        activeContracts: contracts(filter: { status: ACTIVE }) { totalCount }
        expiring: contracts(filter: { status: ACTIVE, endsAfter: $today, endsBefore: $until }) { totalCount }
        openTickets: tickets(filter: { status: [OPEN, IN_PROGRESS, WAITING] }) { totalCount } }`,
      ).join(' ')} }`,
      { today, until },
    );
    for (const poi of POIS) {
      const { stats } = pois.find((p: any) => p.code === poi.code);
      const own = independent[poi.rootField];
      expect(stats.libraryCount).toBeGreaterThan(0);
      expect(stats.libraryCount).toBe(own.libraries.totalCount);
      expect(stats.activeContractCount).toBe(own.activeContracts.totalCount);
      expect(stats.contractsExpiringWithin).toBe(own.expiring.totalCount);
      expect(stats.openTicketCount).toBe(own.openTickets.totalCount);
      expect(stats.medianResolutionHours).toBeGreaterThan(0);
      if (!own.libraries.pageInfo.hasNextPage) {
        expect(stats.memberCount).toBe(sum(own.libraries.nodes.map((l: any) => l.memberCount)));
        expect(stats.branchCount).toBe(sum(own.libraries.nodes.map((l: any) => l.branches.length)));
      }
    }
  },

  async MiddenZuidLibraries({ wisePlatform, network }) {
    // The sources: Midden-Zuid was built by BiSC and Cubiss; Utrecht 2019 … Venlo mid-November 2020.
    expect(wisePlatform.pois.map((p: any) => p.code).sort()).toEqual(['BISC', 'CUBISS']);
    expect(wisePlatform.migrations.map((m: any) => m.migratedOn)).toEqual(['2019-01-01', '2020-02-01', '2020-06-01', '2020-10-01', '2020-11-15']);
    // Every current library of a POI on it (each POI's own list, recounted), and no other.
    const independent = await data(
      `{ ${POIS.map((p) => `${p.rootField} { code libraries(first: 100) { totalCount nodes { name wisePlatform { code } } } }`).join(' ')} }`,
    );
    const onPlatform = POIS.flatMap((p) =>
      independent[p.rootField].libraries.nodes.filter((l: any) => l.wisePlatform?.code === wisePlatform.code).map((l: any) => `${p.code}/${l.name}`),
    );
    expect(network.libraries.incomplete).toBe(false);
    expect(network.libraries.totalCount).toBe(onPlatform.length);
    expect(network.libraries.nodes.map((l: any) => `${l.poi.code}/${l.name}`).sort()).toEqual(onPlatform.sort());
    expect(new Set(network.libraries.nodes.map((l: any) => l.poi.code))).toEqual(new Set(['BISC', 'CUBISS']));
  },

  async MiddenZuidLoanPeriodDeviations(result) {
    const agreed = result.harmonisationStandard.values.loanPeriodDays;
    expect(result.harmonisationStandard.settings.find((s: any) => s.setting === 'LOAN_PERIOD').agreedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Independently: every current library's own loan period, compared here with the agreed one.
    const independent = await data(
      `{ bisc { libraries(first: 100) { nodes { id settings { values { loanPeriodDays } } } } } cubiss { libraries(first: 100) { nodes { id settings { values { loanPeriodDays } } } } } }`,
    );
    for (const field of ['bisc', 'cubiss']) {
      const [view] = result[field].harmonisation.settings;
      const withSettings = independent[field].libraries.nodes.filter((l: any) => l.settings);
      const deviating = withSettings
        .filter((l: any) => l.settings.values.loanPeriodDays !== agreed)
        .map((l: any) => l.id)
        .sort();
      expect(view.setting).toBe('LOAN_PERIOD');
      expect(view.libraryCount).toBe(withSettings.length);
      expect(view.deviatingCount).toBe(deviating.length);
      expect(view.deviatingLibraries.nodes.map((l: any) => l.id).sort()).toEqual(deviating);
      for (const library of view.deviatingLibraries.nodes) expect(library.settings.values.loanPeriodDays).not.toBe(agreed);
    }
  },

  async TicketsTrend({ pois }) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    const thisMonth = today.slice(0, 7);
    const independent = byCode<any>(
      (
        await data(`query Since($since: DateTime) { pois { code tickets(filter: { openedAfter: $since }) { totalCount } } }`, {
          since: `${pois[0].stats.ticketsOpenedPerMonth[0].month}-01T00:00:00.000Z`,
        })
      ).pois,
    );
    for (const poi of pois) {
      for (const series of [poi.stats.ticketsOpenedPerMonth, poi.stats.ticketsResolvedPerMonth]) {
        expect(series).toHaveLength(12);
        expect(series[11].month).toBe(thisMonth);
        expectAscending(series.map((m: any) => m.month));
        expect(new Set(series.map((m: any) => m.month)).size).toBe(12);
        for (const m of series) expect(m.count).toBeGreaterThanOrEqual(0);
      }
      expect(sum(poi.stats.ticketsOpenedPerMonth.map((m: any) => m.count))).toBeGreaterThan(0);
      // Every request opened since the first month's first day falls in one of the twelve months.
      expect(sum(poi.stats.ticketsOpenedPerMonth.map((m: any) => m.count))).toBe(independent.get(poi.code).tickets.totalCount);
    }
  },

  async TicketsByStatusAndPriority({ pois }) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    const independent = byCode<any>(
      (
        await data(`{ pois { code all: tickets { totalCount } p1: tickets(filter: { priority: [P1] }) { totalCount }
        waiting: tickets(filter: { status: [WAITING] }) { totalCount } } }`)
      ).pois,
    );
    for (const poi of pois) {
      const own = independent.get(poi.code);
      const status = counts(poi.stats.ticketsByStatus);
      const priority = counts(poi.stats.ticketsByPriority);
      expect(Object.keys(status).sort()).toEqual(['CLOSED', 'IN_PROGRESS', 'OPEN', 'RESOLVED', 'WAITING']);
      expect(Object.keys(priority).sort()).toEqual(['P1', 'P2', 'P3', 'P4']);
      expect(sum(Object.values(status))).toBe(own.all.totalCount);
      expect(sum(Object.values(priority))).toBe(own.all.totalCount);
      expect(sum(poi.stats.ticketsByCategory.map((k: any) => k.count))).toBe(own.all.totalCount);
      expect(priority.P1).toBe(own.p1.totalCount);
      expect(status.WAITING).toBe(own.waiting.totalCount);
      expect(poi.stats.openTicketCount).toBe(sum(OPEN.map((s) => status[s])));
    }
  },

  async ExpiringContracts({ pois }, variables) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    // The window is today .. today + 180 days, exactly what contractsExpiringWithin(days: 180) counts.
    expect(variables).toMatchObject({ today, until });
    const independent = byCode<any>((await data(`{ pois { code stats { contractsExpiringWithin(days: 180) } } }`)).pois);
    expect(sum(pois.map((p: any) => p.contracts.totalCount))).toBeGreaterThan(0);
    for (const poi of pois) {
      const { totalCount, nodes, pageInfo } = poi.contracts;
      expect(totalCount).toBe(independent.get(poi.code).stats.contractsExpiringWithin);
      expect(nodes).toHaveLength(Math.min(totalCount, 100));
      expect(pageInfo.hasNextPage).toBe(totalCount > 100);
      for (const c of nodes) expect(c.endsOn >= today && c.endsOn < until).toBe(true);
      expectAscending(nodes.map((c: any) => c.endsOn));
    }
  },

  async KnowledgeSearch({ pois }, variables) {
    const word = String(variables.search).toLowerCase();
    // The bodies, fetched apart: the operation shows summaries, the match may be in the body.
    const bodies = new Map<string, string>();
    const independent = (
      await data(`query Bodies($search: String!) { pois { code knowledgeArticles(search: $search, first: 10) { nodes { id body } } } }`, variables)
    ).pois;
    for (const poi of independent) for (const a of poi.knowledgeArticles.nodes) bodies.set(`${poi.code}:${a.id}`, a.body);
    for (const poi of pois) {
      const { totalCount, nodes } = poi.knowledgeArticles;
      expect(totalCount).toBeGreaterThan(0);
      expect(nodes.length).toBe(Math.min(totalCount, 10));
      for (const a of nodes) {
        expect(a.score).toBeGreaterThan(0);
        const text = `${a.title} ${a.summary} ${bodies.get(`${poi.code}:${a.id}`)} ${a.tags.join(' ')}`.toLowerCase();
        // A Dutch word form of the search: "reservering" finds reserveringen, reserveren, gereserveerd (README "Knowledge search").
        expect(text).toMatch(new RegExp(`\\b(ge)?${word.slice(0, 6)}`));
      }
      const scores = nodes.map((a: any) => a.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
  },

  async SlaComplianceP1Incidents({ pois }, variables) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    const year = today.slice(0, 4);
    // Independently: every P1 incident with its due moment, through the POIs' own lists (the test's token may read due moments).
    const independent = byCode<any>(
      (
        await data(`{ pois { code tickets(filter: { type: [INCIDENT], priority: [P1] }, first: 100) { totalCount
        nodes { resolvedAt firstResponseAt serviceLevel { responseDueAt resolutionDueAt } } } } }`)
      ).pois,
    );
    const now = Date.now();
    let due = 0;
    for (const poi of pois) {
      const series = poi.stats.slaCompliance;
      expect(series.map((m: any) => m.month)).toEqual(Array.from({ length: Number(variables.months) }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`));
      const own = independent.get(poi.code).tickets;
      expect(own.totalCount).toBeLessThanOrEqual(100);
      for (const month of series) {
        const inMonth = own.nodes.filter(
          (t: any) =>
            t.serviceLevel && t.serviceLevel.resolutionDueAt.startsWith(month.month) && (t.resolvedAt || Date.parse(t.serviceLevel.resolutionDueAt) < now),
        );
        const met = inMonth.filter(
          (t: any) => t.resolvedAt && t.resolvedAt <= t.serviceLevel.resolutionDueAt && (t.firstResponseAt ?? t.resolvedAt) <= t.serviceLevel.responseDueAt,
        );
        expect(month).toEqual({
          month: month.month,
          due: inMonth.length,
          met: met.length,
          share: inMonth.length ? met.length / inMonth.length : null,
          complete: month.month < today.slice(0, 7),
        });
        due += month.due;
      }
    }
    expect(due).toBeGreaterThan(0);
  },

  async NetworkKnowledgeSearch({ network }) {
    // Recounted from the POIs' own searches: the sum, and every article of theirs once, folded by content.
    const { pois } = await data(`{ pois { code knowledgeArticles(search: "reserveringen", first: 100) { totalCount nodes { title contentHash } } } }`);
    const { totalCount, nodes, incomplete } = network.knowledgeSearch;
    expect(incomplete).toBe(false);
    expect(totalCount).toBe(pois.reduce((sum: number, p: any) => sum + p.knowledgeArticles.totalCount, 0));
    const publishersOf = new Map<string, string[]>();
    for (const p of pois) for (const a of p.knowledgeArticles.nodes) publishersOf.set(a.title, [...(publishersOf.get(a.title) ?? []), p.code]);
    expect(nodes.length).toBe(Math.min(10, publishersOf.size));
    for (const hit of nodes) expect(hit.publishers.map((p: any) => p.code)).toEqual([...publishersOf.get(hit.title)!].sort());
    const scores = nodes.map((a: any) => a.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  },

  async ReleaseAcceptanceOpen({ nextWiseRelease }) {
    // The next release is the earliest ANNOUNCED or IN_TEST one, recounted over the whole planning.
    const { wiseReleases } = await data(`{ wiseReleases { version releasedOn status } }`);
    const open = wiseReleases.filter((r: any) => ['ANNOUNCED', 'IN_TEST'].includes(r.status));
    expect(nextWiseRelease.version).toBe(open[0].version);
    expect(nextWiseRelease.acceptance.map((a: any) => a.poi.code)).toEqual([...registryCodes].sort());
    // Each POI's status is what its own root field answers for the release.
    for (const poi of POIS) {
      const own = (
        await data(`query($v: String!) { ${poi.rootField} { releaseAcceptance(releaseVersion: $v) { testStatus tickets { totalCount } } } }`, {
          v: nextWiseRelease.version,
        })
      )[poi.rootField];
      const answered = nextWiseRelease.acceptance.find((a: any) => a.poi.code === poi.code);
      expect([poi.code, answered.testStatus, answered.tickets.totalCount]).toEqual([
        poi.code,
        own.releaseAcceptance.testStatus,
        own.releaseAcceptance.tickets.totalCount,
      ]);
    }
    // The seed leaves some POIs unfinished: the question has an answer.
    expect(nextWiseRelease.acceptance.some((a: any) => a.testStatus !== 'PASSED')).toBe(true);
  },
  async WorkAgenda({ workAgenda }) {
    const independent = await data(`{ workAgenda { id } done: workAgenda(status: DONE) { id } }`);
    expect(workAgenda.map((i: any) => i.id)).toEqual(independent.workAgenda.map((i: any) => i.id));
    expect(workAgenda.length).toBeGreaterThan(0);
    expect(workAgenda.filter((i: any) => i.status === 'DONE').map((i: any) => i.id)).toEqual(independent.done.map((i: any) => i.id));
    // By due date, open-ended items last.
    const dated = workAgenda.filter((i: any) => i.dueOn !== null);
    expect(workAgenda.slice(0, dated.length)).toEqual(dated);
    expectAscending(dated.map((i: any) => i.dueOn));
    for (const item of workAgenda) {
      expect(item.title.length).toBeGreaterThan(0);
      if (item.owner) expect(item.participants.map((p: any) => p.code)).toContain(item.owner.code);
      for (const p of item.participants) expect(registryCodes).toContain(p.code);
    }
  },

  async WorkAgendaHarmonisationTickets({ planned, inProgress, onHold }) {
    const items = [...planned, ...inProgress, ...onHold];
    const { workAgenda } = await data(`{ workAgenda(theme: HARMONISATION) { id status } }`);
    expect(items.map((i: any) => i.id).sort()).toEqual(
      workAgenda
        .filter((i: any) => i.status !== 'DONE')
        .map((i: any) => i.id)
        .sort(),
    );
    // Each item's tickets: the network ticket list filtered by the item, asked on its own.
    const independent = await data(
      `{ ${items.map((i: any, n: number) => `i${n}: network { tickets(filter: { agendaItemId: ${JSON.stringify(i.id)} }) { totalCount } }`).join(' ')} }`,
    );
    items.forEach((item: any, n: number) => {
      expect(item.tickets.incomplete).toBe(false);
      expect(item.tickets.totalCount).toBe(independent[`i${n}`].tickets.totalCount);
      expect(item.tickets.nodes).toHaveLength(Math.min(item.tickets.totalCount, 20));
      expectAscending(item.tickets.nodes.map((t: any) => -Date.parse(t.openedAt)));
    });
    expect(items.some((i: any) => i.tickets.totalCount > 0)).toBe(true);
  },

  async SteeringGroupAndEvaluations({ partnership, steeringGroup, evaluations }) {
    expect(partnership.name.length).toBeGreaterThan(0);
    const { pois } = await data(`{ pois { code inSteeringGroup } }`);
    expect(steeringGroup.map((m: any) => m.poi.code).sort()).toEqual(
      pois
        .filter((p: any) => p.inSteeringGroup)
        .map((p: any) => p.code)
        .sort(),
    );
    expect(evaluations.length).toBeGreaterThan(0);
    expectAscending(evaluations.map((e: any) => e.dueOn));
    for (const e of evaluations) expect(e.summary === null).toBe(e.status === 'PLANNED');
  },

  async LibraryProfile({ cubiss }, variables) {
    const { library } = cubiss;
    expect(cubiss.code).toBe('CUBISS');
    expect(library.id).toBe(variables.id);
    const independent = await data(
      `query Independent($id: ID!) { cubiss {
      libraries(first: 1, orderBy: { field: MEMBER_COUNT, direction: DESC }) { nodes { id name memberCount } }
      open: tickets(filter: { libraryId: $id, status: [OPEN, IN_PROGRESS, WAITING] }) { totalCount }
      all: tickets(filter: { libraryId: $id }) { totalCount } } }`,
      variables,
    );
    expect(independent.cubiss.libraries.nodes[0]).toEqual({ id: library.id, name: library.name, memberCount: library.memberCount });
    expect(library.openTickets.totalCount).toBe(independent.cubiss.open.totalCount);
    expect(library.recentTickets.totalCount).toBe(independent.cubiss.all.totalCount);
    expect(library.recentTickets.nodes.length).toBe(Math.min(independent.cubiss.all.totalCount, 10));
    for (const t of library.openTickets.nodes) expect(OPEN).toContain(t.status);
    expect(library.branches.length).toBeGreaterThan(0);
    expect(library.branches[0].isMain).toBe(true);
    expect(['LIMBURG', 'NOORD_BRABANT']).toContain(library.province);
  },

  async LibrariesByProvince({ pois }) {
    // Default province: Noord-Brabant, served by Cubiss alone.
    expect(pois.map((p: any) => p.code)).toEqual(['CUBISS']);
    const { cubiss } = await data(`{ cubiss { stats { librariesByProvince { key count } } } }`);
    const { totalCount, nodes } = pois[0].libraries;
    expect(totalCount).toBe(counts(cubiss.stats.librariesByProvince).NOORD_BRABANT);
    expect(nodes).toHaveLength(Math.min(totalCount, 100));
    expectAscending(nodes.map((l: any) => -l.memberCount));
  },

  async CubissContractsEndingWithP1Tickets({ cubiss }, variables) {
    expect(variables).toMatchObject({ today, until });
    const { totalCount, nodes } = cubiss.contracts;
    const stats = (await data(`{ cubiss { stats { contractsExpiringWithin(days: 180) } } }`)).cubiss.stats;
    expect(totalCount).toBe(stats.contractsExpiringWithin);
    expect(totalCount).toBeGreaterThan(0);
    expect(nodes).toHaveLength(Math.min(totalCount, 100));
    for (const c of nodes) expect(c.endsOn >= today && c.endsOn < until).toBe(true);
    // Each library's P1 count this year, asked library by library.
    const independent = (
      await data(
        `query P1($since: DateTime!) { cubiss { ${nodes
          .map(
            (c: any, i: number) => `l${i}: tickets(filter: { libraryId: ${JSON.stringify(c.library.id)}, priority: [P1], openedAfter: $since }) { totalCount }`,
          )
          .join(' ')} } }`,
        { since: yearStart },
      )
    ).cubiss;
    nodes.forEach((c: any, i: number) => expect(c.library.p1TicketsThisYear.totalCount).toBe(independent[`l${i}`].totalCount));
  },

  async OpenUrgentTickets({ pois }) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    const independent = byCode<any>(
      (
        await data(`{ pois { code p1: tickets(filter: { status: [OPEN, IN_PROGRESS, WAITING], priority: [P1] }) { totalCount }
        p2: tickets(filter: { status: [OPEN, IN_PROGRESS, WAITING], priority: [P2] }) { totalCount } } }`)
      ).pois,
    );
    for (const poi of pois) {
      const own = independent.get(poi.code);
      expect(poi.tickets.totalCount).toBe(own.p1.totalCount + own.p2.totalCount);
      expect(poi.tickets.nodes).toHaveLength(Math.min(poi.tickets.totalCount, 50));
      for (const t of poi.tickets.nodes) {
        expect(OPEN).toContain(t.status);
        expect(['P1', 'P2']).toContain(t.priority);
      }
      expectAscending(poi.tickets.nodes.map((t: any) => t.priority));
    }
  },

  async LibrariesWithoutActiveContract({ pois }) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    const independent = byCode<any>(
      (await data(`{ pois { code stats { libraryCount } active: libraries(filter: { hasActiveContract: true }) { totalCount } } }`)).pois,
    );
    for (const poi of pois) {
      const own = independent.get(poi.code);
      expect(poi.libraries.totalCount).toBe(own.stats.libraryCount - own.active.totalCount);
      expect(poi.libraries.nodes).toHaveLength(Math.min(poi.libraries.totalCount, 100));
      for (const l of poi.libraries.nodes) if (l.contract) expect(l.contract.status).not.toBe('ACTIVE');
    }
    // Some of them have an agreement that is no longer active, so the status check above checks something.
    expect(pois.flatMap((p: any) => p.libraries.nodes).filter((l: any) => l.contract).length).toBeGreaterThan(0);
  },

  async VendorLicences({ pois }) {
    expect(pois.map((p: any) => p.code)).toEqual(registryCodes);
    const independent = await data(`{ ${POIS.map((p) => `${p.rootField} { vendorContracts { id vendor } }`).join(' ')} }`);
    for (const poi of POIS) {
      const licences = pois.find((p: any) => p.code === poi.code).vendorContracts;
      expect(licences.length).toBeGreaterThan(0);
      expect(licences.map((l: any) => ({ id: l.id, vendor: l.vendor }))).toEqual(independent[poi.rootField].vendorContracts);
      for (const l of licences) expect(l.startsOn <= l.endsOn).toBe(true);
    }
  },

  async NetworkAgendaGoals({ networkAgendaGoals }) {
    const { workAgenda } = await data(`{ workAgenda { id goal { code } } }`);
    expect(networkAgendaGoals.length).toBeGreaterThan(0);
    for (const goal of networkAgendaGoals) {
      const expected = workAgenda.filter((i: any) => i.goal?.code === goal.code).map((i: any) => i.id);
      expect(goal.workAgendaItems.map((i: any) => i.id).sort()).toEqual(expected.sort());
    }
  },

  async LibraryDirectory({ poi }, variables) {
    expect(poi.code).toBe('CUBISS');
    const { cubiss } = await data(`{ cubiss { stats { libraryCount } } }`);
    expect(poi.libraries.totalCount).toBe(cubiss.stats.libraryCount);
    expect(poi.libraries.nodes).toHaveLength(Math.min(poi.libraries.totalCount, 20));
    // Cubiss has more libraries than a page holds, so there is a next page to check.
    expect(poi.libraries.totalCount).toBeGreaterThan(20);
    expect(poi.libraries.pageInfo.hasNextPage).toBe(true);
    // The next page, through the same operation: no library twice.
    const file = named.find((f) => nameOf(f) === 'LibraryDirectory')!;
    const next = await data(file.text, { ...variables, after: poi.libraries.pageInfo.endCursor });
    const ids = [...poi.libraries.nodes, ...next.poi.libraries.nodes].map((l: any) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
  },
};

describe('operations/ folder', () => {
  it('holds at least 10 example operations', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('has operation names unique over all files', () => {
    const names = named.map(nameOf);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has cross-checks only for operations that exist', () => {
    const names = named.map(nameOf);
    for (const name of [...Object.keys(CHECKS), ...Object.keys(VARIABLES), 'LibraryProfile']) expect(names).toContain(name);
  });

  describe.each(loaded.map((f) => [f.file, f] as const))('%s', (file, f) => {
    it('holds exactly one named operation, named after the file, under a "# For: / # Answers:" header', () => {
      expect(f.operations).toHaveLength(1);
      const name = f.operations[0].name?.value;
      if (!name) throw new Error(`${file}: the operation has no name`);
      expect(file).toBe(`${kebab(name)}.graphql`);
      const header = f.text.slice(0, f.text.search(/^(query|mutation|subscription|fragment)\b/m));
      expect(
        header
          .split('\n')
          .filter((l) => l.trim() !== '')
          .every((l) => l.startsWith('#')),
      ).toBe(true);
      expect(header).toMatch(/^# For: /m);
      expect(header).toMatch(/^# Answers: /m);
    });

    it("validates against the gateway's API schema", () => {
      expect(validate(schema, f.document).map((e) => e.message)).toEqual([]);
    });

    it('runs through the gateway without errors and agrees with independent queries', async () => {
      if (f.operations.length !== 1 || !f.operations[0].name) throw new Error(`${file}: no single named operation`);
      const operation = f.operations[0];
      const name = operation.name!.value;
      const variables = VARIABLES[name] ?? {};
      const missing = (operation.variableDefinitions ?? [])
        .filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue && !(v.variable.name.value in variables))
        .map((v) => `$${v.variable.name.value}`);
      if (missing.length > 0) throw new Error(`${file}: give ${missing.join(', ')} in VARIABLES.${name} of this test`);

      const result = await data(f.text, variables);
      for (const selection of operation.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD) continue;
        const key = selection.alias?.value ?? selection.name.value;
        expect(result[key]).not.toBeNull();
        expect(result[key]).toBeDefined();
      }
      await CHECKS[name]?.(result, variables);
    });
  });
});
