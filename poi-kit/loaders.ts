import DataLoader from 'dataloader';
import type { PageRequest, Sorted, SortOrder } from '../shared/graphql/connection';
import { loaderById, loaderOfGroups, once } from '../shared/loaders';
import type { Ticket } from './entities';
import type { PoiRepository } from './repository';
import type { TicketFilter } from './generated/resolvers';
import type { WiseSettingValues } from '../shared/wise-settings';

/** One loader per distinct set of arguments, made on first use within the request. */
function loaderPerArguments<A, K, V>(create: (args: A) => DataLoader<K, V>): (args: A) => DataLoader<K, V> {
  const loaders = new Map<string, DataLoader<K, V>>();
  return (args) => {
    const key = JSON.stringify(args);
    let loader = loaders.get(key);
    if (!loader) loaders.set(key, (loader = create(args)));
    return loader;
  };
}

/** Per-request loaders of a POI subgraph: every relation is batched, nothing is shared between requests. */
export function createPoiLoaders(repository: PoiRepository) {
  const statsSummary = once(() => repository.statsSummary());
  return {
    libraryById: loaderById((ids: readonly number[]) => repository.librariesByIds(ids), (l) => l.id),
    branchesByLibrary: loaderOfGroups((ids: readonly number[]) => repository.branchesByLibraryIds(ids), (b) => b.libraryId),
    contractsByLibrary: loaderOfGroups((ids: readonly number[]) => repository.contractsByLibraryIds(ids), (c) => c.libraryId),
    /** Libraries counting the same kind of tickets share one GROUP BY query. */
    ticketCountByLibrary: loaderPerArguments(
      (filter: TicketFilter) =>
        new DataLoader<number, number>(async (ids) => {
          const counts = await repository.ticketCountsByLibraryIds(ids, filter);
          return ids.map((id) => counts.get(id) ?? 0);
        }),
    ),
    /** Libraries asking for the same page of their tickets share one windowed query. */
    ticketPageByLibrary: loaderPerArguments(({ filter, sort, page }: { filter: TicketFilter; sort: SortOrder; page: PageRequest }) =>
      loaderOfGroups<number, Sorted<Ticket>>((ids) => repository.ticketPagesByLibraryIds(ids, filter, sort, page), (t) => t.libraryId),
    ),
    librarySettingsByLibrary: loaderById((ids: readonly number[]) => repository.librarySettingsByIds(ids), (s) => s.libraryId),
    /** One aggregate per request for every setting of the view and the score alike (per standard; the same one in practice). */
    harmonisationCounts: (() => {
      const counts = new Map<string, ReturnType<PoiRepository['harmonisationCounts']>>();
      return (standard: WiseSettingValues) => {
        const key = JSON.stringify(standard);
        let result = counts.get(key);
        if (!result) counts.set(key, (result = repository.harmonisationCounts(standard)));
        return result;
      };
    })(),
    statsSummary,
    medianResolutionHours: once(async () => repository.medianResolutionHours((await statsSummary()).resolvedTicketCount)),
  };
}

export type PoiLoaders = ReturnType<typeof createPoiLoaders>;
