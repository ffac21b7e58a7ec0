import { DataSource, In } from 'typeorm';
import {
  CostShareEntity,
  DecisionEntity,
  EvaluationEntity,
  MemberEntity,
  WisePlatformEntity,
  WisePlatformMigrationEntity,
  WisePlatformPoiEntity,
  HARMONISATION_STANDARD_ID,
  HarmonisationStandardEntity,
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
    // Overdue: due before today (UTC, as every date of the API) and not DONE.
    const overdue = { today: new Date().toISOString().slice(0, 10), done: 'DONE' };
    if (filter.overdue === true) qb.andWhere('item.due_on < :today AND item.status <> :done', overdue);
    if (filter.overdue === false) qb.andWhere('(item.due_on IS NULL OR item.due_on >= :today OR item.status = :done)', overdue);
    return qb.orderBy('CASE WHEN item.due_on IS NULL THEN 1 ELSE 0 END', 'ASC').addOrderBy('item.dueOn', 'ASC').addOrderBy('item.id', 'ASC').getMany();
  }

  workAgendaItemsByIds(ids: readonly string[]) {
    return this.dataSource.getRepository(WorkAgendaItemEntity).findBy({ id: In([...ids]) });
  }

  workAgendaItemsByGoalIds(goalIds: readonly number[]) {
    return this.dataSource.getRepository(WorkAgendaItemEntity).find({ where: { goalId: In([...goalIds]) }, order: { dueOn: 'ASC', id: 'ASC' } });
  }

  participantsByItemIds(itemIds: readonly string[]) {
    return this.dataSource.getRepository(WorkAgendaParticipantEntity).find({ where: { itemId: In([...itemIds]) }, order: { poiCode: 'ASC' } });
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

  /** Current platforms first (not succeeded by another), then by name. */
  listWisePlatforms() {
    return this.dataSource
      .getRepository(WisePlatformEntity)
      .createQueryBuilder('platform')
      .orderBy('CASE WHEN platform.succeeded_by_code IS NULL THEN 0 ELSE 1 END', 'ASC')
      .addOrderBy('platform.name', 'ASC')
      .getMany();
  }

  wisePlatformsByCodes(codes: readonly string[]) {
    return this.dataSource.getRepository(WisePlatformEntity).findBy({ code: In([...codes]) });
  }

  platformPoisByCodes(codes: readonly string[]) {
    return this.dataSource.getRepository(WisePlatformPoiEntity).find({ where: { platformCode: In([...codes]) }, order: { poiCode: 'ASC' } });
  }

  platformMigrationsByCodes(codes: readonly string[]) {
    return this.dataSource
      .getRepository(WisePlatformMigrationEntity)
      .find({ where: { platformCode: In([...codes]) }, order: { migratedOn: 'ASC', id: 'ASC' } });
  }

  /** The besluitenlijst, newest first. */
  listDecisions() {
    return this.dataSource.getRepository(DecisionEntity).find({ order: { decidedOn: 'DESC', id: 'DESC' } });
  }

  listCostShares() {
    return this.dataSource.getRepository(CostShareEntity).find({ order: { poiCode: 'ASC' } });
  }

  /** Oldest first; a POI before its libraries on the same day. */
  listMembers() {
    return this.dataSource
      .getRepository(MemberEntity)
      .createQueryBuilder('member')
      .orderBy('member.joinedOn', 'ASC')
      .addOrderBy('member.poiCode', 'ASC')
      .addOrderBy('member.libraryId', 'ASC')
      .getMany();
  }

  /** The agreed Wise settings standard; null before one is agreed (an empty production database). */
  harmonisationStandard() {
    return this.dataSource.getRepository(HarmonisationStandardEntity).findOneBy({ id: HARMONISATION_STANDARD_ID });
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
