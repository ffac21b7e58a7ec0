import { DataSource, EntityManager } from 'typeorm';
import { deleteAllRows, transaction } from '../../../shared/db';
import { IdempotencyKeyEntity } from '../../../shared/idempotency';
import { AuditEntryEntity } from '../../../shared/audit';
import type { Poi } from '../../../shared/registry';
import { addMonths } from '../../../shared/dates';
import { demoWiseReleases } from '../../../shared/wise-releases';
import {
  CostShare,
  CostShareEntity,
  Decision,
  DecisionEntity,
  EvaluationEntity,
  MemberEntity,
  WisePlatform,
  WisePlatformEntity,
  WisePlatformMigration,
  WisePlatformMigrationEntity,
  WisePlatformPoiEntity,
  HARMONISATION_STANDARD_ID,
  HarmonisationStandardEntity,
  HarmonisationStandardRow,
  NetworkAgendaGoal,
  NetworkAgendaGoalEntity,
  PoiProvinceEntity,
  RegisteredPoiEntity,
  SteeringGroupMemberEntity,
  WiseReleaseEntity,
  WorkAgendaItem,
  WorkAgendaItemEntity,
  WorkAgendaParticipantEntity,
} from './entities';

/**
 * Brings the registry tables in line with registry.json: POIs are added or updated, never silently
 * dropped. The tables only give the work agenda's POI references something to point at; what a
 * POI is, is answered from the registry itself.
 */
export async function syncRegistry(manager: EntityManager, pois: readonly Poi[]) {
  for (const poi of pois) {
    const { code, name, fullName, seat, website, inSteeringGroup } = poi;
    await manager.save(RegisteredPoiEntity, { code, name, fullName, seat, website, inSteeringGroup });
    await manager.delete(PoiProvinceEntity, { poiCode: code });
    await manager.insert(
      PoiProvinceEntity,
      poi.provinces.map((province) => ({ poiCode: code, province })),
    );
  }
}

const GOALS: Omit<NetworkAgendaGoal, 'id'>[] = [
  {
    code: 'NA-1',
    title: 'Eén gemeenschappelijk bibliotheeksysteem',
    description: 'Toewerken naar één gemeenschappelijk bibliotheeksysteem (GBS) voor het netwerk van openbare bibliotheken.',
  },
  { code: 'NA-2', title: 'Gedeelde collectie en catalogus', description: 'Eén gedeelde catalogus en zichtbare collectie over provinciegrenzen heen.' },
  {
    code: 'NA-3',
    title: 'Digitale dienstverlening voor leden',
    description: 'Leden bedienen via website en app met actuele gegevens uit het bibliotheeksysteem.',
  },
  {
    code: 'NA-4',
    title: 'Datagedreven werken',
    description: 'Betrouwbare en vergelijkbare cijfers over gebruik en leden voor bibliotheken, provincies en het netwerk.',
  },
  { code: 'NA-5', title: 'Efficiënt georganiseerd netwerk', description: 'Taken eenmalig en gezamenlijk uitvoeren waar dat kwaliteit of kosten verbetert.' },
];

/**
 * An agenda item's due day: a DONE item's is a fixed day (`dueOn`); an open item's is demo, months
 * after the seed date (`dueInMonths`), never before the year in its id.
 */
type AgendaSeed = Omit<WorkAgendaItem, 'dueOn' | 'goalId' | 'version'> & { dueOn?: string; dueInMonths?: number | null; goal: string; participants: string[] };

