import type { Identity } from '../../../shared/auth/identity';
import { scalarResolvers } from '../../../shared/graphql/common';
import { mutationActor } from '../../../shared/versioned-writes';
import type { Poi, Province } from '../../../shared/registry';
import type { RegisteredPoi, SteeringGroupMember, WorkAgendaItem, NetworkAgendaGoal } from './entities';
import type { CollaborationLoaders } from './loaders';
import type { CollaborationRepository, WorkAgendaFilter } from './repository';
import type { CollaborationWrites, WorkAgendaItemInput, WorkAgendaItemUpdate } from './writes';

export interface CollaborationContext {
  repository: CollaborationRepository;
  loaders: CollaborationLoaders;
  writes: CollaborationWrites;
  /** Who is asking, as the gateway forwarded it; recorded with every write. */
  identity?: Identity;
}

type Ctx = CollaborationContext;

/** The partnership's founding facts (see the collaboration's own agreements). */
const PARTNERSHIP = {
  name: 'Samenwerking functioneel beheer bibliotheeksysteem (BiSC, Cubiss, Probiblio, Rijnbrink)',
  startedOn: '2021-10-01',
  structureDecidedIn: 2023,
  evaluationIntervalYears: 2,
};

/** Resolvers of the collaboration subgraph; each registered POI's type resolves from the registry table. */
export function createCollaborationResolvers(pois: readonly Poi[]) {
  const typeNameByCode = new Map(pois.map((poi) => [poi.code, poi.typeName]));
  const isRegistered = (poi: RegisteredPoi | null): poi is RegisteredPoi => poi !== null && typeNameByCode.has(poi.code);
  const poiByCode = async (code: unknown, { loaders }: Ctx) => {
    if (typeof code !== 'string' || code.length > 20) return null;
    const poi = await loaders.poiByCode.load(code.toUpperCase());
    return isRegistered(poi) ? poi : null;
  };

  const poiTypeResolvers = {
    __resolveReference: (ref: { code: string }, ctx: Ctx) => poiByCode(ref.code, ctx),
    provinces: async (poi: RegisteredPoi, _: unknown, { loaders }: Ctx): Promise<Province[]> =>
      (await loaders.provincesByPoi.load(poi.code)).map((row) => row.province),
  };

  return {
    ...scalarResolvers,
    Query: {
      pois: async (_: unknown, { province }: { province?: Province | null }, { repository }: Ctx) =>
        (await repository.listPois(province)).filter(isRegistered),
      poi: (_: unknown, { code }: { code: string }, ctx: Ctx) => poiByCode(code, ctx),
      workAgenda: (_: unknown, filter: WorkAgendaFilter, { repository }: Ctx) => repository.listWorkAgenda(filter),
      workAgendaItem: (_: unknown, { id }: { id: string }, { loaders }: Ctx) => (id.length <= 40 ? loaders.workAgendaItemById.load(id) : null),
      steeringGroup: (_: unknown, __: unknown, { repository }: Ctx) => repository.listSteeringGroup(),
      networkAgendaGoals: (_: unknown, __: unknown, { repository }: Ctx) => repository.listGoals(),
      evaluations: (_: unknown, __: unknown, { repository }: Ctx) => repository.listEvaluations(),
      partnership: () => PARTNERSHIP,
    },
    Mutation: {
      collaboration: () => ({}),
    },
    CollaborationMutations: {
      createWorkAgendaItem: (_: unknown, { input }: { input: WorkAgendaItemInput }, ctx: Ctx) =>
        ctx.writes.create(input, mutationActor(ctx.identity)),
      updateWorkAgendaItem: (_: unknown, { id, input }: { id: string; input: WorkAgendaItemUpdate }, ctx: Ctx) =>
        ctx.writes.update(id, input, mutationActor(ctx.identity)),
    },
    Poi: {
      __resolveType: (poi: RegisteredPoi) => typeNameByCode.get(poi.code),
    },
    ...Object.fromEntries(pois.map((poi) => [poi.typeName, poiTypeResolvers])),
    WorkAgendaItem: {
      __resolveReference: (ref: { id?: unknown }, { loaders }: Ctx) =>
        typeof ref.id === 'string' && ref.id.length <= 40 ? loaders.workAgendaItemById.load(ref.id) : null,
      owner: (item: WorkAgendaItem, _: unknown, ctx: Ctx) => (item.ownerCode ? poiByCode(item.ownerCode, ctx) : null),
      participants: async (item: WorkAgendaItem, _: unknown, ctx: Ctx) => {
        const participants = await ctx.loaders.participantsByItem.load(item.id);
        const found = await Promise.all(participants.map((p) => poiByCode(p.poiCode, ctx)));
        return found.filter(isRegistered);
      },
      goal: (item: WorkAgendaItem, _: unknown, { loaders }: Ctx) => (item.goalId === null ? null : loaders.goalById.load(item.goalId)),
    },
    NetworkAgendaGoal: {
      workAgendaItems: (goal: NetworkAgendaGoal, _: unknown, { loaders }: Ctx) => loaders.workAgendaItemsByGoal.load(goal.id),
    },
    SteeringGroupMember: {
      poi: (member: SteeringGroupMember, _: unknown, ctx: Ctx) => poiByCode(member.poiCode, ctx),
    },
  };
}
