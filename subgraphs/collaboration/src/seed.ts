import { DataSource, EntityManager } from 'typeorm';
import { deleteAllRows, transaction } from '../../../shared/db';
import { IdempotencyKeyEntity } from '../../../shared/idempotency';
import { AuditEntryEntity } from '../../../shared/audit';
import type { Poi } from '../../../shared/registry';
import { addMonths } from '../../../shared/dates';
import {
  EvaluationEntity,
  HARMONISATION_STANDARD_ID,
  HarmonisationStandardEntity,
  HarmonisationStandardRow,
  NetworkAgendaGoal,
  NetworkAgendaGoalEntity,
  PoiProvinceEntity,
  RegisteredPoiEntity,
  SteeringGroupMemberEntity,
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
    await manager.insert(PoiProvinceEntity, poi.provinces.map((province) => ({ poiCode: code, province })));
  }
}

const GOALS: Omit<NetworkAgendaGoal, 'id'>[] = [
  { code: 'NA-1', title: 'Eén gemeenschappelijk bibliotheeksysteem', description: 'Toewerken naar één gemeenschappelijk bibliotheeksysteem (GBS) voor het netwerk van openbare bibliotheken.' },
  { code: 'NA-2', title: 'Gedeelde collectie en catalogus', description: 'Eén gedeelde catalogus en zichtbare collectie over provinciegrenzen heen.' },
  { code: 'NA-3', title: 'Digitale dienstverlening voor leden', description: 'Leden bedienen via website en app met actuele gegevens uit het bibliotheeksysteem.' },
  { code: 'NA-4', title: 'Datagedreven werken', description: 'Betrouwbare en vergelijkbare cijfers over gebruik en leden voor bibliotheken, provincies en het netwerk.' },
  { code: 'NA-5', title: 'Efficiënt georganiseerd netwerk', description: 'Taken eenmalig en gezamenlijk uitvoeren waar dat kwaliteit of kosten verbetert.' },
];

/**
 * An agenda item's due day: a DONE item's is a fixed day (`dueOn`); an open item's is demo, months
 * after the seed date (`dueInMonths`), never before the year in its id.
 */
type AgendaSeed = Omit<WorkAgendaItem, 'dueOn' | 'goalId' | 'version'> & { dueOn?: string; dueInMonths?: number | null; goal: string; participants: string[] };

