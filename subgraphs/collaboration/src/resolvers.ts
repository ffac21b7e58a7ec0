import type { Identity } from '../../../shared/auth/identity';
import { scalarResolvers } from '../../../shared/graphql/common';
import { mutationActor } from '../../../shared/versioned-writes';
import type { Poi } from '../../../shared/registry';
import type { CollaborationLoaders } from './loaders';
import { fromColumns, HARMONISATION_SETTINGS, HarmonisationSetting, settingText } from '../../../shared/wise-settings';
import type { CollaborationRepository } from './repository';
import type { CollaborationWrites } from './writes';
import type { PartnershipFacts } from './entities';
import { PARTNERSHIP_STARTED_ON } from './seed';
import type { Resolvers, ThisPoiResolvers, ThisReleaseAcceptanceResolvers } from '../generated/resolvers';
import { releaseAcceptanceTypeName } from '../../../shared/wise-releases';

/** A POI's acceptance of a release as the collaboration hands it out: a reference its owner resolves. */
export interface AcceptanceRef {
  releaseVersion: string;
  poi: Poi;
}

export interface CollaborationContext {
  repository: CollaborationRepository;
  loaders: CollaborationLoaders;
  writes: CollaborationWrites;
  /** Who is asking, as the gateway forwarded it; recorded with every write. */
  identity?: Identity;
}

/** The partnership's founding facts (see the collaboration's own agreements). */
const PARTNERSHIP: PartnershipFacts = {
  name: 'Samenwerking functioneel beheer bibliotheeksysteem (BiSC, Cubiss, Probiblio, Rijnbrink)',
  startedOn: PARTNERSHIP_STARTED_ON,
  structureDecidedIn: 2023,
  evaluationIntervalYears: 2,
};

/** The kwartiermaker: the role is in the partnership's set-up; the sources do not name the person. */
const KWARTIERMAKER = {
  role: 'kwartiermaker',
  description: 'Projectleider die de samenwerking opzet en inricht (kwartiermaken).',
  staffedFrom: "De eigen medewerkers van de POI's (BiSC, Cubiss, Probiblio, Rijnbrink).",
  name: null,
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
  /** A POI a row of the collaboration's own points to (a foreign key to the registry table): always registered. */
  const registered = (code: string, what: string): Poi => {
    const poi = poiByCode(code);
    if (!poi) throw new Error(`${what}: POI ${code} is not registered`);
    return poi;
  };

  const poiTypeResolvers: ThisPoiResolvers = {
    __resolveReference: (ref) => poiByCode(ref.code),
    provinces: (poi) => [...poi.provinces].sort(),
    // The same agreed standard for every POI, read once per request: what each POI subgraph's harmonisation fields require.
    harmonisationStandard: async (_, __, { loaders }) => {
      const standard = await loaders.harmonisationStandard();
      return standard ? fromColumns(standard) : null;
    },
  };

  const acceptanceResolvers = (poi: Poi): ThisReleaseAcceptanceResolvers => ({
    __resolveReference: (ref) => ({ releaseVersion: ref.releaseVersion, poi }),
    poi: (acceptance) => acceptance.poi,
  });

  const resolvers: Omit<Resolvers, 'Poi' | 'ThisPoi' | 'ReleaseAcceptance' | 'ThisReleaseAcceptance'> = {
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
      wisePlatforms: (_, __, { repository }) => repository.listWisePlatforms(),
      wisePlatform: (_, { code }, { loaders }) => (code.length <= 40 ? loaders.wisePlatformByCode.load(code.toUpperCase()) : null),
      wiseReleases: (_, filter, { repository }) => repository.listWiseReleases(filter),
      wiseRelease: (_, { version }, { loaders }) => (version.length <= 30 ? loaders.wiseReleaseByVersion.load(version) : null),
      nextWiseRelease: async (_, __, { repository }) => (await repository.nextWiseRelease()) ?? null,
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
      recordDecision: (_, { input }, ctx) => ctx.writes.recordDecision(input, mutationActor(ctx.identity)),
      addMember: (_, { input }, ctx) => ctx.writes.addMember(input, mutationActor(ctx.identity)),
      createWiseRelease: (_, { input }, ctx) => ctx.writes.createRelease(input, mutationActor(ctx.identity)),
      updateWiseRelease: (_, { version, input }, ctx) => ctx.writes.updateRelease(version, input, mutationActor(ctx.identity)),
      setHarmonisationStandard: (_, { input }, ctx) => ctx.writes.setHarmonisationStandard(input, mutationActor(ctx.identity)),
    },
    Partnership: {
      kwartiermaker: () => KWARTIERMAKER,
      decisions: (_, __, { repository }) => repository.listDecisions(),
      costSharingKey: (_, __, { repository }) => repository.listCostShares(),
      members: (_, __, { repository }) => repository.listMembers(),
    },
    CostShare: {
      poi: (share) => registered(share.poiCode, 'cost share'),
    },
    Member: {
      kind: (member) => (member.libraryId === 0 ? 'POI' : 'LIBRARY'),
      poi: (member) => registered(member.poiCode, 'member'),
      libraryId: (member) => (member.libraryId === 0 ? null : String(member.libraryId)),
    },
    WisePlatform: {
      __resolveReference: (ref, { loaders }) =>
        typeof ref.code === 'string' && ref.code.length <= 40 ? loaders.wisePlatformByCode.load(ref.code.toUpperCase()) : null,
      pois: async (platform, _, { loaders }) => (await loaders.poisByPlatform.load(platform.code)).map((p) => poiByCode(p.poiCode)).filter(isRegistered),
      migrations: (platform, _, { loaders }) => loaders.migrationsByPlatform.load(platform.code),
      succeededBy: (platform, _, { loaders }) => (platform.succeededByCode === null ? null : loaders.wisePlatformByCode.load(platform.succeededByCode)),
    },
    WisePlatformMigration: {
      poi: (migration) => registered(migration.poiCode, 'platform migration'),
    },
    WiseRelease: {
      __resolveReference: (ref, { loaders }) =>
        typeof ref.version === 'string' && ref.version.length <= 30 ? loaders.wiseReleaseByVersion.load(ref.version) : null,
      version: (release) => release.wiseVersion,
      revision: (release) => release.version,
      // References only: each POI's own subgraph resolves its acceptance (by its type, CubissReleaseAcceptance).
      acceptance: (release) => byCodeOrder.map((poi) => ({ releaseVersion: release.wiseVersion, poi })),
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
      poi: (member) => registered(member.poiCode, `steering-group member ${member.id}`),
    },
  };

  return {
    ...resolvers,
    Poi: {
      __resolveType: (poi: Poi) => poi.typeName,
    },
    ...Object.fromEntries(pois.map((poi) => [poi.typeName, poiTypeResolvers])),
    ReleaseAcceptance: {
      __resolveType: (acceptance: AcceptanceRef) => releaseAcceptanceTypeName(acceptance.poi),
    },
    ...Object.fromEntries(pois.map((poi) => [releaseAcceptanceTypeName(poi), acceptanceResolvers(poi)])),
  };
}
