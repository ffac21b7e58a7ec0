import type { Identity } from '../../../shared/auth/identity';
import { scalarResolvers } from '../../../shared/graphql/common';
import { mutationActor } from '../../../shared/versioned-writes';
import type { Poi } from '../../../shared/registry';
import type { CollaborationLoaders } from './loaders';
import { fromColumns, HARMONISATION_SETTINGS, HarmonisationSetting, settingText } from '../../../shared/wise-settings';
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

/** The partnership's founding facts (see the collaboration's own agreements). */
const PARTNERSHIP = {
  name: 'Samenwerking functioneel beheer bibliotheeksysteem (BiSC, Cubiss, Probiblio, Rijnbrink)',
  startedOn: '2021-10-01',
  structureDecidedIn: 2023,
  evaluationIntervalYears: 2,
};

/**
 * Resolvers of the collaboration subgraph, checked against its generated `Resolvers`. Everything
 * about a POI (`pois`, `poi`, each POI's registry fields) is answered from one source: the registry
 * the subgraph serves (registry.json). The registry makes one `<Code>Poi` type per POI; their
 * resolvers are written once, for the stand-in `ThisPoi` the generated types know (codegen.ts),
 * and given to every registered POI's type.
 */
export function createCollaborationResolvers(pois: readonly Poi[]) {
  const byCode = new Map(pois.map((poi) => [poi.code, poi]));
  const byCodeOrder = [...pois].sort((a, b) => (a.code < b.code ? -1 : 1));
  const poiByCode = (code: unknown): Poi | null => (typeof code === 'string' && code.length <= 20 ? (byCode.get(code.toUpperCase()) ?? null) : null);
  const isRegistered = (poi: Poi | null): poi is Poi => poi !== null;

  const poiTypeResolvers: ThisPoiResolvers = {
    __resolveReference: (ref) => poiByCode(ref.code),
    provinces: (poi) => [...poi.provinces].sort(),
    // The same agreed standard for every POI, read once per request: what each POI subgraph's harmonisation fields require.
    harmonisationStandard: async (_, __, { loaders }) => {
      const standard = await loaders.harmonisationStandard();
      return standard ? fromColumns(standard) : null;
    },
  };

  const resolvers: Omit<Resolvers, 'Poi' | 'ThisPoi'> = {
    ...scalarResolvers,
    Query: {
      pois: (_, { province }) => byCodeOrder.filter((poi) => !province || poi.provinces.includes(province)),
      poi: (_, { code }) => poiByCode(code),
      workAgenda: (_, filter, { repository }) => repository.listWorkAgenda(filter),
      workAgendaItem: (_, { id }, { loaders }) => (id.length <= 40 ? loaders.workAgendaItemById.load(id) : null),
      steeringGroup: (_, __, { repository }) => repository.listSteeringGroup(),
      networkAgendaGoals: (_, __, { repository }) => repository.listGoals(),
      evaluations: (_, __, { repository }) => repository.listEvaluations(),
      partnership: () => PARTNERSHIP,
      harmonisationStandard: (_, __, { loaders }) => loaders.harmonisationStandard(),
    },
    HarmonisationStandard: {
      values: (standard) => fromColumns(standard),
      settings: (standard) => {
        const values = fromColumns(standard);
        const agreedOn: Record<HarmonisationSetting, string> = {
          LOAN_PERIOD: standard.loanPeriodAgreedOn,
          RESERVATION_FEE: standard.reservationFeeAgreedOn,
          MEMBERSHIP_FEE_TYPES: standard.membershipFeeTypesAgreedOn,
          FINE_POLICY: standard.finePolicyAgreedOn,
        };
        return HARMONISATION_SETTINGS.map((setting) => ({ setting, value: settingText(values, setting), agreedOn: agreedOn[setting] }));
      },
    },
    Mutation: {
      collaboration: () => ({}),
    },
    CollaborationMutations: {
      createWorkAgendaItem: (_, { input }, ctx) => ctx.writes.create(input, mutationActor(ctx.identity)),
      updateWorkAgendaItem: (_, { id, input }, ctx) => ctx.writes.update(id, input, mutationActor(ctx.identity)),
      setHarmonisationStandard: (_, { input }, ctx) => ctx.writes.setHarmonisationStandard(input, mutationActor(ctx.identity)),
    },
    WorkAgendaItem: {
      __resolveReference: (ref, { loaders }) => (typeof ref.id === 'string' && ref.id.length <= 40 ? loaders.workAgendaItemById.load(ref.id) : null),
      owner: (item) => poiByCode(item.ownerCode),
      participants: async (item, _, ctx) => {
        const participants = await ctx.loaders.participantsByItem.load(item.id);
        return participants.map((p) => poiByCode(p.poiCode)).filter(isRegistered);
      },
      goal: (item, _, { loaders }) => (item.goalId === null ? null : loaders.goalById.load(item.goalId)),
    },
    NetworkAgendaGoal: {
      workAgendaItems: (goal, _, { loaders }) => loaders.workAgendaItemsByGoal.load(goal.id),
    },
    SteeringGroupMember: {
      poi: (member) => {
        const poi = poiByCode(member.poiCode);
        if (!poi) throw new Error(`steering-group member ${member.id}: POI ${member.poiCode} is not registered`);
        return poi;
      },
    },
  };

  return {
    ...resolvers,
    Poi: {
      __resolveType: (poi: Poi) => poi.typeName,
    },
    ...Object.fromEntries(pois.map((poi) => [poi.typeName, poiTypeResolvers])),
  };
}
