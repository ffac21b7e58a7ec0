import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { Cursors } from '../shared/graphql/connection';
import { assertMayRead } from '../shared/auth/directives';
import { scalarResolvers } from '../shared/graphql/common';
import { PROVINCES, Poi } from '../shared/registry';
import { addDays, addMonths, lastMonths, monthSeries } from '../shared/dates';
import { AUDIT_ENTITIES, ReleaseAcceptance, TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from './entities';
import { WISE_VERSION_PATTERN } from '../shared/wise-releases';
import type { AuditEntry } from '../shared/audit';
import type { Actor, PoiWrites } from './writes';
import { mutationActor } from '../shared/versioned-writes';
import type { PoiLoaders } from './loaders';
import type { Identity } from '../shared/auth/identity';
import type { AuditedChange } from './mappers';
import type {
  KnowledgeTermStatisticsInput,
  LibraryTicketsArgs,
  PoiStatsSlaComplianceArgs,
  Resolvers,
  ThisPoiTicketsArgs,
  TicketFilter,
} from './generated/resolvers';
import type DataLoader from 'dataloader';
import type { PageRequest, Sorted, SortOrder } from '../shared/graphql/connection';
import type { Ticket } from './entities';
import { forPoi, poiContractType } from './schema';
import { HarmonisationCounts, PoiRepository, sortOrder, StatsSummary, TicketTerms, type KnowledgeSearch } from './repository';
import { fromColumns, HARMONISATION_SETTINGS, WiseSettingValues } from '../shared/wise-settings';
import { Checks } from '../shared/validation';

export interface PoiContext {
  repository: PoiRepository;
  loaders: PoiLoaders;
  writes: PoiWrites;
  /** Seals and opens this subgraph's page cursors. */
  cursors: Cursors;
  /** What the POI's own extension needs per request (its repository, writes); see PoiExtension. */
  own: object;
  /** Who is asking, as the gateway forwarded it; recorded with every write. */
  identity?: Identity;
  /** The caller's token for the collaboration subgraph (poi-kit/agenda-items.ts), sent by the gateway with mutations. */
  collaborationToken?: string;
}

/** Ids are whole numbers inside a POI; anything else simply matches nothing. */
function parseId(id: string): number | null {
  return /^\d{1,9}$/.test(id) ? Number(id) : null;
}

function ticketSort(args: Pick<ThisPoiTicketsArgs | LibraryTicketsArgs, 'orderBy'>) {
  return sortOrder('ticket', args.orderBy?.field ?? 'OPENED_AT', args.orderBy?.direction ?? (args.orderBy ? 'ASC' : 'DESC'));
}

/** A release this POI has recorded nothing for: NOT_STARTED, version 0 (the first write names 0). */
const notStarted = (releaseVersion: string): ReleaseAcceptance => ({
  id: 0,
  releaseVersion,
  testStatus: 'NOT_STARTED',
  plannedGoLiveOn: null,
  actualGoLiveOn: null,
  notes: null,
  version: 0,
});

/** This POI's acceptance of a release, recorded or not; null for what cannot be a version. */
async function acceptanceOf(loaders: PoiLoaders, releaseVersion: unknown): Promise<ReleaseAcceptance | null> {
  if (typeof releaseVersion !== 'string' || !WISE_VERSION_PATTERN.test(releaseVersion)) return null;
  return (await loaders.releaseAcceptanceByVersion.load(releaseVersion)) ?? notStarted(releaseVersion);
}

function inRange(value: number, min: number, max: number, argument: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GraphQLError(`"${argument}" must be between ${min} and ${max}, got ${value}`, { extensions: { code: 'BAD_USER_INPUT', argument } });
  }
  return value;
}

/**
 * The field of the listed type that each filter condition reads. Ordering by a field reads that
 * field (ANNUAL_FEE reads annualFee). Both need the scope that reads the field itself.
 */
export const FILTER_READS: Record<string, Record<string, string>> = {
  Library: {
    province: 'province',
    municipality: 'municipalities',
    nameContains: 'name',
    hasActiveContract: 'contract',
    status: 'status',
    wisePlatform: 'wisePlatform',
  },
  Contract: { status: 'status', service: 'services', endsAfter: 'endsOn', endsBefore: 'endsOn' },
  Ticket: {
    status: 'status',
    priority: 'priority',
    category: 'category',
    type: 'type',
    openedAfter: 'openedAt',
    openedBefore: 'openedAt',
    libraryId: 'library',
    agendaItemId: 'agendaItem',
    releaseVersion: 'wiseRelease',
  },
  KnowledgeArticle: { search: 'body' },
  AuditEntry: { entity: 'entity' },
};

