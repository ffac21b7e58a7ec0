import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataSource, EntityManager } from 'typeorm';
import { AnyEntitySchema, deleteAllRows, insertInChunks, transaction } from '../shared/db';
import { IdempotencyKeyEntity } from '../shared/idempotency';
import { PROVINCES, Poi, Province, WISE_PLATFORM_CODE_PATTERN } from '../shared/registry';
import { addDays, addMonths, DAY_MS } from '../shared/dates';
import { SeededRandom } from '../shared/seed-random';
import { demoWiseReleases, ReleaseTestStatus } from '../shared/wise-releases';
import {
  AuditEntryEntity,
  Branch,
  BranchEntity,
  Contract,
  CONTRACT_SERVICES,
  ContractEntity,
  ContractServiceLevel,
  ContractServiceLevelEntity,
  KnowledgeArticle,
  KnowledgeArticleEntity,
  KnowledgeTermEntity,
  Library,
  LibraryEntity,
  LibrarySettings,
  LibrarySettingsEntity,
  LIBRARY_STATUSES,
  LibraryStatus,
  ReleaseAcceptance,
  ReleaseAcceptanceEntity,
  Ticket,
  TicketCategory,
  TicketEntity,
  TicketPriority,
  TicketStatus,
  TicketType,
  TICKET_PRIORITIES,
  VendorContract,
  VendorContractEntity,
} from './entities';
import { AGENDA_ITEM_BY_TITLE, ARTICLE_TEMPLATES, demoKnowledgeSource, TICKET_TITLES } from './seed-texts';
import { indexArticles } from './search-index';

/** One row of a POI's `data/libraries.csv` (taken from the public list of Dutch library organisations). */
export interface LibrarySource {
  province: Province;
  organisation: string;
  mainCity: string;
  municipalities: string[];
  /** As published: "7 (+3 servicepunten)", or empty when unknown. */
  branches: string;
  /** Lifecycle, from the optional columns status, active_from, active_until and successor (a name in the same list). */
  status: LibraryStatus;
  activeFrom: string | null;
  activeUntil: string | null;
  successor: string | null;
  /** The Wise platform's code from the optional column wise_platform; null (empty): the POI's default platform (registry.json). */
  wisePlatform: string | null;
}

export interface SeedOptions {
  /** Multiplies the volume of tickets, contract history and knowledge articles. */
  scale: number;
  /** Dates are generated up to this day (YYYY-MM-DD). */
  referenceDate: string;
}

export function readLibrarySources(csvPath: string): LibrarySource[] {
  const rows: Record<string, string>[] = parse(fs.readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true });
  const names = new Set(rows.map((row) => row.organisation));
  return rows.map((row, index) => {
    const problem = (message: string) => new Error(`${csvPath} line ${index + 2}: ${message}`);
    if (!(PROVINCES as readonly string[]).includes(row.province)) throw problem(`unknown province "${row.province}"`);
    const status = row.status || 'ACTIVE';
    if (!(LIBRARY_STATUSES as readonly string[]).includes(status)) throw problem(`unknown status "${status}"`);
    const successor = row.successor || null;
    if ((status === 'MERGED') !== (successor !== null && Boolean(row.active_until)))
      throw problem('a MERGED library has an active_until and a successor, an ACTIVE one neither');
    if (successor !== null && !names.has(successor)) throw problem(`successor "${successor}" is not in the list`);
    const wisePlatform = row.wise_platform || null;
    if (wisePlatform !== null && !WISE_PLATFORM_CODE_PATTERN.test(wisePlatform))
      throw problem(`wise_platform "${wisePlatform}" is not a platform code like MIDDEN-ZUID`);
    return {
      province: row.province as Province,
      organisation: row.organisation,
      mainCity: row.main_city,
      municipalities: row.municipalities
        .split(';')
        .map((m) => m.trim())
        .filter(Boolean),
      branches: row.branches,
      status: status as LibraryStatus,
      activeFrom: row.active_from || null,
      activeUntil: row.active_until || null,
      successor,
      wisePlatform,
    };
  });
}

