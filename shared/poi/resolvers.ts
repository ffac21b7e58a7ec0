import { lazyConnection, PageArgs, pageRequest } from '../graphql/connection';
import { scalarResolvers } from '../graphql/common';
import type { Poi } from '../registry';
import type { Contract, Library, Ticket } from './entities';
import type { PoiLoaders } from './loaders';
import {
  CONTRACT_ORDER,
  KNOWLEDGE_ORDER,
  LIBRARY_ORDER,
  LibraryFilter,
  PoiRepository,
  TICKET_ORDER,
  StatsSummary,
} from './repository';

export interface PoiContext {
  repository: PoiRepository;
  loaders: PoiLoaders;
}

type PoiRef = { code: string };

/** Ids are whole numbers inside a POI; anything else simply matches nothing. */
function parseId(id: string): number | null {
  return /^\d{1,9}$/.test(id) ? Number(id) : null;
}

const stat = (field: keyof StatsSummary) => (_: unknown, __: unknown, { loaders }: PoiContext) =>
  loaders.statsSummary().then((summary) => summary[field]);

/** Thin resolvers: unpack arguments, call the repository or a loader. */
export function createPoiResolvers(poi: Poi) {
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
      libraries: (_: PoiRef, args: PageArgs & { filter?: LibraryFilter | null }, { repository }: PoiContext) => {
        const page = pageRequest(args, LIBRARY_ORDER);
        const filter = args.filter ?? {};
        return lazyConnection(page, LIBRARY_ORDER, () => repository.pageLibraries(filter, page), () => repository.countLibraries(filter));
      },
      library: (_: PoiRef, { id }: { id: string }, { loaders }: PoiContext) => {
        const libraryId = parseId(id);
        return libraryId === null ? null : loaders.libraryById.load(libraryId);
      },
      contracts: (_: PoiRef, args: PageArgs, { repository }: PoiContext) => {
        const page = pageRequest(args, CONTRACT_ORDER);
        return lazyConnection(page, CONTRACT_ORDER, () => repository.pageContracts(page), () => repository.countContracts());
      },
      vendorContracts: (_: PoiRef, __: unknown, { repository }: PoiContext) => repository.vendorContracts(),
      tickets: (_: PoiRef, args: PageArgs, { repository }: PoiContext) => {
        const page = pageRequest(args, TICKET_ORDER);
        return lazyConnection(page, TICKET_ORDER, () => repository.pageTickets(page), () => repository.countTickets());
      },
      knowledgeArticles: (_: PoiRef, args: PageArgs & { search?: string | null }, { repository }: PoiContext) => {
        const page = pageRequest(args, KNOWLEDGE_ORDER);
        return lazyConnection(
          page,
          KNOWLEDGE_ORDER,
          () => repository.pageKnowledgeArticles(args.search, page),
          () => repository.countKnowledgeArticles(args.search),
        );
      },
      stats: () => ({}),
    },
    Library: {
      branches: (library: Library, _: unknown, { loaders }: PoiContext) => loaders.branchesByLibrary.load(library.id),
      contract: async (library: Library, _: unknown, { loaders }: PoiContext) =>
        (await loaders.contractsByLibrary.load(library.id))[0] ?? null,
      tickets: (library: Library, args: PageArgs, { loaders }: PoiContext) => {
        const page = pageRequest(args, TICKET_ORDER);
        return lazyConnection(
          page,
          TICKET_ORDER,
          () => loaders.ticketPageByLibrary(page).load(library.id),
          () => loaders.ticketCountByLibrary.load(library.id),
        );
      },
    },
    Contract: {
      library: (contract: Contract, _: unknown, { loaders }: PoiContext) => loaders.libraryById.load(contract.libraryId),
    },
    Ticket: {
      library: (ticket: Ticket, _: unknown, { loaders }: PoiContext) => loaders.libraryById.load(ticket.libraryId),
    },
    PoiStats: {
      libraryCount: stat('libraryCount'),
      branchCount: stat('branchCount'),
      memberCount: stat('memberCount'),
      activeContractCount: stat('activeContractCount'),
      openTicketCount: stat('openTicketCount'),
      ticketsByStatus: (_: unknown, __: unknown, { loaders }: PoiContext) => loaders.ticketsByStatus(),
    },
  };
}