/**
 * A search's terms and the statistics it is scored with: the given ones (checked, each problem at
 * its path under `statistics`), else this POI's own (one statement more).
 */
async function knowledgeSearch(
  repository: PoiRepository,
  search: string | null | undefined,
  statistics: KnowledgeTermStatisticsInput | null | undefined,
): Promise<KnowledgeSearch | null> {
  const checks = new Checks('statistics');
  if (statistics && !search) checks.fail('documentCount', 'is only used with "search"');
  if (statistics) {
    checks.wholeNumber('documentCount', statistics.documentCount, 1, 2_000_000_000);
    checks.wholeNumber('totalLength', statistics.totalLength, 1, 2_000_000_000);
    if (statistics.terms.length > 100) checks.fail('terms', 'must have at most 100 terms');
    statistics.terms
      .slice(0, 100)
      .forEach((t, i) => checks.wholeNumber(`terms[${i}].documentFrequency`, t.documentFrequency, 0, Math.max(0, statistics.documentCount)));
  }
  checks.throwIfAny();
  if (!search) return null;
  const terms = repository.searchTerms(search);
  return { terms, statistics: statistics ?? (await repository.knowledgeTermStatistics(terms)) };
}

const camelCase = (field: string) => field.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Refuses an order or filter over a field the caller may not read (FORBIDDEN, as reading it would be). */
function guardListArguments(info: GraphQLResolveInfo, ctx: PoiContext, listed: { kind: string; type: string }, orderField: string | undefined, filter: object) {
  if (orderField) assertMayRead(info.schema, listed.type, camelCase(orderField), ctx.identity, `ordering by ${orderField}`);
  for (const [condition, value] of Object.entries(filter)) {
    const field = FILTER_READS[listed.kind][condition];
    if (value !== null && value !== undefined && field) assertMayRead(info.schema, listed.type, field, ctx.identity, `filtering by ${condition}`);
  }
}

/** A group's page of tickets (a library's, a release's): filtered and ordered as the caller may, counted and paged by the group's batched loaders. */
function groupTickets<K>(
  args: LibraryTicketsArgs,
  ctx: PoiContext,
  info: GraphQLResolveInfo,
  list: string,
  count: (filter: TicketFilter) => DataLoader<K, number>,
  page: (args: { filter: TicketFilter; sort: SortOrder; page: PageRequest }) => DataLoader<K, Sorted<Ticket>[]>,
  key: K,
) {
  const filter = args.filter ?? {};
  guardListArguments(info, ctx, { kind: 'Ticket', type: 'Ticket' }, args.orderBy?.field, filter);
  const sort = ticketSort(args);
  return ctx.cursors.connection(
    args,
    { list, sort, filter },
    (request) => page({ filter, sort, page: request }).load(key),
    () => count(filter).load(key),
  );
}

/** The library a row belongs to (its foreign key, deleted with it): always there. */
async function libraryOf(loaders: PoiLoaders, libraryId: number) {
  const library = await loaders.libraryById.load(libraryId);
  if (!library) throw new Error(`library ${libraryId} is missing`);
  return library;
}

const today = () => new Date().toISOString().slice(0, 10);

const by = (ctx: PoiContext): Actor => mutationActor(ctx.identity);

/** The last `months` calendar months up to this one, oldest first, each with its count or 0; the current one incomplete. */
async function perMonth(repository: PoiRepository, column: 'opened_at' | 'resolved_at', monthsArg: number) {
  const labels = lastMonths(inRange(monthsArg, 1, 60, 'months'));
  return monthSeries(labels, await repository.ticketsPerMonth(column, `${labels[0]}-01`));
}

/** Service-level compliance per month, the last `months` months up to this one, oldest first, each month present. */
async function slaPerMonth(repository: PoiRepository, { months: monthsArg, type, priority }: PoiStatsSlaComplianceArgs) {
  const labels = lastMonths(inRange(monthsArg ?? 12, 1, 60, 'months'));
  const now = new Date();
  const counts = await repository.slaCompliance(`${labels[0]}-01`, addMonths(`${labels[labels.length - 1]}-01`, 1), now, { type, priority });
  const due = new Map([...counts].map(([month, c]) => [month, c.due]));
  return monthSeries(labels, due, now).map(({ month, count, complete }) => {
    const met = counts.get(month)?.met ?? 0;
    return { month, due: count, met, share: count === 0 ? null : met / count, complete };
  });
}

