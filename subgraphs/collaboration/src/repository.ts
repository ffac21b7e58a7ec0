import { DataSource, In } from 'typeorm';
import {
  EvaluationEntity,
  HARMONISATION_STANDARD_ID,
  HarmonisationStandardEntity,
  NetworkAgendaGoalEntity,
  SteeringGroupMemberEntity,
  WorkAgendaItemEntity,
  WorkAgendaParticipantEntity,
} from './entities';
import type { QueryWorkAgendaArgs } from '../generated/resolvers';


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

  /** The agreed Wise settings standard; null before one is agreed (an empty production database). */
  harmonisationStandard() {
    return this.dataSource.getRepository(HarmonisationStandardEntity).findOneBy({ id: HARMONISATION_STANDARD_ID });
  }

  listSteeringGroup() {
    return this.dataSource.getRepository(SteeringGroupMemberEntity).find({ order: { poiCode: 'ASC', id: 'ASC' } });
  }
}