/** First digits of postal codes per province, roughly as PostNL assigns them. */
const POSTAL_RANGES: Record<Province, [number, number]> = {
  GRONINGEN: [9300, 9999],
  FRIESLAND: [8400, 9299],
  DRENTHE: [7700, 7999],
  OVERIJSSEL: [7400, 8299],
  FLEVOLAND: [8200, 8399],
  GELDERLAND: [6500, 7399],
  UTRECHT: [3400, 3999],
  NOORD_HOLLAND: [1000, 2099],
  ZUID_HOLLAND: [2100, 3399],
  ZEELAND: [4300, 4599],
  NOORD_BRABANT: [4600, 5799],
  LIMBURG: [5800, 6499],
};
/** Municipalities served across a provincial border: their branches take their own province's postal codes. */
const BORDER_MUNICIPALITIES: Record<string, Province> = {
  Hillegom: 'ZUID_HOLLAND',
  Eemnes: 'UTRECHT',
  'Bergen (L.)': 'LIMBURG',
  Gennep: 'LIMBURG',
};
const POSTAL_LETTERS = 'ABCDEGHJKLMNPRTVWXZ';
const DISTRICTS = ['Centrum', 'Noord', 'Zuid', 'Oost', 'West'];
const RESOLUTION_HOURS: Record<TicketPriority, [number, number]> = { P1: [1, 24], P2: [4, 96], P3: [24, 320], P4: [48, 720] };

/**
 * Demo service levels (DVO terms), in clock hours per priority: [response, resolution]. Not any
 * POI's real terms. Each POI's current agreements get one of these sets; agreements that have
 * expired had slower terms (half as long again), so which agreement was in force matters.
 */
const DEMO_SERVICE_LEVELS: Record<TicketPriority, [number, number]>[] = [
  { P1: [1, 16], P2: [4, 72], P3: [8, 240], P4: [24, 480] },
  { P1: [2, 24], P2: [8, 96], P3: [16, 240], P4: [40, 480] },
];

function branchCount(published: string, random: SeededRandom): number {
  const numbers = (published.match(/\d+/g) ?? []).map(Number);
  const total = (numbers[0] ?? random.int(2, 6)) + (published.includes('servicepunt') ? (numbers[1] ?? 0) : 0);
  return Math.min(Math.max(total, 1), 20);
}