/** A moment as milliseconds: a Date from the database, or its JSON text in a write's recorded answer (an Idempotency-Key repeat). */
const msOf = (moment: Date | string) => new Date(moment).getTime();

/** The request's due moments under its terms, and whether it missed one (a moment that has not come counts from now). */
function serviceLevelOf(ticket: Ticket, terms: TicketTerms) {
  const opened = msOf(ticket.openedAt);
  const responseDueAt = new Date(opened + terms.responseHours * HOUR_MS);
  const resolutionDueAt = new Date(opened + terms.resolutionHours * HOUR_MS);
  const now = Date.now();
  const late = (moment: Date | string | null, due: Date) => (moment ? msOf(moment) : now) > due.getTime();
  return {
    responseDueAt,
    resolutionDueAt,
    breached: late(ticket.firstResponseAt ?? ticket.resolvedAt, responseDueAt) || late(ticket.resolvedAt, resolutionDueAt),
  };
}

const HOUR_MS = 3_600_000;

const stat =
  (field: keyof StatsSummary) =>
  (_: unknown, __: unknown, { loaders }: PoiContext) =>
    loaders.statsSummary().then((summary) => summary[field]);

/** The standard a reference carries (federation @requires), in stored form; null when absent or not of that shape. */
function requiredStandard(ref: object): WiseSettingValues | null {
  const standard = (ref as { harmonisationStandard?: unknown }).harmonisationStandard as Partial<WiseSettingValues> | null | undefined;
  if (!standard || typeof standard !== 'object') return null;
  const { loanPeriodDays, reservationFeeCents, membershipFeeTypes, finePolicy } = standard;
  if (!Number.isInteger(loanPeriodDays) || !Number.isInteger(reservationFeeCents) || !Array.isArray(membershipFeeTypes) || !finePolicy) return null;
  return {
    loanPeriodDays: loanPeriodDays!,
    reservationFeeCents: reservationFeeCents!,
    membershipFeeTypes: [...new Set(membershipFeeTypes.map(String))].sort(),
    finePolicy: { kind: finePolicy.kind, perDayCents: finePolicy.perDayCents ?? null },
  };
}

/** Share of (current library, setting) pairs equal to the standard; null without a current library with settings. */
function harmonisationScore(counts: HarmonisationCounts): number | null {
  const pairs = counts.libraryCount * HARMONISATION_SETTINGS.length;
  if (pairs === 0) return null;
  const deviating = HARMONISATION_SETTINGS.reduce((sum, setting) => sum + counts.deviating[setting], 0);
  return (pairs - deviating) / pairs;
}

/** An entry's changes as served, each about `type`'s field of that name, so FieldChange applies that field's scope rule (also for a POI's own audit list). */
export function auditedChanges(entry: AuditEntry, type: string): AuditedChange[] {
  return Object.entries(entry.changes).map(([field, change]) => ({
    type,
    field,
    from: change.from === null || change.from === undefined ? null : JSON.stringify(change.from),
    to: change.to === null || change.to === undefined ? null : JSON.stringify(change.to),
  }));
}

function auditedValue(change: AuditedChange, side: 'from' | 'to', ctx: PoiContext, info: GraphQLResolveInfo): string | null {
  assertMayRead(info.schema, change.type, change.field, ctx.identity, `${change.type}.${change.field} (in the audit trail)`);
  return change[side];
}

/**
 * Thin resolvers: unpack arguments, call the repository or a loader. Written against the common
 * POI schema as it stands (`ThisPoi`, `ThisContract`, `Query.thisPoi`; generated `Resolvers`), and
 * made the POI's own by `instantiateResolvers` (poi-kit/schema.ts), as the SDL is by `instantiate`.
 * `poi` serves what looks the POI's schema up at run time (its own contract type's rules).
 */
