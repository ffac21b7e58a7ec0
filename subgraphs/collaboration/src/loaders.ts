import { loaderById, loaderOfGroups, once } from '../../../shared/loaders';
import type { CollaborationRepository } from './repository';

/** Per-request loaders of the collaboration subgraph. */
export function createCollaborationLoaders(repository: CollaborationRepository) {
  return {
    workAgendaItemById: loaderById(
      (ids: readonly string[]) => repository.workAgendaItemsByIds(ids),
      (i) => i.id,
    ),
    workAgendaItemsByGoal: loaderOfGroups(
      (ids: readonly number[]) => repository.workAgendaItemsByGoalIds(ids),
      (i) => i.goalId!,
    ),
    participantsByItem: loaderOfGroups(
      (ids: readonly string[]) => repository.participantsByItemIds(ids),
      (p) => p.itemId,
    ),
    goalById: loaderById(
      (ids: readonly number[]) => repository.goalsByIds(ids),
      (g) => g.id,
    ),
    wisePlatformByCode: loaderById(
      (codes: readonly string[]) => repository.wisePlatformsByCodes(codes),
      (p) => p.code,
    ),
    poisByPlatform: loaderOfGroups(
      (codes: readonly string[]) => repository.platformPoisByCodes(codes),
      (p) => p.platformCode,
    ),
    migrationsByPlatform: loaderOfGroups(
      (codes: readonly string[]) => repository.platformMigrationsByCodes(codes),
      (m) => m.platformCode,
    ),
    wiseReleaseByVersion: loaderById(
      (versions: readonly string[]) => repository.wiseReleasesByVersions(versions),
      (r) => r.wiseVersion,
    ),
    /** Read once per request, however many POIs' harmonisation fields require it. */
    harmonisationStandard: once(() => repository.harmonisationStandard()),
  };
}

export type CollaborationLoaders = ReturnType<typeof createCollaborationLoaders>;
