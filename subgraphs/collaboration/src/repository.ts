import { DataSource, In } from 'typeorm';
import {
  EvaluationEntity,
  NetworkAgendaGoalEntity,
  SteeringGroupMemberEntity,
  WorkAgendaItemEntity,
  WiseReleaseEntity,
  WorkAgendaParticipantEntity,
} from './entities';
import type { QueryWorkAgendaArgs, QueryWiseReleasesArgs } from '../generated/resolvers';


/** All SQL of the collaboration subgraph. */
export class CollaborationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** By due date, open-ended items last. */
  listWorkAgenda(filter: QueryWorkAgendaArgs) {
    const qb = this.dataSource.getRepository(WorkAgendaItemEntity).createQueryBuilder('item');
    if (filter.status) qb.andWhere('item.status = :status', { status: filter.status });
    if (filter.theme) qb.andWhere('item.theme = :theme', { theme: filter.theme });
    if (filter.ownerCode) qb.andWhere('item.ownerCode = :owner', { owner: filter.ownerCode.toUpperCase() });
    return qb
      .orderBy('CASE WHEN item.due_on IS NULL THEN 1 ELSE 0 END', 'ASC')
      .addOrderBy('item.dueOn', 'ASC')
      .addOrderBy('item.id', 'ASC')
      .getMany();
  }

  workAgendaItemsByIds(ids: readonly string[]) {
    return this.dataSource.getRepository(WorkAgendaItemEntity).findBy({ id: In([...ids]) });
  }

  workAgendaItemsByGoalIds(goalIds: readonly number[]) {
    return this.dataSource.getRepository(WorkAgendaItemEntity).find({ where: { goalId: In([...goalIds]) }, order: { dueOn: 'ASC', id: 'ASC' } });
  }

  participantsByItemIds(itemIds: readonly string[]) {
    return this.dataSource
      .getRepository(WorkAgendaParticipantEntity)
      .find({ where: { itemId: In([...itemIds]) }, order: { poiCode: 'ASC' } });
  }

  goalsByIds(ids: readonly number[]) {
    return this.dataSource.getRepository(NetworkAgendaGoalEntity).findBy({ id: In([...ids]) });
  }

  listGoals() {
    return this.dataSource.getRepository(NetworkAgendaGoalEntity).find({ order: { code: 'ASC' } });
  }

  listEvaluations() {
    return this.dataSource.getRepository(EvaluationEntity).find({ order: { dueOn: 'ASC' } });
  }

  listSteeringGroup() {
    return this.dataSource.getRepository(SteeringGroupMemberEntity).find({ order: { poiCode: 'ASC', id: 'ASC' } });
  }

  /** Wise releases by release date (then version), optionally only in some states. */
  listWiseReleases(filter: QueryWiseReleasesArgs) {
    const qb = this.dataSource.getRepository(WiseReleaseEntity).createQueryBuilder('release');
    if (filter.status?.length) qb.where('release.status IN (:...statuses)', { statuses: [...new Set(filter.status)] });
    return qb.orderBy('release.releasedOn', 'ASC').addOrderBy('release.wiseVersion', 'ASC').getMany();
  }

  /** The earliest release that is ANNOUNCED or IN_TEST. */
  nextWiseRelease() {
    return this.dataSource
      .getRepository(WiseReleaseEntity)
      .createQueryBuilder('release')
      .where('release.status IN (:...statuses)', { statuses: ['ANNOUNCED', 'IN_TEST'] })
      .orderBy('release.releasedOn', 'ASC')
      .addOrderBy('release.wiseVersion', 'ASC')
      .getOne();
  }

  wiseReleasesByVersions(versions: readonly string[]) {
    return this.dataSource.getRepository(WiseReleaseEntity).findBy({ wiseVersion: In([...versions]) });
  }
}