/** Generates a POI's whole data set in memory; the same inputs always give the same rows. */
export function generatePoiData(poi: Poi, sources: LibrarySource[], options: SeedOptions) {
  const random = new SeededRandom(`${poi.code}:${options.scale}`);
  const ref = options.referenceDate;
  const refMs = Date.parse(`${ref}T00:00:00Z`);
  const libraries: Library[] = [];
  const branches: Branch[] = [];
  const contracts: Contract[] = [];
  const tickets: Ticket[] = [];
  const serviceLevels: ContractServiceLevel[] = [];
  // Service levels and the request fields measured against them draw from their own sequence, so the rest of the data set stays as it was.
  const slaRandom = new SeededRandom(`${poi.code}:${options.scale}:service-levels`);
  const poiTerms = slaRandom.pick(DEMO_SERVICE_LEVELS);
  const addServiceLevels = (contract: Contract, slower: boolean) => {
    for (const priority of TICKET_PRIORITIES) {
      const [response, resolution] = poiTerms[priority].map((hours) => (slower ? Math.round(hours * 1.5) : hours));
      serviceLevels.push({ id: serviceLevels.length + 1, contractId: contract.id, priority, responseHours: response, resolutionHours: resolution });
    }
  };

  const idByName = new Map(sources.map((source, index) => [source.organisation, index + 1]));
  sources.forEach((source, index) => {
    const libraryId = index + 1;
    // A merged library's data ends on its last day: agreements, requests and all.
    const until = source.activeUntil ?? ref;
    const untilMs = Math.min(refMs, Date.parse(`${until}T00:00:00Z`) + DAY_MS);
    // ... and a library founded in a merger has none from before its first day.
    const activeDays = source.activeFrom ? Math.round((untilMs - Date.parse(`${source.activeFrom}T00:00:00Z`)) / DAY_MS) : Infinity;
    const count = branchCount(source.branches, random);
    const places = source.municipalities.length > 0 ? source.municipalities : [source.mainCity || source.organisation];
    const seat = source.mainCity || places[0];
    libraries.push({
      id: libraryId,
      name: source.organisation,
      province: source.province,
      municipalities: source.municipalities,
      mainCity: source.mainCity || null,
      wisePlatformCode: source.wisePlatform,
      memberCount: count * random.int(1800, 5200),
      status: source.status,
      activeFrom: source.activeFrom,
      activeUntil: source.activeUntil,
      successorId: source.successor ? idByName.get(source.successor)! : null,
      version: 1,
    });
    for (let b = 0; b < count; b++) {
      const place = b === 0 ? seat : places[b % places.length];
      // The place, not the gemeente's official name: Bergen (L.) is in Bergen.
      const city = place.replace(/ \((L|NH)\.\)$/, '');
      const repeat = Math.floor(b / places.length);
      const [low, high] = POSTAL_RANGES[BORDER_MUNICIPALITIES[place] ?? source.province];
      const district =
        repeat > 0 ? ` ${DISTRICTS[(repeat - 1) % DISTRICTS.length]}${repeat > DISTRICTS.length ? ` ${Math.ceil(repeat / DISTRICTS.length)}` : ''}` : '';
      branches.push({
        id: branches.length + 1,
        libraryId,
        name: b === 0 ? `${source.organisation}, hoofdvestiging ${city}` : `Vestiging ${city}${district}`,
        city,
        postalCode: `${random.int(low, high)} ${random.pick([...POSTAL_LETTERS])}${random.pick([...POSTAL_LETTERS])}`,
        isMain: b === 0,
      });
    }

    // Contract history: earlier agreements expired back to back, then the current one.
    const services = CONTRACT_SERVICES.filter((_, i) => i < 3 || random.next() < 0.4);
    const members = libraries[libraries.length - 1].memberCount;
    const annualFee = Math.round((members * 0.45 + services.length * 2400) / 10) * 10;
    const merged = source.status === 'MERGED';
    // A merged library's last agreement ran out on its last day.
    const drawnStart = merged ? addMonths(addDays(until, 1), -36) : addMonths(ref, -random.int(1, 34));
    const currentStart = source.activeFrom && source.activeFrom > drawnStart ? source.activeFrom : drawnStart;
    const history = source.activeFrom ? 0 : random.int(0, 1) + (options.scale - 1);
    for (let h = history; h >= 1; h--) {
      contracts.push({
        id: contracts.length + 1,
        libraryId,
        services,
        startsOn: addMonths(currentStart, -36 * h),
        endsOn: addDays(addMonths(currentStart, -36 * (h - 1)), -1),
        status: 'EXPIRED',
        annualFee: Math.round(annualFee * (1 - 0.03 * h)),
        noticePeriodMonths: random.pick([3, 6, 6, 12]),
        version: 1,
      });
      addServiceLevels(contracts[contracts.length - 1], true);
    }
    contracts.push({
      id: contracts.length + 1,
      libraryId,
      services,
      startsOn: currentStart,
      endsOn: addDays(addMonths(currentStart, 36), -1),
      status: merged ? 'EXPIRED' : random.next() < 0.04 ? 'TERMINATED' : 'ACTIVE',
      annualFee,
      noticePeriodMonths: random.pick([3, 6, 6, 12]),
      version: 1,
    });
    addServiceLevels(contracts[contracts.length - 1], false);

    const ticketCount = random.int(6, 18) * options.scale;
    for (let t = 0; t < ticketCount; t++) {
      const category = random.weighted<TicketCategory>({
        RESERVATIONS: 18,
        FINES: 10,
        MEMBERSHIP: 16,
        CATALOGUE: 18,
        CIRCULATION: 14,
        REPORTING: 10,
        INTERFACES: 14,
      });
      const priority = random.weighted<TicketPriority>({ P1: 5, P2: 20, P3: 50, P4: 25 });
      const ageDays = random.int(0, Math.min(729, activeDays - 1));
      const openedAt = new Date(untilMs - ageDays * DAY_MS - random.int(1, 14 * 60) * 60_000 - 6 * 3600_000);
      const [minHours, maxHours] = RESOLUTION_HOURS[priority];
      const resolvedMs = openedAt.getTime() + random.int(minHours * 60, maxHours * 60) * 60_000;
      const resolved = merged || (resolvedMs < refMs && (ageDays > 45 ? random.next() < 0.97 : random.next() < 0.6));
      const status: TicketStatus = resolved
        ? random.next() < 0.7
          ? 'CLOSED'
          : 'RESOLVED'
        : random.weighted<TicketStatus>({ OPEN: 5, IN_PROGRESS: 3, WAITING: 2, RESOLVED: 0, CLOSED: 0 });
      const title = random.pick(TICKET_TITLES[category]);
      const resolvedAt = resolved ? new Date(resolvedMs) : null;
      // Demo: the kind of request, the vendor's case number when escalated, and the POI's first response.
      const type = slaRandom.weighted<TicketType>({ INCIDENT: 55, QUESTION: 30, CHANGE_REQUEST: 15 });
      const escalated = type === 'INCIDENT' && slaRandom.next() < (status === 'WAITING' ? 0.5 : category === 'INTERFACES' ? 0.2 : 0.05);
      const respondedMs = openedAt.getTime() + slaRandom.int(5, Math.round(poiTerms[priority][0] * 60 * 1.3)) * 60_000;
      const firstResponseAt = status === 'OPEN' ? null : new Date(Math.min(respondedMs, resolvedAt?.getTime() ?? refMs, refMs));
      tickets.push({
        id: 0,
        libraryId,
        title,
        category,
        priority,
        status,
        openedAt,
        resolvedAt,
        agendaItemId: AGENDA_ITEM_BY_TITLE[title] ?? null,
        reference: '',
        assignee: status === 'IN_PROGRESS' ? random.pick(['Anouk', 'Bram', 'Fatima', 'Joost', 'Sanne']) : null,
        type,
        vendorCaseReference: escalated ? `DEMO-OCLC-${String(slaRandom.int(10_000, 99_999))}` : null,
        firstResponseAt,
        version: 1,
      });
    }
  });
  // Ticket ids follow the order in which requests came in.
  tickets.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.libraryId - b.libraryId);
  tickets.forEach((ticket, index) => {
    ticket.id = index + 1;
    ticket.reference = ticketReference(poi.code, ticket.id);
  });
  const releaseAcceptances = demoReleaseAcceptances(poi, ref, tickets);

  const licenceStart = `${Number(ref.slice(0, 4)) - 2}-01-01`;
  const hostedWise = ['BISC', 'CUBISS'].includes(poi.code);
  const vendorContracts: VendorContract[] = [
    {
      id: 1,
      vendor: 'OCLC',
      product: hostedWise ? 'hostedWise (platform Midden-Zuid)' : 'Wise',
      startsOn: licenceStart,
      endsOn: addDays(addMonths(licenceStart, 60), -1),
      annualFee: Math.round((libraries.reduce((sum, l) => sum + l.memberCount, 0) * 0.9) / 100) * 100,
    },
    {
      id: 2,
      vendor: 'OCLC',
      product: 'Wise Open Data API',
      startsOn: addMonths(licenceStart, 6),
      endsOn: addDays(addMonths(licenceStart, 42), -1),
      annualFee: 12_000 + libraries.length * 350,
    },
  ];

  const templates = ARTICLE_TEMPLATES.filter((template) => !template.pois || template.pois.includes(poi.code));
  const knowledgeArticles: KnowledgeArticle[] = [];
  for (let a = 0; a < 12 * options.scale; a++) {
    const template = templates[a % templates.length];
    const part = Math.floor(a / templates.length);
    knowledgeArticles.push({
      id: a + 1,
      title: part === 0 ? template.title : `${template.title} (deel ${part + 1})`,
      summary: template.summary,
      body: template.body,
      tags: template.tags,
      source: demoKnowledgeSource(poi),
      updatedAt: new Date(refMs - random.int(1, 900) * DAY_MS + random.int(8 * 60, 17 * 60) * 60_000),
      version: 1,
    });
  }
  return { libraries, branches, contracts, serviceLevels, vendorContracts, tickets, knowledgeArticles, releaseAcceptances };
}

