import DataLoader from 'dataloader';
import type { PageRequest } from '../graphql/connection';
import { loaderById, loaderOfGroups, once } from '../loaders';
import type { Ticket } from './entities';
import type { PoiRepository } from './repository';

/** Per-request loaders of a POI subgraph: every relation is batched, nothing is shared between requests. */
export function createPoiLoaders(repository: PoiRepository) {
  const ticketPages = new Map<string, DataLoader<number, Ticket[]>>();
  return {
    libraryById: loaderById((ids: readonly number[]) => repository.librariesByIds(ids), (l) => l.id),
    branchesByLibrary: loaderOfGroups((ids: readonly number[]) => repository.branchesByLibraryIds(ids), (b) => b.libraryId),
    contractsByLibrary: loaderOfGroups((ids: readonly number[]) => repository.contractsByLibraryIds(ids), (c) => c.libraryId),
    ticketCountByLibrary: new DataLoader<number, number>(async (ids) => {
      const counts = await repository.ticketCountsByLibraryIds(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    /** Libraries asking for the same page of their tickets share one batched query. */
    ticketPageByLibrary(page: PageRequest): DataLoader<number, Ticket[]> {
      const key = JSON.stringify(page);
      let loader = ticketPages.get(key);
      if (!loader) {
        loader = loaderOfGroups((ids: readonly number[]) => repository.ticketPagesByLibraryIds(ids, page), (t) => t.libraryId);
        ticketPages.set(key, loader);
      }
      return loader;
    },
    statsSummary: once(() => repository.statsSummary()),
    ticketsByStatus: once(() => repository.ticketsByStatus()),
  };
}

export type PoiLoaders = ReturnType<typeof createPoiLoaders>;