export function createPoiResolvers(poi: Poi): Resolvers {
  const auditedType: Record<string, string> = {
    LIBRARY: 'Library',
    BRANCH: 'Branch',
    CONTRACT: poiContractType(poi),
    TICKET: 'Ticket',
    KNOWLEDGE_ARTICLE: 'KnowledgeArticle',
    RELEASE_ACCEPTANCE: forPoi('ThisReleaseAcceptance', poi),
    LIBRARY_SETTINGS: 'LibrarySettings',
  };
  return {
    ...scalarResolvers,
    Query: {
      thisPoi: () => ({ code: poi.code }),
    },
    Poi: {
      __resolveType: () => 'ThisPoi',
    },
    ThisPoi: {
      // The standard arrives in the reference when a field that @requires it is asked for.
      __resolveReference: (ref) => (ref.code === poi.code ? { code: poi.code, harmonisationStandard: requiredStandard(ref) } : null),
      libraries: (_, args, ctx, info) => {
        const filter = args.filter ?? {};
        guardListArguments(info, ctx, { kind: 'Library', type: 'Library' }, args.orderBy?.field, filter);
        const sort = sortOrder('library', args.orderBy?.field ?? 'NAME', args.orderBy?.direction ?? 'ASC');
        return ctx.cursors.connection(
          args,
          { list: 'libraries', sort, filter },
          (page) => ctx.repository.pageLibraries(filter, sort, page),
          () => ctx.repository.countLibraries(filter),
        );
      },
      library: (_, { id }, { loaders }) => {
        const libraryId = parseId(id);
        return libraryId === null ? null : loaders.libraryById.load(libraryId);
      },
      contracts: (_, args, ctx, info) => {
        const filter = args.filter ?? {};
        guardListArguments(info, ctx, { kind: 'Contract', type: poiContractType(poi) }, args.orderBy?.field, filter);
        const sort = sortOrder('contract', args.orderBy?.field ?? 'ENDS_ON', args.orderBy?.direction ?? 'ASC');
        return ctx.cursors.connection(
          args,
          { list: 'contracts', sort, filter },
          (page) => ctx.repository.pageContracts(filter, sort, page),
          () => ctx.repository.countContracts(filter),
        );
      },
      vendorContracts: (_, __, { repository }) => repository.vendorContracts(),
      tickets: (_, args, ctx, info) => {
        const filter = args.filter ?? {};
        guardListArguments(info, ctx, { kind: 'Ticket', type: 'Ticket' }, args.orderBy?.field, filter);
        const sort = ticketSort(args);
        return ctx.cursors.connection(
          args,
          { list: 'tickets', sort, filter },
          (page) => ctx.repository.pageTickets(filter, sort, page),
          () => ctx.repository.countTickets(filter),
        );
      },
      knowledgeArticles: async (_, args, ctx, info) => {
        guardListArguments(info, ctx, { kind: 'KnowledgeArticle', type: 'KnowledgeArticle' }, undefined, { search: args.search });
        const search = await knowledgeSearch(ctx.repository, args.search, args.statistics);
        const sort = ctx.repository.knowledgeOrder(search);
        return ctx.cursors.connection(
          args,
          // A cursor is bound to the statistics it was scored with, when they were given.
          { list: 'knowledgeArticles', sort, filter: { search: args.search, statistics: args.statistics ?? null } },
          (page) => ctx.repository.pageKnowledgeArticles(search, sort, page),
          () => ctx.repository.countKnowledgeArticles(search),
        );
      },
      knowledgeTermStatistics: (_, { search }, ctx, info) => {
        guardListArguments(info, ctx, { kind: 'KnowledgeArticle', type: 'KnowledgeArticle' }, undefined, { search });
        return ctx.repository.knowledgeTermStatistics(ctx.repository.searchTerms(search));
      },
      stats: () => ({}),
      releaseAcceptances: (_, __, { repository }) => repository.releaseAcceptances(),
      releaseAcceptance: (_, { releaseVersion }, { loaders }) => acceptanceOf(loaders, releaseVersion),
      harmonisation: (parent) => (parent.harmonisationStandard ? { standard: parent.harmonisationStandard } : null),
      harmonisationScore: async (parent, _, { loaders }) =>
        parent.harmonisationStandard ? harmonisationScore(await loaders.harmonisationCounts(parent.harmonisationStandard)) : null,
      audit: (_, args, ctx, info) => {
        guardListArguments(info, ctx, { kind: 'AuditEntry', type: 'AuditEntry' }, undefined, { entity: args.entity });
        const sort = sortOrder('audit', 'ID', 'DESC');
        // The kit's own kinds only: a POI's extension lists the kinds it audits itself (their values are no AuditEntity).
        const entities = args.entity ? [args.entity] : AUDIT_ENTITIES;
        return ctx.cursors.connection(
          args,
          { list: 'audit', sort, filter: { entity: args.entity } },
          (page) => ctx.repository.pageAudit(entities, sort, page),
          () => ctx.repository.countAudit(entities),
        );
      },
    },
    Mutation: {
      thisPoi: () => ({}),
    },
    ThisPoiMutations: {
      upsertLibrary: (_, { input }, ctx) => ctx.writes.upsertLibrary(input, by(ctx)),
      createContract: (_, { input }, ctx) => ctx.writes.createContract(input, by(ctx)),
      renewContract: (_, { id, input }, ctx) => ctx.writes.renewContract(id, input, by(ctx)),
      terminateContract: (_, { id, input }, ctx) => ctx.writes.terminateContract(id, input, by(ctx)),
      createTicket: (_, { input }, ctx) => ctx.writes.createTicket(input, by(ctx), ctx.collaborationToken),
      updateTicket: (_, { id, input }, ctx) => ctx.writes.updateTicket(id, input, by(ctx), ctx.collaborationToken),
      assignTicket: (_, { id, input }, ctx) => ctx.writes.assignTicket(id, input, by(ctx)),
      resolveTicket: (_, { id, input }, ctx) => ctx.writes.resolveTicket(id, input, by(ctx)),
      createKnowledgeArticle: (_, { input }, ctx) => ctx.writes.createKnowledgeArticle(input, by(ctx)),
      updateKnowledgeArticle: (_, { id, input }, ctx) => ctx.writes.updateKnowledgeArticle(id, input, by(ctx)),
      setReleaseAcceptance: (_, { releaseVersion, input }, ctx) => ctx.writes.setReleaseAcceptance(releaseVersion, input, by(ctx), ctx.collaborationToken),
      updateLibrarySettings: (_, { libraryId, input }, ctx) => ctx.writes.updateLibrarySettings(libraryId, input, by(ctx)),
    },
    ReleaseAcceptance: {
      __resolveType: () => 'ThisReleaseAcceptance',
    },
    ThisReleaseAcceptance: {
      __resolveReference: (ref, { loaders }) => acceptanceOf(loaders, ref.releaseVersion),
      release: (acceptance) => ({ version: acceptance.releaseVersion }),
      // The release is the group the loaders batch by (as a library is), not part of the filter: all releases share one query.
      tickets: (acceptance, args, ctx, info) =>
        groupTickets(
          args,
          ctx,
          info,
          `release/${acceptance.releaseVersion}/tickets`,
          ctx.loaders.ticketCountByRelease,
          ctx.loaders.ticketPageByRelease,
          acceptance.releaseVersion,
        ),
    },
    PoiHarmonisation: {
      __resolveType: () => 'ThisHarmonisation',
    },
    ThisHarmonisation: {
      settings: ({ standard }, { only }) =>
        HARMONISATION_SETTINGS.filter((setting) => !only || only.includes(setting)).map((setting) => ({ setting, standard })),
    },
    SettingHarmonisation: {
      libraryCount: async ({ standard }, _, { loaders }) => (await loaders.harmonisationCounts(standard)).libraryCount,
      deviatingCount: async ({ standard, setting }, _, { loaders }) => (await loaders.harmonisationCounts(standard)).deviating[setting],
      harmonisedShare: async ({ standard, setting }, _, { loaders }) => {
        const counts = await loaders.harmonisationCounts(standard);
        return counts.libraryCount === 0 ? null : (counts.libraryCount - counts.deviating[setting]) / counts.libraryCount;
      },
      deviatingLibraries: ({ standard, setting }, args, ctx) => {
        const sort = sortOrder('library', 'NAME', 'ASC');
        return ctx.cursors.connection(
          args,
          // Bound to the standard too: a cursor of one standard is refused once it changed.
          { list: `harmonisation/${setting}/deviatingLibraries`, sort, filter: { standard } },
          // The page brings each library's settings along: its `settings` need no second statement.
          async (page) => {
            const libraries = await ctx.repository.pageDeviatingLibraries(setting, standard, sort, page);
            for (const library of libraries) ctx.loaders.librarySettingsByLibrary.prime(library.id, library.settings);
            return libraries;
          },
          async () => (await ctx.loaders.harmonisationCounts(standard)).deviating[setting],
        );
      },
    },
    LibrarySettings: {
      values: (settings) => fromColumns(settings),
    },
    AuditEntry: {
      // Each change keeps the GraphQL type and field it is about: its values follow that field's rule.
      changes: (entry) => auditedChanges(entry, auditedType[entry.entity] ?? 'AuditEntry'),
    },
    FieldChange: {
      from: (change, _, ctx, info) => auditedValue(change, 'from', ctx, info),
      to: (change, _, ctx, info) => auditedValue(change, 'to', ctx, info),
    },
    Library: {
      branches: (library, _, { loaders }) => loaders.branchesByLibrary.load(library.id),
      // A reference the gateway resolves in the collaboration subgraph, which owns the platforms.
      wisePlatform: (library) => {
        const code = library.wisePlatformCode ?? poi.wisePlatform;
        return code ? { code } : null;
      },
      settings: (library, _, { loaders }) => loaders.librarySettingsByLibrary.load(library.id),
      successor: (library, _, { loaders }) => (library.successorId === null ? null : loaders.libraryById.load(library.successorId)),
      contract: async (library, _, { loaders }) => (await loaders.contractsByLibrary.load(library.id))[0] ?? null,
      tickets: (library, args, ctx, info) =>
        groupTickets(args, ctx, info, `library/${library.id}/tickets`, ctx.loaders.ticketCountByLibrary, ctx.loaders.ticketPageByLibrary, library.id),
    },
    Contract: {
      __resolveType: () => 'ThisContract',
    },
    ThisContract: {
      library: (contract, _, { loaders }) => libraryOf(loaders, contract.libraryId),
      serviceLevels: (contract, _, { loaders }) => loaders.serviceLevelsByContract.load(contract.id),
    },
    TicketServiceLevel: {
      __resolveType: () => 'ThisTicketServiceLevel',
    },
    VendorContract: {
      __resolveType: () => 'ThisVendorContract',
    },
    Ticket: {
      library: (ticket, _, { loaders }) => libraryOf(loaders, ticket.libraryId),
      agendaItem: (ticket) => (ticket.agendaItemId ? { id: ticket.agendaItemId } : null),
      serviceLevel: async (ticket, _, { loaders }) => {
        const terms = await loaders.termsByTicket.load(ticket.id);
        return terms && serviceLevelOf(ticket, terms);
      },
      slaBreached: async (ticket, _, { loaders }) => {
        const terms = await loaders.termsByTicket.load(ticket.id);
        return terms && serviceLevelOf(ticket, terms).breached;
      },
      wiseRelease: (ticket) => (ticket.releaseVersion ? { version: ticket.releaseVersion } : null),
    },
    KnowledgeArticle: {
      score: (article) => (typeof article.sortValue === 'number' ? article.sortValue : null),
    },
    PoiStats: {
      libraryCount: stat('libraryCount'),
      branchCount: stat('branchCount'),
      memberCount: stat('memberCount'),
      activeContractCount: stat('activeContractCount'),
      openTicketCount: stat('openTicketCount'),
      ticketsByStatus: (_, __, { repository }) => repository.countsBy('ticket', 'status', TICKET_STATUSES),
      ticketsByPriority: (_, __, { repository }) => repository.countsBy('ticket', 'priority', TICKET_PRIORITIES),
      ticketsByCategory: (_, __, { repository }) => repository.countsBy('ticket', 'category', TICKET_CATEGORIES),
      librariesByProvince: async (_, __, { repository }) =>
        (await repository.countsBy('library', 'province', [])).filter((row) => (PROVINCES as readonly string[]).includes(row.key)),
      ticketsOpenedPerMonth: (_, { months }, { repository }) => perMonth(repository, 'opened_at', months),
      ticketsResolvedPerMonth: (_, { months }, { repository }) => perMonth(repository, 'resolved_at', months),
      medianResolutionHours: async (_, period, { loaders, repository }) => {
        if (!period.from && !period.to) return loaders.medianResolutionHours();
        if (period.from && period.to && period.from > period.to) {
          throw new GraphQLError(`"from" (${period.from}) is after "to" (${period.to}): give the first day, then the last`, {
            extensions: { code: 'BAD_USER_INPUT', argument: 'from' },
          });
        }
        return repository.medianResolutionHours(await repository.countResolvedTickets(period), period);
      },
      slaCompliance: (_, args, { repository }) => slaPerMonth(repository, args),
      contractsExpiringWithin: (_, { days }, { repository }) => repository.countContractsEnding(today(), addDays(today(), inRange(days, 1, 3660, 'days'))),
    },
  };
}