/** A small stable number from a text (for demo variety without drawing from the seed's random sequence). */
const textHash = (text: string) => [...text].reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) % 1_000_003, 7);

/**
 * Demo release planning in a POI's database (shared/wise-releases.ts): every eleventh request is
 * linked to the release it came in around (from 75 days before its release date to 60 days after),
 * and the POI's acceptance tests: released versions PASSED and live, the withdrawn one FAILED, the
 * one in test at a stage that differs per POI (not started at some), the announced one not started.
 */
function demoReleaseAcceptances(poi: Poi, referenceDate: string, tickets: Ticket[]): ReleaseAcceptance[] {
  const releases = demoWiseReleases(referenceDate);
  for (const ticket of tickets) {
    if (ticket.id % 11 !== 0) continue;
    const day = ticket.openedAt.toISOString().slice(0, 10);
    const around = releases.filter((r) => r.status !== 'ANNOUNCED' && addDays(r.releasedOn, -75) <= day && day <= addDays(r.releasedOn, 60));
    ticket.releaseVersion = around.at(-1)?.version ?? null;
  }
  const acceptances: ReleaseAcceptance[] = [];
  releases.forEach((release, index) => {
    const spread = textHash(`${poi.code}:${index}`);
    const planned = addDays(release.releasedOn, 7 + (spread % 5) * 7);
    const row = (testStatus: ReleaseTestStatus, actualGoLiveOn: string | null, notes: string) =>
      acceptances.push({
        id: acceptances.length + 1,
        releaseVersion: release.version,
        testStatus,
        plannedGoLiveOn: planned,
        actualGoLiveOn,
        notes,
        version: 1,
      });
    if (release.status === 'RELEASED') {
      const actual = addDays(planned, spread % 3);
      row('PASSED', actual <= referenceDate ? actual : referenceDate, 'Demo: acceptatietest afgerond, release in productie genomen.');
    } else if (release.status === 'WITHDRAWN') {
      row('FAILED', null, 'Demo: afgekeurd in de acceptatietest; release teruggetrokken door de leverancier.');
    } else if (release.status === 'IN_TEST') {
      const stage = (['NOT_STARTED', 'IN_PROGRESS', 'PASSED', 'FAILED'] as const)[textHash(`${poi.code}:stage`) % 4];
      if (stage !== 'NOT_STARTED')
        row(stage, null, `Demo: acceptatietest ${stage === 'IN_PROGRESS' ? 'loopt' : stage === 'PASSED' ? 'goedgekeurd' : 'afgekeurd, wacht op een hotfix'}.`);
    }
  });
  return acceptances;
}

