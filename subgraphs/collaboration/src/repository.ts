import { DataSource, FindOptionsWhere, In } from 'typeorm';
import type { Province } from '../../../shared/registry';
import {
  NetworkAgendaGoalEntity,
  PoiProvinceEntity,
  RegisteredPoiEntity,
  SteeringGroupMemberEntity,
  WorkAgendaItem,
  WorkAgendaItemEntity,
  WorkAgendaParticipantEntity,
  WorkAgendaStatus,
  WorkAgendaTheme,
} from './entities';

export interface WorkAgendaFilter {
  status?: WorkAgendaStatus | null;
  theme?: WorkAgendaTheme | null;
  ownerCode?: string | null;
}

/** All SQL of the collaboration subgraph. */
export class CollaborationRepository {
  constructor(private readonly dataSource: DataSource) {}

  listPois(province?: Province | null) {
    const qb = this.dataSource.getRepository(RegisteredPoiEntity).createQueryBuilder('poi').orderBy('poi.code', 'ASC');
    if (province) {
      qb.where('poi.code IN ' + qb.subQuery().select('pp.poi_code').from(PoiProvinceEntity, 'pp').where('pp.province = :province').getQuery(), {
        province,
      });
    }
    return qb.getMany();
  }

  poisByCodes(codes: readonly string[]) {
    return this.dataSource.getRepository(RegisteredPoiEntity).findBy({ code: In([...codes]) });
  }

  provincesByPoiCodes(codes: readonly string[]) {
    return this.dataSource.getRepository(PoiProvinceEntity).find({ where: { poiCode: In([...codes]) }, order: { province: 'ASC' } });
  }

  listWorkAgenda(filter: WorkAgendaFilter) {
    const where: FindOptionsWhere<WorkAgendaItem> = {};
    if (filter.status) where.status = filter.status;
    if (filter.theme) where.theme = filter.theme;
    if (filter.ownerCode) where.ownerCode = filter.ownerCode.toUpperCase();
    return this.dataSource.getRepository(WorkAgendaItemEntity).find({ where, order: { dueOn: 'ASC', id: 'ASC' } });
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

  listSteeringGroup() {
    return this.dataSource.getRepository(SteeringGroupMemberEntity).find({ order: { poiCode: 'ASC', id: 'ASC' } });
  }
}