const AGENDA: AgendaSeed[] = [
  {
    id: 'WA-2021-01',
    title: 'Samenwerkingsovereenkomst functioneel beheer',
    description: 'Afspraken over taken, rollen en kosten van het gezamenlijk functioneel beheer, gestart op 1 oktober 2021.',
    theme: 'SETUP',
    status: 'DONE',
    dueOn: '2021-10-01',
    ownerCode: 'BISC',
    goal: 'NA-5',
    participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2023-01',
    title: 'Structurele inrichting van de samenwerking',
    description:
      'Besluit over de structurele inrichting van de samenwerking, die de stuurgroep sinds oktober 2021 met de werkagenda aanstuurt; met een tweejaarlijkse evaluatie.',
    theme: 'SETUP',
    status: 'DONE',
    dueOn: '2023-12-31',
    ownerCode: 'PROBIBLIO',
    goal: 'NA-5',
    participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2024-01',
    title: 'Geharmoniseerde tarieventabel te laat-gelden',
    description: 'Eén set basisinstellingen voor tarieven en sluitingsdagen in Wise.',
    theme: 'HARMONISATION',
    status: 'DONE',
    dueOn: '2024-12-31',
    ownerCode: 'CUBISS',
    goal: 'NA-1',
    participants: ['BISC', 'CUBISS'],
  },
  {
    id: 'WA-2024-02',
    title: 'Gezamenlijke releasetest nieuwe Wise-versies',
    description: 'Nieuwe Wise-releases eenmalig testen voor alle partners, met een gedeeld testdraaiboek.',
    theme: 'HARMONISATION',
    status: 'IN_PROGRESS',
    dueInMonths: 2,
    ownerCode: 'RIJNBRINK',
    goal: 'NA-5',
    participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2024-03',
    title: 'Catalogus opschonen Midden-Zuid',
    description: 'Dubbele titelbeschrijvingen in de gedeelde catalogus van platform Midden-Zuid samenvoegen.',
    theme: 'HARMONISATION',
    status: 'IN_PROGRESS',
    dueInMonths: 5,
    ownerCode: 'BISC',
    goal: 'NA-2',
    participants: ['BISC', 'CUBISS'],
  },
  {
    id: 'WA-2025-01',
    title: 'Koppeling betaalautomaten standaardiseren',
    description: 'Eén standaardkoppeling voor betaalautomaten met heldere storingsprocedure.',
    theme: 'INTEGRATION',
    status: 'PLANNED',
    dueInMonths: 9,
    ownerCode: 'PROBIBLIO',
    goal: 'NA-3',
    participants: ['PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2025-02',
    title: 'Gezamenlijke kennisbank functioneel beheer',
    description: 'De kennisbanken van de partners samen doorzoekbaar maken.',
    theme: 'INTEGRATION',
    status: 'IN_PROGRESS',
    dueInMonths: 4,
    ownerCode: 'CUBISS',
    goal: 'NA-5',
    participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2025-03',
    title: 'Dashboard managementinformatie',
    description: 'Gedeeld dashboard met meldingen, contracten en ledencijfers per POI.',
    theme: 'INNOVATION',
    status: 'IN_PROGRESS',
    dueInMonths: 3,
    ownerCode: 'RIJNBRINK',
    goal: 'NA-4',
    participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2025-04',
    title: 'Voorbereiding gemeenschappelijk bibliotheeksysteem',
    description: 'Inbreng van de functioneel-beheerpraktijk in de aanbesteding van het GBS.',
    theme: 'INNOVATION',
    status: 'PLANNED',
    dueInMonths: 12,
    ownerCode: 'BISC',
    goal: 'NA-1',
    participants: ['BISC', 'PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2025-05',
    title: 'Evaluatie samenwerking',
    description: 'Tweejaarlijkse evaluatie van de samenwerking, met aanbevelingen voor de stuurgroep.',
    theme: 'SETUP',
    status: 'PLANNED',
    dueInMonths: 7,
    ownerCode: 'PROBIBLIO',
    goal: 'NA-5',
    participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'],
  },
  {
    id: 'WA-2025-06',
    title: 'Uniforme lenersimport gemeenten',
    description: 'Eén werkwijze voor het importeren van gemeentelijke lenersbestanden zonder dubbelingen.',
    theme: 'HARMONISATION',
    status: 'ON_HOLD',
    dueInMonths: null,
    ownerCode: 'RIJNBRINK',
    goal: 'NA-4',
    participants: ['CUBISS', 'RIJNBRINK'],
  },
  {
    id: 'WA-2026-01',
    title: 'Open Data API voor bibliotheekwebsites',
    description: 'Afspraken over gebruik en belasting van de Open Data API door websites en apps.',
    theme: 'INTEGRATION',
    status: 'PLANNED',
    dueInMonths: 10,
    ownerCode: 'CUBISS',
    goal: 'NA-3',
    participants: ['BISC', 'CUBISS', 'PROBIBLIO'],
  },
];

const EVALUATIONS: { id: string; period: string; dueOn: string; status: 'PLANNED' | 'DONE'; summary: string | null }[] = [
  { id: 'EV-2025', period: '2023-2025', dueOn: '2025-10-01', status: 'PLANNED', summary: null },
  { id: 'EV-2027', period: '2025-2027', dueOn: '2027-10-01', status: 'PLANNED', summary: null },
];

const STEERING_GROUP = [
  { poiCode: 'BISC', name: 'Peter van Eijk', role: 'Directeur-bestuurder BiSC', since: '2021-10-01' },
  { poiCode: 'PROBIBLIO', name: 'Frans Bergfeld', role: 'Directeur-bestuurder Probiblio', since: '2021-10-01' },
  { poiCode: 'RIJNBRINK', name: 'Tineke van Ham', role: 'Directeur-bestuurder Rijnbrink', since: '2021-10-01' },
];

/**
 * Demo: the Wise settings standard (harmonisatie), values and days made up for this demo within the
 * collaboration's life (from 1 October 2021); not a decision of the partnership. Fixed, so it does
 * not move with SEED_DATE.
 */
const HARMONISATION_STANDARD: HarmonisationStandardRow = {
  id: HARMONISATION_STANDARD_ID,
  loanPeriodDays: 21,
  loanPeriodAgreedOn: '2024-03-14',
  reservationFeeCents: 100,
  reservationFeeAgreedOn: '2024-03-14',
  membershipFeeTypes: ['BASIS', 'JEUGD', 'VOLLEDIG'],
  membershipFeeTypesAgreedOn: '2024-11-21',
  finePolicy: 'NONE',
  finePerDayCents: null,
  finePolicyAgreedOn: '2025-06-12',
  version: 1,
};

// Wise platforms. Facts from the sources below (copied from the project's reference notes on the
// POIs and Wise); where the facts stop (Probiblio, Rijnbrink) the platforms are demo, and so is
// every current Wise version: no source gives one.
const MIDDEN_ZUID_SOURCE = 'https://www.biscutrecht.nl/jaaroverzichten/jaaroverzicht-2020/interprovinciaal-bibliotheeksysteem-midden-zuid-een-feit/';
const VEENENDAAL_SOURCE = 'https://www.biscutrecht.nl/news-cat/bibliotheek-veenendaal-sluit-aan-op-provinciaal-automatiseringssysteem/';

const PLATFORMS: (WisePlatform & { pois: string[] })[] = [
  {
    code: 'MIDDEN-ZUID',
    name: 'Midden-Zuid',
    // "Interprovinciaal bibliotheeksysteem Midden-Zuid een feit" (BiSC, jaaroverzicht 2020).
    description:
      'Interprovinciaal bibliotheeksysteem Midden-Zuid, gebouwd door BiSC en Cubiss: de afzonderlijke systemen van Utrecht, Limburg en Brabant samen in één hostedWise-systeem, met één gedeelde catalogus in plaats van drie. De licentiekosten van hostedWise zijn gestaffeld, dus een grotere pool is goedkoper.',
    hosting: 'HOSTED_WISE',
    currentWiseVersion: 'demo-2026.1',
    succeededByCode: null,
    demo: false,
    sourceUrl: MIDDEN_ZUID_SOURCE,
    pois: ['BISC', 'CUBISS'],
  },
  {
    code: 'BICATWISE',
    name: 'BicatWise',
    // The Utrecht libraries were on BicatWise, BiSC's provincial automation network, before Midden-Zuid.
    description:
      'Het provinciale automatiseringsnetwerk van Utrecht (BiSC), waarop de Utrechtse bibliotheken zaten tot zij in 2019 naar Midden-Zuid overgingen.',
    hosting: null,
    currentWiseVersion: null,
    succeededByCode: 'MIDDEN-ZUID',
    demo: false,
    sourceUrl: VEENENDAAL_SOURCE,
    pois: ['BISC'],
  },
  {
    code: 'DEMO-PROBIBLIO',
    name: 'Demo-platform Noord- en Zuid-Holland',
    description: 'Demo: staat in voor het Wise-platform van de bibliotheken van Probiblio, waarover de bronnen niets zeggen.',
    hosting: 'HOSTED_WISE',
    currentWiseVersion: 'demo-2025.2',
    succeededByCode: null,
    demo: true,
    sourceUrl: null,
    pois: ['PROBIBLIO'],
  },
  {
    code: 'DEMO-RIJNBRINK',
    name: 'Demo-platform Gelderland en Overijssel',
    description: 'Demo: staat in voor het Wise-platform van de bibliotheken van Rijnbrink, waarover de bronnen niets zeggen.',
    hosting: 'SELF_HOSTED',
    currentWiseVersion: 'demo-2025.2',
    succeededByCode: null,
    demo: true,
    sourceUrl: null,
    pois: ['RIJNBRINK'],
  },
];

const PLATFORM_MIGRATIONS: Omit<WisePlatformMigration, 'id'>[] = [
  {
    platformCode: 'BICATWISE',
    poiCode: 'BISC',
    migratedOn: '2017-01-01',
    precision: 'DAY',
    group: 'Bibliotheek Veenendaal',
    demo: false,
    sourceUrl: VEENENDAAL_SOURCE,
  },
  {
    platformCode: 'MIDDEN-ZUID',
    poiCode: 'BISC',
    migratedOn: '2019-01-01',
    precision: 'YEAR',
    group: 'De Utrechtse bibliotheken (van BicatWise)',
    demo: false,
    sourceUrl: MIDDEN_ZUID_SOURCE,
  },
  {
    platformCode: 'MIDDEN-ZUID',
    poiCode: 'CUBISS',
    migratedOn: '2020-02-01',
    precision: 'MONTH',
    group: 'De Limburgse bibliotheken: Maastricht, SCHUNCK, Nuth, Brunssum, Kerkrade, Meerssen, Gulpen-Wittem, Peel en Maas, Heuvelland, Venray-Horst',
    demo: false,
    sourceUrl: MIDDEN_ZUID_SOURCE,
  },
  {
    platformCode: 'MIDDEN-ZUID',
    poiCode: 'CUBISS',
    migratedOn: '2020-06-01',
    precision: 'MONTH',
    group: 'Bestaande opdrachtgevers uit Brabant (niet bij naam genoemd)',
    demo: false,
    sourceUrl: MIDDEN_ZUID_SOURCE,
  },
  {
    platformCode: 'MIDDEN-ZUID',
    poiCode: 'CUBISS',
    migratedOn: '2020-10-01',
    precision: 'MONTH',
    group: 'Noord Oost Brabantse Bibliotheken (NOBB)',
    demo: false,
    sourceUrl: MIDDEN_ZUID_SOURCE,
  },
  {
    platformCode: 'MIDDEN-ZUID',
    poiCode: 'CUBISS',
    migratedOn: '2020-11-15',
    precision: 'MID_MONTH',
    group: 'Bibliotheek Venlo',
    demo: false,
    sourceUrl: MIDDEN_ZUID_SOURCE,
  },
  {
    platformCode: 'DEMO-PROBIBLIO',
    poiCode: 'PROBIBLIO',
    migratedOn: '2021-01-01',
    precision: 'YEAR',
    group: 'Demo: de bibliotheken van Probiblio',
    demo: true,
    sourceUrl: null,
  },
  {
    platformCode: 'DEMO-RIJNBRINK',
    poiCode: 'RIJNBRINK',
    migratedOn: '2021-01-01',
    precision: 'YEAR',
    group: 'Demo: de bibliotheken van Rijnbrink',
    demo: true,
    sourceUrl: null,
  },
];

// Governance. The structural set-up decided in 2023 is a fact (dated by year: the last day of
// 2023, as the agenda's WA-2023-01); the other decisions and the cost-sharing key are demo.
const DECISIONS: Decision[] = [
  {
    id: 'BL-2023-01',
    decidedOn: '2023-12-31',
    title: 'Structurele inrichting van de samenwerking',
    body: 'De samenwerking functioneel beheer wordt structureel ingericht, met een tweejaarlijkse evaluatie. De stuurgroep stuurt de werkagenda sinds oktober 2021 aan.',
    decidedBy: 'BiSC, Cubiss, Probiblio en Rijnbrink',
    demo: false,
  },
  {
    id: 'BL-2024-01',
    decidedOn: '2024-03-14',
    title: 'Demo: gezamenlijke releasetest',
    body: 'Demo: nieuwe Wise-releases worden eenmalig voor alle partners getest, met een gedeeld testdraaiboek.',
    decidedBy: 'Stuurgroep',
    demo: true,
  },
  {
    id: 'BL-2025-01',
    decidedOn: '2025-06-12',
    title: 'Demo: verdeelsleutel kosten',
    body: 'Demo: de kosten van het gezamenlijk functioneel beheer worden verdeeld volgens de verdeelsleutel in deze demo.',
    decidedBy: 'Stuurgroep',
    demo: true,
  },
];

/** Demo shares in percent; they must sum to 100. */
const COST_SHARING_KEY: CostShare[] = [
  { poiCode: 'BISC', sharePercent: 20, demo: true },
  { poiCode: 'CUBISS', sharePercent: 30, demo: true },
  { poiCode: 'PROBIBLIO', sharePercent: 25, demo: true },
  { poiCode: 'RIJNBRINK', sharePercent: 25, demo: true },
];

/** The founding POIs joined when the collaboration started. */
export const PARTNERSHIP_STARTED_ON = '2021-10-01';
const FOUNDING_MEMBERS = ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'];

/** A cost-sharing key's problem, or null: every share 0–100 with at most two decimals, summing to exactly 100 %. */
export function costSharingKeyProblem(shares: readonly Pick<CostShare, 'poiCode' | 'sharePercent'>[]): string | null {
  for (const share of shares) {
    const cents = share.sharePercent * 100;
    // Within float rounding of a whole cent (33.34 * 100 is 3333.9999…).
    if (!(share.sharePercent >= 0 && share.sharePercent <= 100) || Math.abs(cents - Math.round(cents)) > 1e-6) {
      return `the share of ${share.poiCode} must be 0 to 100 with at most two decimals`;
    }
  }
  const cents = shares.reduce((sum, share) => sum + Math.round(share.sharePercent * 100), 0);
  return cents === 10_000 ? null : `the shares sum to ${cents / 100} %, not 100 %`;
}

/** What the collaboration is seeded with (the tests read the facts here). */
export const COLLABORATION_SEED = {
  goals: GOALS,
  agenda: AGENDA,
  evaluations: EVALUATIONS,
  steeringGroup: STEERING_GROUP,
  platforms: PLATFORMS,
  platformMigrations: PLATFORM_MIGRATIONS,
  decisions: DECISIONS,
  costSharingKey: COST_SHARING_KEY,
  foundingMembers: FOUNDING_MEMBERS,
  harmonisationStandard: HARMONISATION_STANDARD,
};

/** The work agenda's rows for a seed date. */
export function agendaItems(referenceDate: string) {
  return AGENDA.map(({ dueOn, dueInMonths, ...item }) => {
    const created = `${item.id.slice(3, 7)}-01-01`;
    const relative = dueInMonths === null || dueInMonths === undefined ? null : addMonths(referenceDate, dueInMonths);
    return { ...item, dueOn: dueOn ?? (relative !== null && relative < created ? addMonths(created, dueInMonths!) : relative) };
  });
}

/** The Wise platforms and the governance facts for the POIs registered, and with `demo` what is demo. */
async function seedPlatformsAndGovernance(manager: EntityManager, registered: Set<string>, demo: boolean) {
  const wanted = <T extends { demo: boolean }>(rows: T[]) => rows.filter((row) => demo || !row.demo);
  // Platforms succeeded by another go in after it (their foreign key points to it).
  const ordered = wanted(PLATFORMS).sort((a, b) => Number(a.succeededByCode !== null) - Number(b.succeededByCode !== null));
  for (const { pois, ...platform } of ordered) {
    await manager.insert(WisePlatformEntity, platform);
    const serving = pois.filter((code) => registered.has(code));
    if (serving.length > 0)
      await manager.insert(
        WisePlatformPoiEntity,
        serving.map((poiCode) => ({ platformCode: platform.code, poiCode })),
      );
  }
  const migrations = wanted(PLATFORM_MIGRATIONS).filter((m) => registered.has(m.poiCode));
  if (migrations.length > 0)
    await manager.insert(
      WisePlatformMigrationEntity,
      migrations.map((m) => ({ ...m })),
    );
  await manager.insert(
    DecisionEntity,
    wanted(DECISIONS).map((d) => ({ ...d })),
  );
  const problem = costSharingKeyProblem(COST_SHARING_KEY);
  if (problem) throw new Error(`cost-sharing key: ${problem}`);
  // A key over other POIs than those registered would not sum to 100 % of theirs: then none.
  if (demo && COST_SHARING_KEY.every((share) => registered.has(share.poiCode)))
    await manager.insert(
      CostShareEntity,
      COST_SHARING_KEY.map((c) => ({ ...c })),
    );
  const founders = FOUNDING_MEMBERS.filter((code) => registered.has(code));
  if (founders.length > 0)
    await manager.insert(
      MemberEntity,
      founders.map((poiCode) => ({ poiCode, libraryId: 0, joinedOn: PARTNERSHIP_STARTED_ON })),
    );
}

/** Syncs the registry, then, with `demo`, seeds the agenda, goals and steering group once (or again with `reset`). */
export async function seedCollaboration(
  dataSource: DataSource,
  pois: readonly Poi[],
  options: { referenceDate: string; demo: boolean; reset?: boolean },
): Promise<boolean> {
  return transaction(dataSource, async (manager) => {
    if (options.reset) {
      await deleteAllRows(manager, [
        IdempotencyKeyEntity,
        AuditEntryEntity,
        WorkAgendaParticipantEntity,
        WorkAgendaItemEntity,
        NetworkAgendaGoalEntity,
        SteeringGroupMemberEntity,
        EvaluationEntity,
        WisePlatformMigrationEntity,
        WisePlatformPoiEntity,
        MemberEntity,
        CostShareEntity,
        DecisionEntity,
        WiseReleaseEntity,
        HarmonisationStandardEntity,
      ]);
      // The platforms point to each other (succeeded by): those pointing go first.
      await manager.createQueryBuilder().delete().from(WisePlatformEntity).where('succeeded_by_code IS NOT NULL').execute();
      await manager.createQueryBuilder().delete().from(WisePlatformEntity).execute();
    }
    await syncRegistry(manager, pois);
    const registered = new Set(pois.map((p) => p.code));
    // The platforms and governance facts go into every new database (demo and all: only with `demo`).
    if ((await manager.count(WisePlatformEntity)) === 0) await seedPlatformsAndGovernance(manager, registered, options.demo);
    // Its own check: a database seeded before the standard existed gets the demo standard too.
    if (options.demo && (await manager.count(HarmonisationStandardEntity)) === 0)
      await manager.insert(HarmonisationStandardEntity, { ...HARMONISATION_STANDARD });
    if (!options.demo || (await manager.count(WorkAgendaItemEntity)) > 0) return false;

    const goalIds = new Map(GOALS.map((goal, index) => [goal.code, index + 1]));
    await manager.insert(
      NetworkAgendaGoalEntity,
      GOALS.map((goal, index) => ({ id: index + 1, ...goal })),
    );
    for (const { goal, participants, ...item } of agendaItems(options.referenceDate)) {
      await manager.insert(WorkAgendaItemEntity, {
        ...item,
        ownerCode: item.ownerCode && registered.has(item.ownerCode) ? item.ownerCode : null,
        goalId: goalIds.get(goal) ?? null,
      });
      const taking = participants.filter((code) => registered.has(code));
      if (taking.length > 0)
        await manager.insert(
          WorkAgendaParticipantEntity,
          taking.map((poiCode) => ({ itemId: item.id, poiCode })),
        );
    }
    await manager.insert(
      EvaluationEntity,
      EVALUATIONS.map((evaluation) => ({ ...evaluation })),
    );
    const members = STEERING_GROUP.filter((m) => registered.has(m.poiCode));
    if (members.length > 0)
      await manager.insert(
        SteeringGroupMemberEntity,
        members.map((m) => ({ ...m })),
      );
    // Demo release planning: generated around the seed date (shared/wise-releases.ts).
    await manager.insert(
      WiseReleaseEntity,
      demoWiseReleases(options.referenceDate).map(({ version, ...release }) => ({ ...release, wiseVersion: version })),
    );
    return true;
  });
}
