import DataLoader from 'dataloader';
import { loaderById, loaderOfGroups, once } from '../../shared/loaders';
import type { IblRepository } from './repository';

/** Per-request loaders of BiSC's transport data: stops, runs, branches and counts, each batched. */
export function createIblLoaders(repository: IblRepository) {
  return {
    stopsByRun: loaderOfGroups(
      (ids: readonly number[]) => repository.stopsByRunIds(ids),
      (s) => s.runId,
    ),
    runById: loaderById(
      (ids: readonly number[]) => repository.runsByIds(ids),
      (r) => r.id,
    ),
    branchById: loaderById(
      (ids: readonly number[]) => repository.branchesByIds(ids),
      (b) => b.id,
    ),
    loanCountByRun: new DataLoader<number, number>(async (ids) => {
      const counts = await repository.loanCountsByRunIds(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    deliveries: once(() => repository.deliveries()),
  };
}

export type IblLoaders = ReturnType<typeof createIblLoaders>;
