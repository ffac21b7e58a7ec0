import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { Cursors, PageArgs } from '../shared/graphql/connection';
import { assertMayRead } from '../shared/auth/directives';
import { scalarResolvers } from '../shared/graphql/common';
import { PROVINCES, Poi } from '../shared/registry';
import { addDays, addMonths } from '../shared/dates';
import { AUDIT_ENTITIES, AuditEntityName, AuditEntry, Contract, Library, Ticket, TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from './entities';
import type { ContractInput, KnowledgeArticleInput, LibraryInput, TicketInput } from './validation';
import type { Actor, PoiWrites } from './writes';
import { mutationActor } from '../shared/versioned-writes';
import type { PoiLoaders } from './loaders';
import type { Identity } from '../shared/auth/identity';
import { poiContractType, poiVendorContractType } from './schema';
import {
  ContractFilter,
  ContractOrderField,
  Direction,
  LibraryFilter,
  LibraryOrderField,
  PoiRepository,
  sortOrder,
  StatsSummary,
  TicketFilter,
  TicketOrderField,
} from './repository';

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

type PoiRef = { code: string };
type Ordered<F> = { orderBy?: { field: F; direction?: Direction | null } | null };
type TicketArgs = PageArgs & Ordered<TicketOrderField> & { filter?: TicketFilter | null };

/** Ids are whole numbers inside a POI; anything else simply matches nothing. */
function parseId(id: string): number | null {
  return /^\d{1,9}$/.test(id) ? Number(id) : null;
}

function ticketSort(args: TicketArgs) {
  return sortOrder('ticket', args.orderBy?.field ?? 'OPENED_AT', args.orderBy?.direction ?? (args.orderBy ? 'ASC' : 'DESC'));
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
  Library: { province: 'province', municipality: 'municipalities', nameContains: 'name', hasActiveContract: 'contract' },
  Contract: { status: 'status', service: 'services', endsAfter: 'endsOn', endsBefore: 'endsOn' },
  Ticket: { status: 'status', priority: 'priority', category: 'category', openedAfter: 'openedAt', openedBefore: 'openedAt', libraryId: 'library' },
  KnowledgeArticle: { search: 'body' },
  AuditEntry: { entity: 'entity' },
};

const camelCase = (field: string) => field.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Refuses an order or filter over a field the caller may not read (FORBIDDEN, as reading it would be). */
function guardListArguments(info: GraphQLResolveInfo, ctx: PoiContext, listed: { kind: string; type: string }, orderField: string | undefined, filter: object) {
  if (orderField) assertMayRead(info.schema, listed.type, camelCase(orderField), ctx.identity, `ordering by ${orderField}`);
  for (const [condition, value] of Object.entries(filter)) {
    const field = FILTER_READS[listed.kind][condition];
    if (value !== null && value !== undefined && field) assertMayRead(info.schema, listed.type, field, ctx.identity, `filtering by ${condition}`);
  }
}

const today = () => new Date().toISOString().slice(0, 10);

const by = (ctx: PoiContext): Actor => mutationActor(ctx.identity);

/** The last `months` calendar months up to this one, oldest first, each with its count or 0. */
async function perMonth(repository: PoiRepository, column: 'opened_at' | 'resolved_at', monthsArg: number) {
  const months = inRange(monthsArg, 1, 60, 'months');
  const thisMonth = `${today().slice(0, 7)}-01`;
  const labels = Array.from({ length: months }, (_, i) => addMonths(thisMonth, i - months + 1).slice(0, 7));
  const counts = await repository.ticketsPerMonth(column, `${labels[0]}-01`);
  return labels.map((month) => ({ month, count: counts.get(month) ?? 0 }));
}

const stat = (field: keyof StatsSummary) => (_: unknown, __: unknown, { loaders }: PoiContext) =>
  loaders.statsSummary().then((summary) => summary[field]);

/** An audit change as served: which type's field it is about, and its values as JSON. */
interface AuditedChange {
  type: string;
  field: string;
  from: string | null;
  to: string | null;
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

/** Thin resolvers: unpack arguments, call the repository or a loader. */
export function createPoiResolvers(poi: Poi) {
  const auditedType: Record<string, string> = {
    LIBRARY: 'Library',
    BRANCH: 'Branch',
    CONTRACT: poiContractType(poi),
    TICKET: 'Ticket',
    KNOWLEDGE_ARTICLE: 'KnowledgeArticle',
  };
  return {
    ...scalarResolvers,
    Query: {
      [poi.rootField]: (): PoiRef => ({ code: poi.code }),
    },
    Poi: {
      __resolveType: () => poi.typeName,
    },
    [poi.typeName]: {
      __resolveReference: (ref: PoiRef): PoiRef | null => (ref.code === poi.code ? { code: poi.code } : null),
      libraries: (_: PoiRef, args: PageArgs & Ordered<LibraryOrderField> & { filter?: LibraryFilter | null }, ctx: PoiContext, info: GraphQLResolveInfo) => {
        const filter = args.filter ?? {};
        guardListArguments(info, ctx, { kind: 'Library', type: 'Library' }, args.orderBy?.field, filter);
        const sort = sortOrder('library', args.orderBy?.field ?? 'NAME', args.orderBy?.direction ?? 'ASC');
        return ctx.cursors.connection(args, { list: 'libraries', sort, filter }, (page) => ctx.repository.pageLibraries(filter, sort, page), () => ctx.repository.countLibraries(filter));
      },
      library: (_: PoiRef, { id }: { id: string }, { loaders }: PoiContext) => {
        const libraryId = parseId(id);
        return libraryId === null ? null : loaders.libraryById.load(libraryId);
      },
      contracts: (_: PoiRef, args: PageArgs & Ordered<ContractOrderField> & { filter?: ContractFilter | null }, ctx: PoiContext, info: GraphQLResolveInfo) => {
        const filter = args.filter ?? {};
        guardListArguments(info, ctx, { kind: 'Contract', type: poiContractType(poi) }, args.orderBy?.field, filter);
        const sort = sortOrder('contract', args.orderBy?.field ?? 'ENDS_ON', args.orderBy?.direction ?? 'ASC');
        return ctx.cursors.connection(args, { list: 'contracts', sort, filter }, (page) => ctx.repository.pageContracts(filter, sort, page), () => ctx.repository.countContracts(filter));
      },
      vendorContracts: (_: PoiRef, __: unknown, { repository }: PoiContext) => repository.vendorContracts(),
      tickets: (_: PoiRef, args: TicketArgs, ctx: PoiContext, info: GraphQLResolveInfo) => {
        const filter = args.filter ?? {};
        guardListArguments(info, ctx, { kind: 'Ticket', type: 'Ticket' }, args.orderBy?.field, filter);
        const sort = ticketSort(args);
        return ctx.cursors.connection(args, { list: 'tickets', sort, filter }, (page) => ctx.repository.pageTickets(filter, sort, page), () => ctx.repository.countTickets(filter));
      },
      knowledgeArticles: (_: PoiRef, args: PageArgs & { search?: string | null }, ctx: PoiContext, info: GraphQLResolveInfo) => {
        guardListArguments(info, ctx, { kind: 'KnowledgeArticle', type: 'KnowledgeArticle' }, undefined, { search: args.search });
        const sort = ctx.repository.knowledgeOrder(args.search);
        return ctx.cursors.connection(
          args,
          { list: 'knowledgeArticles', sort, filter: { search: args.search } },
          (page) => ctx.repository.pageKnowledgeArticles(args.search, sort, page),
          () => ctx.repository.countKnowledgeArticles(args.search),
        );
      },
      stats: () => ({}),
      audit: (_: PoiRef, args: PageArgs & { entity?: AuditEntityName | null }, ctx: PoiContext, info: GraphQLResolveInfo) => {
        guardListArguments(info, ctx, { kind: 'AuditEntry', type: 'AuditEntry' }, undefined, { entity: args.entity });
        const sort = sortOrder('audit', 'ID', 'DESC');
        // The kit's own kinds only: a POI's extension lists the kinds it audits itself (their values are no AuditEntity).
        const entities = args.entity ? [args.entity] : AUDIT_ENTITIES;
        return ctx.cursors.connection(args, { list: 'audit', sort, filter: { entity: args.entity } }, (page) => ctx.repository.pageAudit(entities, sort, page), () => ctx.repository.countAudit(entities));
      },
    },
    Mutation: {
      [poi.rootField]: () => ({}),
    },
    [`${poi.typeName}Mutations`]: {
      upsertLibrary: (_: unknown, { input }: { input: LibraryInput }, ctx: PoiContext) => ctx.writes.upsertLibrary(input, by(ctx)),
      createContract: (_: unknown, { input }: { input: ContractInput }, ctx: PoiContext) => ctx.writes.createContract(input, by(ctx)),
      renewContract: (_: unknown, { id, input }: { id: string; input: Parameters<PoiWrites['renewContract']>[1] }, ctx: PoiContext) =>
        ctx.writes.renewContract(id, input, by(ctx)),
      terminateContract: (_: unknown, { id, input }: { id: string; input: Parameters<PoiWrites['terminateContract']>[1] }, ctx: PoiContext) =>
        ctx.writes.terminateContract(id, input, by(ctx)),
      createTicket: (_: unknown, { input }: { input: TicketInput }, ctx: PoiContext) => ctx.writes.createTicket(input, by(ctx), ctx.collaborationToken),
      updateTicket: (_: unknown, { id, input }: { id: string; input: Parameters<PoiWrites['updateTicket']>[1] }, ctx: PoiContext) =>
        ctx.writes.updateTicket(id, input, by(ctx), ctx.collaborationToken),
      assignTicket: (_: unknown, { id, input }: { id: string; input: Parameters<PoiWrites['assignTicket']>[1] }, ctx: PoiContext) =>
        ctx.writes.assignTicket(id, input, by(ctx)),
      resolveTicket: (_: unknown, { id, input }: { id: string; input: Parameters<PoiWrites['resolveTicket']>[1] }, ctx: PoiContext) =>
        ctx.writes.resolveTicket(id, input, by(ctx)),
      createKnowledgeArticle: (_: unknown, { input }: { input: KnowledgeArticleInput }, ctx: PoiContext) => ctx.writes.createKnowledgeArticle(input, by(ctx)),
      updateKnowledgeArticle: (_: unknown, { id, input }: { id: string; input: Parameters<PoiWrites['updateKnowledgeArticle']>[1] }, ctx: PoiContext) =>
        ctx.writes.updateKnowledgeArticle(id, input, by(ctx)),
    },
    AuditEntry: {
      // Each change keeps the GraphQL type and field it is about: its values follow that field's rule.
      changes: (entry: AuditEntry): AuditedChange[] => auditedChanges(entry, auditedType[entry.entity] ?? 'AuditEntry'),
    },
    FieldChange: {
      from: (change: AuditedChange, _: unknown, ctx: PoiContext, info: GraphQLResolveInfo) => auditedValue(change, 'from', ctx, info),
      to: (change: AuditedChange, _: unknown, ctx: PoiContext, info: GraphQLResolveInfo) => auditedValue(change, 'to', ctx, info),
    },
    Library: {
      branches: (library: Library, _: unknown, { loaders }: PoiContext) => loaders.branchesByLibrary.load(library.id),
      contract: async (library: Library, _: unknown, { loaders }: PoiContext) =>
        (await loaders.contractsByLibrary.load(library.id))[0] ?? null,
      tickets: (library: Library, args: TicketArgs, ctx: PoiContext, info: GraphQLResolveInfo) => {
        const filter = args.filter ?? {};
        guardListArguments(info, ctx, { kind: 'Ticket', type: 'Ticket' }, args.orderBy?.field, filter);
        const sort = ticketSort(args);
        return ctx.cursors.connection(
          args,
          { list: `library/${library.id}/tickets`, sort, filter },
          (page) => ctx.loaders.ticketPageByLibrary({ filter, sort, page }).load(library.id),
          () => ctx.loaders.ticketCountByLibrary(filter).load(library.id),
        );
      },
    },
    Contract: {
      __resolveType: () => poiContractType(poi),
    },
    [poiContractType(poi)]: {
      library: (contract: Contract, _: unknown, { loaders }: PoiContext) => loaders.libraryById.load(contract.libraryId),
    },
    VendorContract: {
      __resolveType: () => poiVendorContractType(poi),
    },
    Ticket: {
      library: (ticket: Ticket, _: unknown, { loaders }: PoiContext) => loaders.libraryById.load(ticket.libraryId),
      agendaItem: (ticket: Ticket) => (ticket.agendaItemId ? { id: ticket.agendaItemId } : null),
    },
    KnowledgeArticle: {
      score: (article: { sortValue?: unknown }) =>
        typeof article.sortValue === 'number' ? article.sortValue : null,
    },
    PoiStats: {
      libraryCount: stat('libraryCount'),
      branchCount: stat('branchCount'),
      memberCount: stat('memberCount'),
      activeContractCount: stat('activeContractCount'),
      openTicketCount: stat('openTicketCount'),
      ticketsByStatus: (_: unknown, __: unknown, { repository }: PoiContext) => repository.countsBy('ticket', 'status', TICKET_STATUSES),
      ticketsByPriority: (_: unknown, __: unknown, { repository }: PoiContext) => repository.countsBy('ticket', 'priority', TICKET_PRIORITIES),
      ticketsByCategory: (_: unknown, __: unknown, { repository }: PoiContext) => repository.countsBy('ticket', 'category', TICKET_CATEGORIES),
      librariesByProvince: async (_: unknown, __: unknown, { repository }: PoiContext) =>
        (await repository.countsBy('library', 'province', [])).filter((row) => (PROVINCES as readonly string[]).includes(row.key)),
      ticketsOpenedPerMonth: (_: unknown, { months }: { months: number }, { repository }: PoiContext) => perMonth(repository, 'opened_at', months),
      ticketsResolvedPerMonth: (_: unknown, { months }: { months: number }, { repository }: PoiContext) => perMonth(repository, 'resolved_at', months),
      medianResolutionHours: (_: unknown, __: unknown, { loaders }: PoiContext) => loaders.medianResolutionHours(),
      contractsExpiringWithin: (_: unknown, { days }: { days: number }, { repository }: PoiContext) =>
        repository.countContractsEnding(today(), addDays(today(), inRange(days, 1, 3660, 'days'))),
    },
  };
}