/**
 * Demo: each library's harmonised Wise settings, made up per library (not its real settings). Most
 * libraries share the common demo values below, some deviate; the first deviates in its loan period
 * and the second has every common value, so each POI has some of both. Its own random source, so
 * the rest of the seed is the same with or without it.
 */
const COMMON_SETTINGS = { loanPeriodDays: 21, reservationFeeCents: 100, membershipFeeTypes: ['BASIS', 'JEUGD', 'VOLLEDIG'] };

export function generateLibrarySettings(poi: Poi, libraryIds: readonly number[]): LibrarySettings[] {
  const random = new SeededRandom(`${poi.code}:settings`);
  return libraryIds.map((libraryId, index) => {
    const common = index === 1 || (index !== 0 && random.next() < 0.7);
    const fine = index === 1 || random.next() < 0.55 ? null : random.pick([15, 20, 25]);
    return {
      id: index + 1,
      libraryId,
      loanPeriodDays: common ? COMMON_SETTINGS.loanPeriodDays : random.pick([14, 28, 42]),
      reservationFeeCents: index === 1 || random.next() < 0.65 ? COMMON_SETTINGS.reservationFeeCents : random.pick([0, 50, 75, 150]),
      membershipFeeTypes:
        index === 1 || random.next() < 0.6
          ? COMMON_SETTINGS.membershipFeeTypes
          : random.pick([
              ['BASIS', 'JEUGD', 'PLUS', 'VOLLEDIG'],
              ['JEUGD', 'VOLLEDIG'],
              ['BASIS', 'JEUGD', 'STUDENT', 'VOLLEDIG'],
            ]),
      finePolicy: fine === null ? 'NONE' : 'PER_DAY',
      finePerDayCents: fine,
      version: 1,
    };
  });
}

