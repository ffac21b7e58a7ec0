import type { Identity } from '../../../shared/auth/identity';
import { scalarResolvers } from '../../../shared/graphql/common';
import { mutationActor } from '../../../shared/versioned-writes';
import type { Poi } from '../../../shared/registry';
import type { RegisteredPoi } from './entities';
import type { CollaborationLoaders } from './loaders';
import type { CollaborationRepository } from './repository';
import type { CollaborationWrites } from './writes';
import type { Resolvers, ThisPoiResolvers } from '../generated/resolvers';

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
 * Resolvers of the collaboration subgraph, checked against its generated `Resolvers`. The registry
 * makes one `<Code>Poi` type per POI; their resolvers are written once, for the stand-in `ThisPoi`
 * the generated types know (codegen.ts), and given to every registered POI's type.
 */
export function createCollaborationResolvers(pois: readonly Poi[]) {
  const typeNameByCode = new Map(pois.map((poi) => [poi.code, poi.typeName]));
  const isRegistered = (poi: RegisteredPoi | null): poi is RegisteredPoi => poi !== null && typeNameByCode.has(poi.code);
  const poiByCode = async (code: unknown, { loaders }: Ctx) => {
    if (typeof code !== 'string' || code.length > 20) return null;
    const poi = await loaders.poiByCode.load(code.toUpperCase());
    return isRegistered(poi) ? poi : null;
  };

  const poiTypeResolvers: ThisPoiResolvers = {
    __resolveReference: (ref, ctx) => poiByCode(ref.code, ctx),
    provinces: async (poi, _, { loaders }) => (await loaders.provincesByPoi.load(poi.code)).map((row) => row.province),
  };

  const resolvers: Omit<Resolvers, 'Poi' | 'ThisPoi'> = {
    ...scalarResolvers,
    Query: {
      pois: async (_, { province }, { repository }) => (await repository.listPois(province)).filter(isRegistered),
      poi: (_, { code }, ctx) => poiByCode(code, ctx),
      workAgenda: (_, filter, { repository }) => repository.listWorkAgenda(filter),
      workAgendaItem: (_, { id }, { loaders }) => (id.length <= 40 ? loaders.workAgendaItemById.load(id) : null),
      steeringGroup: (_, __, { repository }) => repository.listSteeringGroup(),
      networkAgendaGoals: (_, __, { repository }) => repository.listGoals(),
      evaluations: (_, __, { repository }) => repository.listEvaluations(),
      partnership: () => PARTNERSHIP,
    },
    Mutation: {
      collaboration: () => ({}),
    },
    CollaborationMutations: {
      createWorkAgendaItem: (_, { input }, ctx) => ctx.writes.create(input, mutationActor(ctx.identity)),
      updateWorkAgendaItem: (_, { id, input }, ctx) => ctx.writes.update(id, input, mutationActor(ctx.identity)),
    },
    WorkAgendaItem: {
      __resolveReference: (ref, { loaders }) => (typeof ref.id === 'string' && ref.id.length <= 40 ? loaders.workAgendaItemById.load(ref.id) : null),
      owner: (item, _, ctx) => (item.ownerCode ? poiByCode(item.ownerCode, ctx) : null),
      participants: async (item, _, ctx) => {
        const participants = await ctx.loaders.participantsByItem.load(item.id);
        const found = await Promise.all(participants.map((p) => poiByCode(p.poiCode, ctx)));
        return found.filter(isRegistered);
      },
      goal: (item, _, { loaders }) => (item.goalId === null ? null : loaders.goalById.load(item.goalId)),
    },
    NetworkAgendaGoal: {
      workAgendaItems: (goal, _, { loaders }) => loaders.workAgendaItemsByGoal.load(goal.id),
    },
    SteeringGroupMember: {
      poi: async (member, _, ctx) => {
        const poi = await poiByCode(member.poiCode, ctx);
        if (!poi) throw new Error(`steering-group member ${member.id}: POI ${member.poiCode} is not registered`);
        return poi;
      },
    },
  };

  return {
    ...resolvers,
    Poi: {
      __resolveType: (poi: RegisteredPoi) => typeNameByCode.get(poi.code),
    },
    ...Object.fromEntries(pois.map((poi) => [poi.typeName, poiTypeResolvers])),
  };
}
