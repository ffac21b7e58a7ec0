import type { Identity } from '../../../shared/auth/identity';
import { scalarResolvers } from '../../../shared/graphql/common';
import { mutationActor } from '../../../shared/versioned-writes';
import type { Poi, Province } from '../../../shared/registry';
import type { SteeringGroupMember, WorkAgendaItem, NetworkAgendaGoal } from './entities';
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

/**
 * Resolvers of the collaboration subgraph. Everything about a POI (`pois`, `poi`, each POI's
 * registry fields) is answered from one source: the registry the subgraph serves (registry.json).
 */
export function createCollaborationResolvers(pois: readonly Poi[]) {
  const byCode = new Map(pois.map((poi) => [poi.code, poi]));
  const byCodeOrder = [...pois].sort((a, b) => (a.code < b.code ? -1 : 1));
  const poiByCode = (code: unknown): Poi | null => (typeof code === 'string' && code.length <= 20 ? (byCode.get(code.toUpperCase()) ?? null) : null);
  const isRegistered = (poi: Poi | null): poi is Poi => poi !== null;

  const poiTypeResolvers = {
    __resolveReference: (ref: { code: string }) => poiByCode(ref.code),
    provinces: (poi: Poi): Province[] => [...poi.provinces].sort(),
  };

  return {
    ...scalarResolvers,
    Query: {
      pois: (_: unknown, { province }: { province?: Province | null }) => byCodeOrder.filter((poi) => !province || poi.provinces.includes(province)),
      poi: (_: unknown, { code }: { code: string }) => poiByCode(code),
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
      __resolveType: (poi: Poi) => poi.typeName,
    },
    ...Object.fromEntries(pois.map((poi) => [poi.typeName, poiTypeResolvers])),
    WorkAgendaItem: {
      __resolveReference: (ref: { id?: unknown }, { loaders }: Ctx) =>
        typeof ref.id === 'string' && ref.id.length <= 40 ? loaders.workAgendaItemById.load(ref.id) : null,
      owner: (item: WorkAgendaItem) => poiByCode(item.ownerCode),
      participants: async (item: WorkAgendaItem, _: unknown, ctx: Ctx) => {
        const participants = await ctx.loaders.participantsByItem.load(item.id);
        return participants.map((p) => poiByCode(p.poiCode)).filter(isRegistered);
      },
      goal: (item: WorkAgendaItem, _: unknown, { loaders }: Ctx) => (item.goalId === null ? null : loaders.goalById.load(item.goalId)),
    },
    NetworkAgendaGoal: {
      workAgendaItems: (goal: NetworkAgendaGoal, _: unknown, { loaders }: Ctx) => loaders.workAgendaItemsByGoal.load(goal.id),
    },
    SteeringGroupMember: {
      poi: (member: SteeringGroupMember) => poiByCode(member.poiCode),
    },
  };
}