/** A POI's own number for a request, e.g. CUBI-000123. */
export function ticketReference(code: string, id: number): string {
  return `${code.slice(0, 4)}-${String(id).padStart(6, '0')}`;
}

/** Children before parents, so deleting in this order never breaks a foreign key. */
const DELETE_ORDER: AnyEntitySchema[] = [
  IdempotencyKeyEntity,
  AuditEntryEntity,
  ReleaseAcceptanceEntity,
  LibrarySettingsEntity,
  TicketEntity,
  ContractServiceLevelEntity,
  ContractEntity,
  BranchEntity,
  LibraryEntity,
  VendorContractEntity,
  KnowledgeTermEntity,
  KnowledgeArticleEntity,
];

/**
 * Seeds a POI database in one transaction. With `reset`, existing rows are deleted first;
 * otherwise an already seeded database is left alone.
 */
export async function seedPoiDatabase(
  dataSource: DataSource,
  poi: Poi,
  sources: LibrarySource[],
  options: SeedOptions & { reset?: boolean },
  /** More seed in the same transaction (a POI's own tables), after the kit's. */
  more?: (manager: EntityManager) => Promise<void> | undefined,
): Promise<boolean> {
  return transaction(dataSource, async (manager) => {
    if (options.reset) {
      await deleteAllRows(manager, DELETE_ORDER);
    } else if ((await manager.count(LibraryEntity)) > 0) {
      return false;
    }
    const data = generatePoiData(poi, sources, options);
    await insertInChunks(manager, LibraryEntity, data.libraries);
    await insertInChunks(manager, BranchEntity, data.branches);
    await insertInChunks(manager, ContractEntity, data.contracts);
    await insertInChunks(manager, ContractServiceLevelEntity, data.serviceLevels);
    await insertInChunks(manager, VendorContractEntity, data.vendorContracts);
    await insertInChunks(manager, TicketEntity, data.tickets);
    await insertInChunks(manager, KnowledgeArticleEntity, data.knowledgeArticles);
    await indexArticles(
      manager,
      data.knowledgeArticles.map((a) => a.id),
    );
    await insertInChunks(manager, ReleaseAcceptanceEntity, data.releaseAcceptances);
    await insertInChunks(
      manager,
      LibrarySettingsEntity,
      generateLibrarySettings(
        poi,
        data.libraries.map((library) => library.id),
      ),
    );
    await more?.(manager);
    return true;
  });
}