const AGENDA: AgendaSeed[] = [
  { id: 'WA-2021-01', title: 'Samenwerkingsovereenkomst functioneel beheer', description: 'Afspraken over taken, rollen en kosten van het gezamenlijk functioneel beheer, gestart op 1 oktober 2021.', theme: 'SETUP', status: 'DONE', dueOn: '2021-10-01', ownerCode: 'BISC', goal: 'NA-5', participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2023-01', title: 'Structurele inrichting van de samenwerking', description: 'Besluit over de structurele inrichting van de samenwerking, die de stuurgroep sinds oktober 2021 met de werkagenda aanstuurt; met een tweejaarlijkse evaluatie.', theme: 'SETUP', status: 'DONE', dueOn: '2023-12-31', ownerCode: 'PROBIBLIO', goal: 'NA-5', participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2024-01', title: 'Geharmoniseerde tarieventabel te laat-gelden', description: 'Eén set basisinstellingen voor tarieven en sluitingsdagen in Wise.', theme: 'HARMONISATION', status: 'DONE', dueOn: '2024-12-31', ownerCode: 'CUBISS', goal: 'NA-1', participants: ['BISC', 'CUBISS'] },
  { id: 'WA-2024-02', title: 'Gezamenlijke releasetest nieuwe Wise-versies', description: 'Nieuwe Wise-releases eenmalig testen voor alle partners, met een gedeeld testdraaiboek.', theme: 'HARMONISATION', status: 'IN_PROGRESS', dueInMonths: 2, ownerCode: 'RIJNBRINK', goal: 'NA-5', participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2024-03', title: 'Catalogus opschonen Midden-Zuid', description: 'Dubbele titelbeschrijvingen in de gedeelde catalogus van platform Midden-Zuid samenvoegen.', theme: 'HARMONISATION', status: 'IN_PROGRESS', dueInMonths: 5, ownerCode: 'BISC', goal: 'NA-2', participants: ['BISC', 'CUBISS'] },
  { id: 'WA-2025-01', title: 'Koppeling betaalautomaten standaardiseren', description: 'Eén standaardkoppeling voor betaalautomaten met heldere storingsprocedure.', theme: 'INTEGRATION', status: 'PLANNED', dueInMonths: 9, ownerCode: 'PROBIBLIO', goal: 'NA-3', participants: ['PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2025-02', title: 'Gezamenlijke kennisbank functioneel beheer', description: 'De kennisbanken van de partners samen doorzoekbaar maken.', theme: 'INTEGRATION', status: 'IN_PROGRESS', dueInMonths: 4, ownerCode: 'CUBISS', goal: 'NA-5', participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2025-03', title: 'Dashboard managementinformatie', description: 'Gedeeld dashboard met meldingen, contracten en ledencijfers per POI.', theme: 'INNOVATION', status: 'IN_PROGRESS', dueInMonths: 3, ownerCode: 'RIJNBRINK', goal: 'NA-4', participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2025-04', title: 'Voorbereiding gemeenschappelijk bibliotheeksysteem', description: 'Inbreng van de functioneel-beheerpraktijk in de aanbesteding van het GBS.', theme: 'INNOVATION', status: 'PLANNED', dueInMonths: 12, ownerCode: 'BISC', goal: 'NA-1', participants: ['BISC', 'PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2025-05', title: 'Evaluatie samenwerking', description: 'Tweejaarlijkse evaluatie van de samenwerking, met aanbevelingen voor de stuurgroep.', theme: 'SETUP', status: 'PLANNED', dueInMonths: 7, ownerCode: 'PROBIBLIO', goal: 'NA-5', participants: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'] },
  { id: 'WA-2025-06', title: 'Uniforme lenersimport gemeenten', description: 'Eén werkwijze voor het importeren van gemeentelijke lenersbestanden zonder dubbelingen.', theme: 'HARMONISATION', status: 'ON_HOLD', dueInMonths: null, ownerCode: 'RIJNBRINK', goal: 'NA-4', participants: ['CUBISS', 'RIJNBRINK'] },
  { id: 'WA-2026-01', title: 'Open Data API voor bibliotheekwebsites', description: 'Afspraken over gebruik en belasting van de Open Data API door websites en apps.', theme: 'INTEGRATION', status: 'PLANNED', dueInMonths: 10, ownerCode: 'CUBISS', goal: 'NA-3', participants: ['BISC', 'CUBISS', 'PROBIBLIO'] },
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

/** What the collaboration is seeded with (the tests read the facts here). */
export const COLLABORATION_SEED = { goals: GOALS, agenda: AGENDA, evaluations: EVALUATIONS, steeringGroup: STEERING_GROUP, harmonisationStandard: HARMONISATION_STANDARD };

/** The work agenda's rows for a seed date. */
export function agendaItems(referenceDate: string) {
  return AGENDA.map(({ dueOn, dueInMonths, ...item }) => {
    const created = `${item.id.slice(3, 7)}-01-01`;
    const relative = dueInMonths === null || dueInMonths === undefined ? null : addMonths(referenceDate, dueInMonths);
    return { ...item, dueOn: dueOn ?? (relative !== null && relative < created ? addMonths(created, dueInMonths!) : relative) };
  });
}

/** Syncs the registry, then, with `demo`, seeds the agenda, goals and steering group once (or again with `reset`). */
export async function seedCollaboration(
  dataSource: DataSource,
  pois: readonly Poi[],
  options: { referenceDate: string; demo: boolean; reset?: boolean },
): Promise<boolean> {
  return transaction(dataSource, async (manager) => {
    if (options.reset) {
      await deleteAllRows(manager, [IdempotencyKeyEntity, AuditEntryEntity, HarmonisationStandardEntity, WorkAgendaParticipantEntity, WorkAgendaItemEntity, NetworkAgendaGoalEntity, SteeringGroupMemberEntity, EvaluationEntity]);
    }
    await syncRegistry(manager, pois);
    // Its own check: a database seeded before the standard existed gets the demo standard too.
    if (options.demo && (await manager.count(HarmonisationStandardEntity)) === 0) await manager.insert(HarmonisationStandardEntity, { ...HARMONISATION_STANDARD });
    if (!options.demo || (await manager.count(WorkAgendaItemEntity)) > 0) return false;

    const registered = new Set(pois.map((p) => p.code));
    const goalIds = new Map(GOALS.map((goal, index) => [goal.code, index + 1]));
    await manager.insert(NetworkAgendaGoalEntity, GOALS.map((goal, index) => ({ id: index + 1, ...goal })));
    for (const { goal, participants, ...item } of agendaItems(options.referenceDate)) {
      await manager.insert(WorkAgendaItemEntity, {
        ...item,
        ownerCode: item.ownerCode && registered.has(item.ownerCode) ? item.ownerCode : null,
        goalId: goalIds.get(goal) ?? null,
      });
      const taking = participants.filter((code) => registered.has(code));
      if (taking.length > 0) await manager.insert(WorkAgendaParticipantEntity, taking.map((poiCode) => ({ itemId: item.id, poiCode })));
    }
    await manager.insert(EvaluationEntity, EVALUATIONS.map((evaluation) => ({ ...evaluation })));
    const members = STEERING_GROUP.filter((m) => registered.has(m.poiCode));
    if (members.length > 0) await manager.insert(SteeringGroupMemberEntity, members.map((m) => ({ ...m })));
    return true;
  });
}
