import { GraphQLError } from 'graphql';
import { DataSource, In, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
// The list filters and sort orders as the schema defines them.
import type { ContractFilter, LibraryFilter, SortDirection, TicketFilter, TicketPriority, TicketType } from './generated/resolvers';
import { PageRequest, Sorted, SortOrder, SortValue } from '../shared/graphql/connection';
import { addDays } from '../shared/dates';
import { HARMONISATION_SETTINGS, HarmonisationSetting, WiseSettingValues } from '../shared/wise-settings';
import {
  AuditEntry,
  AuditEntryEntity,
  Branch,
  BranchEntity,
  Contract,
  ContractEntity,
  ContractServiceLevel,
  ContractServiceLevelEntity,
  KnowledgeArticle,
  KnowledgeArticleEntity,
  Library,
  LibraryEntity,
  LibrarySettings,
  LibrarySettingsEntity,
  LibraryStatus,
  OPEN_TICKET_STATUSES,
  ReleaseAcceptance,
  ReleaseAcceptanceEntity,
  Ticket,
  TicketEntity,
  VendorContract,
  VendorContractEntity,
} from './entities';
import { BM25, idf, searchTerms, type TermStatistics } from './search-index';

/** A knowledge search: its terms (stems) and the statistics it is scored with. */
export interface KnowledgeSearch {
  terms: string[];
  statistics: TermStatistics;
}

/** Days of resolution (YYYY-MM-DD, both included, UTC); a bound left out is open. */
export interface ResolutionPeriod {
  from?: string | null;
  to?: string | null;
}

export interface StatsSummary {
  libraryCount: number;
  branchCount: number;
  memberCount: number;
  activeContractCount: number;
  openTicketCount: number;
  /** Requests with a resolution moment (for the median). */
  resolvedTicketCount: number;
}

/** Libraries that count in current figures (lists, stats): not the merged ones, which are history. */
const CURRENT_LIBRARY_STATUSES: LibraryStatus[] = ['ACTIVE'];
const CURRENT_LIBRARY = `status IN (${CURRENT_LIBRARY_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** The columns tickets are paged and counted per group by (a library's, a release's). */
type TicketGroupColumn = 'library_id' | 'release_version';
/** Per harmonised setting: of the current libraries with settings, how many deviate from the standard. */
export interface HarmonisationCounts {
  libraryCount: number;
  deviating: Record<HarmonisationSetting, number>;
}

/** SQL true when the settings row `settings` has the standard's value of `setting` (the standard in the named parameters of standardParameters). */
const EQUALS_STANDARD: Record<HarmonisationSetting, string> = {
  LOAN_PERIOD: 'settings.loan_period_days = :stdLoanPeriodDays',
  RESERVATION_FEE: 'settings.reservation_fee_cents = :stdReservationFeeCents',
  // Stored as the JSON text of the codes, unique and A to Z: equal sets are equal text.
  MEMBERSHIP_FEE_TYPES: 'settings.membership_fee_types = :stdMembershipFeeTypes',
  FINE_POLICY: '(settings.fine_policy = :stdFinePolicy AND COALESCE(settings.fine_per_day_cents, -1) = :stdFinePerDayCents)',
};

function standardParameters(standard: WiseSettingValues) {
  return {
    stdLoanPeriodDays: standard.loanPeriodDays,
    stdReservationFeeCents: standard.reservationFeeCents,
    stdMembershipFeeTypes: JSON.stringify([...new Set(standard.membershipFeeTypes)].sort()),
    stdFinePolicy: standard.finePolicy.kind,
    stdFinePerDayCents: standard.finePolicy.kind === 'PER_DAY' ? (standard.finePolicy.perDayCents ?? -1) : -1,
  };
}

export interface KeyCount {
  key: string;
  count: number;
}

/** The service levels that apply to one request: those of its priority in its library's agreement in force when it was opened. */
export interface TicketTerms {
  ticketId: number;
  responseHours: number;
  resolutionHours: number;
}

/** Requests whose resolution was due in a month (outcome known), and how many of them met the service levels. */
export interface SlaCounts {
  due: number;
  met: number;
}

/** Which requests a compliance figure covers. */
export interface SlaSelection {
  type?: readonly TicketType[] | null;
  priority?: readonly TicketPriority[] | null;
}

/** The SQL each sortable field orders by; unresolved tickets sort as if resolved at the end of time. */
const SORT_SQL = {
  library: { NAME: 'library.name', MEMBER_COUNT: 'library.member_count', PROVINCE: 'library.province' },
  contract: { ENDS_ON: 'contract.ends_on', STARTS_ON: 'contract.starts_on', ANNUAL_FEE: 'contract.annual_fee' },
  ticket: { OPENED_AT: 'ticket.opened_at', PRIORITY: 'ticket.priority', RESOLVED_AT: "COALESCE(ticket.resolved_at, '9999-12-31 00:00:00')" },
  article: { UPDATED_AT: 'article.updated_at' },
  audit: { ID: 'audit.id' },
} as const;

/**
 * Text sort keys order by character code in every database: the embedded database does so
 * anyway, MySQL's case-insensitive collation would not. One order for everyone is what lets a
 * network list merge the POIs' pages (gateway/src/network/), whichever database each POI runs.
 */
const TEXT_SORT_SQL: ReadonlySet<string> = new Set([SORT_SQL.library.NAME]);

export function sortOrder<E extends keyof typeof SORT_SQL>(entity: E, field: keyof (typeof SORT_SQL)[E], direction: SortDirection): SortOrder {
  return { key: `${entity}.${String(field)}.${direction}`, sql: SORT_SQL[entity][field] as string, direction };
}

/** `LIKE` pattern for "contains", with the user's wildcards taken literally ('!' escapes in both databases). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function idOrNothing(id: string): number {
  return /^\d{1,9}$/.test(id) ? Number(id) : -1;
}

/** Orders by the sort expression then id, and starts after the cursor row (also for a POI's own lists). */
export function applyKeyset<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, sort: SortOrder, page: PageRequest) {
  const comparison = sort.direction === 'ASC' ? '>' : '<';
  if (page.after) {
    qb.andWhere(`(${sort.sql} ${comparison} :cursorValue OR (${sort.sql} = :cursorValue AND ${alias}.id ${comparison} :cursorId))`, {
      cursorValue: page.after.value,
      cursorId: page.after.id,
    });
  }
  return qb.orderBy(sort.sql, sort.direction).addOrderBy(`${alias}.id`, sort.direction);
}

/** Loads entities with the raw value of the sort expression each was ordered by (cursors need it). */
export async function withSortValues<T extends { id: number }>(qb: SelectQueryBuilder<T>, alias: string, sortSql: string): Promise<Sorted<T>[]> {
  // In parentheses, so TypeORM takes it as an expression rather than re-aliasing an entity column.
  const { entities, raw } = await qb.addSelect(`(${sortSql})`, 'sort_value').getRawAndEntities();
  const valueById = new Map<number, SortValue>(raw.map((row) => [Number(row[`${alias}_id`]), row.sort_value]));
  return entities.map((entity) => Object.assign(entity, { sortValue: valueById.get(entity.id) ?? null }));
}

/** All SQL of a POI subgraph. Every method is one statement; batch methods take many keys. */
export class PoiRepository {
  private readonly mysql: boolean;

  constructor(
    private readonly dataSource: DataSource,
    /** The POI's default Wise platform (registry.json): a library without its own record runs on it. */
    private readonly defaultWisePlatform: string | null = null,
  ) {
    this.mysql = dataSource.options.type === 'mysql';
  }

  private libraryQuery(filter: LibraryFilter) {
    const qb = this.dataSource.getRepository(LibraryEntity).createQueryBuilder('library');
    qb.where('library.status IN (:...statuses)', { statuses: filter.status?.length ? filter.status : CURRENT_LIBRARY_STATUSES });
    if (filter.province) qb.andWhere('library.province = :province', { province: filter.province });
    // Text no name could contain (too long, or with a NUL that the embedded database would cut at) matches nothing.
    const impossible = (text: string) => text.length > 500 || text.includes('\u0000');
    if ((filter.municipality && impossible(filter.municipality)) || (filter.nameContains && impossible(filter.nameContains))) qb.andWhere('1 = 0');
    if (filter.municipality) {
      qb.andWhere("library.municipalities LIKE :municipality ESCAPE '!'", {
        municipality: containsPattern(JSON.stringify(filter.municipality)),
      });
    }
    if (filter.nameContains) {
      qb.andWhere("LOWER(library.name) LIKE LOWER(:name) ESCAPE '!'", { name: containsPattern(filter.nameContains) });
    }
    if (filter.wisePlatform) {
      const platforms = filter.wisePlatform.map((code) => code.trim().toUpperCase());
      if (platforms.length === 0) qb.andWhere('1 = 0');
      else if (this.defaultWisePlatform && platforms.includes(this.defaultWisePlatform)) {
        qb.andWhere('(library.wise_platform_code IN (:...platforms) OR library.wise_platform_code IS NULL)', { platforms });
      } else qb.andWhere('library.wise_platform_code IN (:...platforms)', { platforms });
    }
    if (filter.hasActiveContract !== undefined && filter.hasActiveContract !== null) {
      const active = "EXISTS (SELECT 1 FROM contract active WHERE active.library_id = library.id AND active.status = 'ACTIVE')";
      qb.andWhere(filter.hasActiveContract ? active : `NOT ${active}`);
    }
    return qb;
  }

  pageLibraries(filter: LibraryFilter, sort: SortOrder, page: PageRequest): Promise<Sorted<Library>[]> {
    return this.pageOfLibraries(this.libraryQuery(filter), sort, page);
  }

  private pageOfLibraries(qb: SelectQueryBuilder<Library>, sort: SortOrder, page: PageRequest): Promise<Sorted<Library>[]> {
    const ordered = this.byCharacterCode(sort);
    return withSortValues(applyKeyset(qb, 'library', ordered, page).limit(page.first + 1), 'library', ordered.sql);
  }

  librarySettingsByIds(libraryIds: readonly number[]): Promise<LibrarySettings[]> {
    return this.dataSource.getRepository(LibrarySettingsEntity).findBy({ libraryId: In([...libraryIds]) });
  }

  /**
   * One aggregate over the current libraries with settings: their number, and per harmonised
   * setting how many differ from `standard`.
   */
  async harmonisationCounts(standard: WiseSettingValues): Promise<HarmonisationCounts> {
    const qb = this.dataSource
      .createQueryBuilder()
      .from('library_settings', 'settings')
      .innerJoin('library', 'library', 'library.id = settings.library_id')
      .where(`library.${CURRENT_LIBRARY}`)
      .select('COUNT(*)', 'libraryCount')
      .setParameters(standardParameters(standard));
    for (const setting of HARMONISATION_SETTINGS) qb.addSelect(`SUM(CASE WHEN ${EQUALS_STANDARD[setting]} THEN 0 ELSE 1 END)`, setting);
    const row: Record<string, string | number | null> = (await qb.getRawOne()) ?? {};
    const deviating = Object.fromEntries(HARMONISATION_SETTINGS.map((setting) => [setting, Number(row[setting] ?? 0)])) as Record<HarmonisationSetting, number>;
    return { libraryCount: Number(row.libraryCount), deviating };
  }

  /** A page of the current libraries whose `setting` differs from `standard`, in `sort` order, each with its settings. */
  pageDeviatingLibraries(
    setting: HarmonisationSetting,
    standard: WiseSettingValues,
    sort: SortOrder,
    page: PageRequest,
  ): Promise<Sorted<Library & { settings: LibrarySettings }>[]> {
    const qb = this.libraryQuery({}).innerJoinAndMapOne(
      'library.settings',
      LibrarySettingsEntity.options.name,
      'settings',
      `settings.library_id = library.id AND NOT ${EQUALS_STANDARD[setting]}`,
      standardParameters(standard),
    );
    return this.pageOfLibraries(qb, sort, page) as Promise<Sorted<Library & { settings: LibrarySettings }>[]>;
  }

  /** A text sort key compared by character code on MySQL too (TEXT_SORT_SQL). */
  private byCharacterCode(sort: SortOrder): SortOrder {
    return this.mysql && TEXT_SORT_SQL.has(sort.sql) ? { ...sort, sql: `${sort.sql} COLLATE utf8mb4_bin` } : sort;
  }

  countLibraries(filter: LibraryFilter): Promise<number> {
    return this.libraryQuery(filter).getCount();
  }

  librariesByIds(ids: readonly number[]): Promise<Library[]> {
    return this.dataSource.getRepository(LibraryEntity).findBy({ id: In([...ids]) });
  }

  branchesByLibraryIds(libraryIds: readonly number[]): Promise<Branch[]> {
    return this.dataSource.getRepository(BranchEntity).find({ where: { libraryId: In([...libraryIds]) }, order: { isMain: 'DESC', name: 'ASC', id: 'ASC' } });
  }

  /** Each library's contracts, active first, then latest end date first. */
  contractsByLibraryIds(libraryIds: readonly number[]): Promise<Contract[]> {
    return this.dataSource
      .getRepository(ContractEntity)
      .createQueryBuilder('contract')
      .where('contract.libraryId IN (:...libraryIds)', { libraryIds })
      .orderBy("CASE WHEN contract.status = 'ACTIVE' THEN 0 ELSE 1 END", 'ASC')
      .addOrderBy('contract.endsOn', 'DESC')
      .addOrderBy('contract.id', 'DESC')
      .getMany();
  }

  private contractQuery(filter: ContractFilter) {
    const qb = this.dataSource.getRepository(ContractEntity).createQueryBuilder('contract');
    if (filter.status) qb.andWhere('contract.status = :status', { status: filter.status });
    if (filter.service) qb.andWhere('contract.services LIKE :service', { service: `%"${filter.service}"%` });
    if (filter.endsAfter) qb.andWhere('contract.ends_on >= :endsAfter', { endsAfter: filter.endsAfter });
    if (filter.endsBefore) qb.andWhere('contract.ends_on < :endsBefore', { endsBefore: filter.endsBefore });
    return qb;
  }

  pageContracts(filter: ContractFilter, sort: SortOrder, page: PageRequest): Promise<Sorted<Contract>[]> {
    return withSortValues(applyKeyset(this.contractQuery(filter), 'contract', sort, page).limit(page.first + 1), 'contract', sort.sql);
  }

  countContracts(filter: ContractFilter): Promise<number> {
    return this.contractQuery(filter).getCount();
  }

  vendorContracts(): Promise<VendorContract[]> {
    return this.dataSource.getRepository(VendorContractEntity).find({ order: { startsOn: 'ASC', id: 'ASC' } });
  }

  private ticketQuery(filter: TicketFilter) {
    const qb = this.dataSource.getRepository(TicketEntity).createQueryBuilder('ticket');
    // Lists of enum values: duplicates dropped, so a huge list stays a handful of parameters.
    const distinct = <T>(values: T[]) => [...new Set(values)];
    if (filter.status?.length) qb.andWhere('ticket.status IN (:...statuses)', { statuses: distinct(filter.status) });
    if (filter.priority?.length) qb.andWhere('ticket.priority IN (:...priorities)', { priorities: distinct(filter.priority) });
    if (filter.category?.length) qb.andWhere('ticket.category IN (:...categories)', { categories: distinct(filter.category) });
    if (filter.type?.length) qb.andWhere('ticket.type IN (:...types)', { types: distinct(filter.type) });
    if (filter.openedAfter) qb.andWhere('ticket.opened_at >= :openedAfter', { openedAfter: filter.openedAfter });
    if (filter.openedBefore) qb.andWhere('ticket.opened_at < :openedBefore', { openedBefore: filter.openedBefore });
    if (filter.libraryId) qb.andWhere('ticket.library_id = :libraryId', { libraryId: idOrNothing(filter.libraryId) });
    if (filter.agendaItemId) qb.andWhere('ticket.agenda_item_id = :agendaItemId', { agendaItemId: filter.agendaItemId });
    if (filter.releaseVersion) qb.andWhere('ticket.release_version = :releaseVersion', { releaseVersion: filter.releaseVersion });
    return qb;
  }

  pageTickets(filter: TicketFilter, sort: SortOrder, page: PageRequest): Promise<Sorted<Ticket>[]> {
    return withSortValues(applyKeyset(this.ticketQuery(filter), 'ticket', sort, page).limit(page.first + 1), 'ticket', sort.sql);
  }

  countTickets(filter: TicketFilter): Promise<number> {
    return this.ticketQuery(filter).getCount();
  }

  ticketCountsByLibraryIds(libraryIds: readonly number[], filter: TicketFilter): Promise<Map<number, number>> {
    return this.ticketCountsBy('library_id', libraryIds, filter, Number);
  }

  /** Counts of the tickets linked to each of these releases (one GROUP BY). */
  ticketCountsByReleaseVersions(versions: readonly string[], filter: TicketFilter): Promise<Map<string, number>> {
    return this.ticketCountsBy('release_version', versions, filter, String);
  }

  private async ticketCountsBy<K>(column: TicketGroupColumn, keys: readonly K[], filter: TicketFilter, key: (raw: unknown) => K): Promise<Map<K, number>> {
    const rows: { groupKey: unknown; count: string | number }[] = await this.ticketQuery(filter)
      .select(`ticket.${column}`, 'groupKey')
      .addSelect('COUNT(*)', 'count')
      .andWhere(`ticket.${column} IN (:...groupKeys)`, { groupKeys: keys })
      .groupBy(`ticket.${column}`)
      .getRawMany();
    return new Map(rows.map((row) => [key(row.groupKey), Number(row.count)]));
  }

  ticketPagesByLibraryIds(libraryIds: readonly number[], filter: TicketFilter, sort: SortOrder, page: PageRequest): Promise<Sorted<Ticket>[]> {
    return this.ticketPagesBy('library_id', libraryIds, filter, sort, page);
  }

  /** One page of the tickets linked to each of these releases, in one statement. */
  ticketPagesByReleaseVersions(versions: readonly string[], filter: TicketFilter, sort: SortOrder, page: PageRequest): Promise<Sorted<Ticket>[]> {
    return this.ticketPagesBy('release_version', versions, filter, sort, page);
  }

  /**
   * One page of tickets for each of many libraries (or releases) in one statement: rows are
   * numbered per group in the sort order, and the first `first + 1` of each group are kept.
   */
  private async ticketPagesBy(
    column: TicketGroupColumn,
    keys: readonly unknown[],
    filter: TicketFilter,
    sort: SortOrder,
    page: PageRequest,
  ): Promise<Sorted<Ticket>[]> {
    const ranked = applyKeyset(this.ticketQuery(filter), 'ticket', sort, page)
      .select('ticket.id', 'id')
      .addSelect(`(${sort.sql})`, 'sort_value')
      .addSelect(`ROW_NUMBER() OVER (PARTITION BY ticket.${column} ORDER BY ${sort.sql} ${sort.direction}, ticket.id ${sort.direction})`, 'position')
      .andWhere(`ticket.${column} IN (:...groupKeys)`, { groupKeys: keys })
      .orderBy();
    const qb = this.dataSource
      .getRepository(TicketEntity)
      .createQueryBuilder('ticket')
      .innerJoin(`(${ranked.getQuery()})`, 'ranked', 'ranked.id = ticket.id')
      .where('ranked.position <= :limit', { limit: page.first + 1 })
      .setParameters(ranked.getParameters())
      .orderBy('ranked.sort_value', sort.direction)
      .addOrderBy('ticket.id', sort.direction);
    return withSortValues(qb, 'ticket', 'ranked.sort_value');
  }

  /** This POI's acceptance tests of these releases (one statement). */
  releaseAcceptancesByVersions(versions: readonly string[]): Promise<ReleaseAcceptance[]> {
    return this.dataSource.getRepository(ReleaseAcceptanceEntity).findBy({ releaseVersion: In([...versions]) });
  }

  /** Every acceptance test this POI has recorded, by release version. */
  releaseAcceptances(): Promise<ReleaseAcceptance[]> {
    return this.dataSource.getRepository(ReleaseAcceptanceEntity).find({ order: { releaseVersion: 'ASC' } });
  }

  /**
   * Knowledge search over the kit's own index (search-index.ts): every search term (a Dutch stem)
   * must start one of the article's terms; articles are ranked by BM25 over the weighted term
   * frequencies, with the given term statistics (the network's, or this POI's own). The same
   * SQL on MySQL and the embedded database; the numbers are written as floating-point literals
   * (MySQL would otherwise compute in DECIMAL) and the score rounded to 6 decimals, so every
   * engine gives the same score.
   */
  private searchSql(terms: readonly string[], statistics: TermStatistics): { sql: string; parameters: Record<string, string> } {
    const float = (x: number) => (Number.isFinite(x) ? x : 0).toExponential();
    const parameters = Object.fromEntries(terms.map((term, i) => [`knowledgeTerm${i}`, `${term}%`]));
    const matches = terms.map((_, i) => `kt.term LIKE :knowledgeTerm${i}`);
    const word = `CASE ${matches.map((m, i) => `WHEN ${m} THEN ${i}`).join(' ')} END`;
    const frequency = (term: string) => statistics.terms.find((t) => t.term === term)?.documentFrequency ?? 0;
    const weight = `CASE w.word ${terms.map((term, i) => `WHEN ${i} THEN ${float(idf(statistics.documentCount, frequency(term)))}`).join(' ')} END`;
    const averageLength = float(statistics.totalLength / statistics.documentCount);
    const { k1, b } = BM25;
    const words = `SELECT kt.article_id AS article_id, ${word} AS word, SUM(kt.tf) AS tf FROM knowledge_term kt WHERE ${matches.join(' OR ')} GROUP BY kt.article_id, ${word}`;
    const sql =
      `SELECT w.article_id AS article_id, ROUND(SUM(${weight} * w.tf * ${float(k1 + 1)} / (w.tf + ${float(k1)} * (${float(1 - b)} + ${float(b)} * ka.term_count / ${averageLength}))), 6) AS score ` +
      `FROM (${words}) w INNER JOIN knowledge_article ka ON ka.id = w.article_id GROUP BY w.article_id HAVING COUNT(*) = ${terms.length}`;
    return { sql, parameters };
  }

  /** The terms of a search (BAD_USER_INPUT when it has none). */
  searchTerms(search: string): string[] {
    const terms = searchTerms(search);
    if (terms.length === 0) {
      throw new GraphQLError('"search" needs at least one word of three or more letters or digits that is not a stop word (like "een" or "voor")', {
        extensions: { code: 'BAD_USER_INPUT', argument: 'search' },
      });
    }
    return terms;
  }

  /** The statistics of a search's terms here: articles, their total length, and per term the articles it starts a term of. One statement. */
  async knowledgeTermStatistics(terms: readonly string[]): Promise<TermStatistics> {
    const frequencies = terms.map((_, i) => `COUNT(DISTINCT CASE WHEN term LIKE ? THEN article_id END) AS df${i}`);
    const patterns = terms.map((term) => `${term}%`);
    const [row] = await this.dataSource.query(
      `SELECT (SELECT COUNT(*) FROM knowledge_article) AS documents, (SELECT COALESCE(SUM(term_count), 0) FROM knowledge_article) AS length, ${frequencies.join(', ')} ` +
        `FROM knowledge_term WHERE ${terms.map(() => 'term LIKE ?').join(' OR ')}`,
      [...patterns, ...patterns],
    );
    return {
      documentCount: Number(row.documents),
      totalLength: Number(row.length),
      terms: terms.map((term, i) => ({ term, documentFrequency: Number(row[`df${i}`]) })),
    };
  }

  /** The order of a knowledge list: by relevance when searching, else newest first. */
  knowledgeOrder(search: KnowledgeSearch | null): SortOrder {
    if (!search) return sortOrder('article', 'UPDATED_AT', 'DESC');
    return { key: 'article.SCORE.DESC', sql: 'hit.score', direction: 'DESC' };
  }

  private knowledgeQuery(search: KnowledgeSearch | null) {
    const qb = this.dataSource.getRepository(KnowledgeArticleEntity).createQueryBuilder('article');
    if (search) {
      const { sql, parameters } = this.searchSql(search.terms, search.statistics);
      qb.innerJoin(`(${sql})`, 'hit', 'hit.article_id = article.id').setParameters(parameters);
    }
    return qb;
  }

  pageKnowledgeArticles(search: KnowledgeSearch | null, sort: SortOrder, page: PageRequest): Promise<Sorted<KnowledgeArticle>[]> {
    return withSortValues(applyKeyset(this.knowledgeQuery(search), 'article', sort, page).limit(page.first + 1), 'article', sort.sql);
  }

  countKnowledgeArticles(search: KnowledgeSearch | null): Promise<number> {
    return this.knowledgeQuery(search).getCount();
  }

  /** Entries about these kinds of record: the kit's audit list names the kit's kinds, a POI's extension lists its own. */
  private auditQuery(entities: readonly string[]) {
    return this.dataSource.getRepository(AuditEntryEntity).createQueryBuilder('audit').where('audit.entity IN (:...entities)', { entities });
  }

  pageAudit(entities: readonly string[], sort: SortOrder, page: PageRequest): Promise<Sorted<AuditEntry>[]> {
    return withSortValues(applyKeyset(this.auditQuery(entities), 'audit', sort, page).limit(page.first + 1), 'audit', sort.sql);
  }

  countAudit(entities: readonly string[]): Promise<number> {
    return this.auditQuery(entities).getCount();
  }

  /** The headline figures in one statement. */
  async statsSummary(): Promise<StatsSummary> {
    const open = OPEN_TICKET_STATUSES.map((s) => `'${s}'`).join(', ');
    const [row] = await this.dataSource.query(
      `SELECT
         (SELECT COUNT(*) FROM library WHERE ${CURRENT_LIBRARY}) AS libraryCount,
         (SELECT COUNT(*) FROM branch WHERE library_id IN (SELECT id FROM library WHERE ${CURRENT_LIBRARY})) AS branchCount,
         (SELECT COALESCE(SUM(member_count), 0) FROM library WHERE ${CURRENT_LIBRARY}) AS memberCount,
         (SELECT COUNT(*) FROM contract WHERE status = 'ACTIVE') AS activeContractCount,
         (SELECT COUNT(*) FROM ticket WHERE status IN (${open})) AS openTicketCount,
         (SELECT COUNT(*) FROM ticket WHERE resolved_at IS NOT NULL) AS resolvedTicketCount`,
    );
    return {
      libraryCount: Number(row.libraryCount),
      branchCount: Number(row.branchCount),
      memberCount: Number(row.memberCount),
      activeContractCount: Number(row.activeContractCount),
      openTicketCount: Number(row.openTicketCount),
      resolvedTicketCount: Number(row.resolvedTicketCount),
    };
  }

  /** Counts per value of one column (GROUP BY), every known value present. */
  async countsBy(table: 'ticket' | 'library', column: 'status' | 'priority' | 'category' | 'province', keys: readonly string[]): Promise<KeyCount[]> {
    const rows: { key: string; count: string | number }[] = await this.dataSource.query(
      `SELECT ${column} AS ${this.mysql ? '`key`' : '"key"'}, COUNT(*) AS count FROM ${table} ${table === 'library' ? `WHERE ${CURRENT_LIBRARY}` : ''} GROUP BY ${column}`,
    );
    const counts = new Map(rows.map((row) => [row.key, Number(row.count)]));
    const known = keys.length > 0 ? keys : [...counts.keys()].sort();
    return known.map((key) => ({ key, count: counts.get(key) ?? 0 }));
  }

  /** Tickets opened (or resolved) per calendar month from `fromMonth` (YYYY-MM-01) on. */
  async ticketsPerMonth(column: 'opened_at' | 'resolved_at', fromMonth: string): Promise<Map<string, number>> {
    const month = this.mysql ? `DATE_FORMAT(${column}, '%Y-%m')` : `strftime('%Y-%m', ${column})`;
    const rows: { month: string; count: string | number }[] = await this.dataSource.query(
      `SELECT ${month} AS month, COUNT(*) AS count FROM ticket WHERE ${column} >= ? GROUP BY ${month}`,
      [`${fromMonth} 00:00:00`],
    );
    return new Map(rows.map((row) => [row.month, Number(row.count)]));
  }

  /** `resolved_at` within the period's days (both included, UTC), as SQL and its parameters. */
  private resolvedIn(period: ResolutionPeriod): { where: string; parameters: string[] } {
    const bounds: [string, string][] = [];
    if (period.from) bounds.push(['resolved_at >= ?', `${period.from} 00:00:00`]);
    if (period.to) bounds.push(['resolved_at < ?', `${addDays(period.to, 1)} 00:00:00`]);
    return { where: ['resolved_at IS NOT NULL', ...bounds.map(([condition]) => condition)].join(' AND '), parameters: bounds.map(([, value]) => value) };
  }

  /** Requests resolved within the period (COUNT). */
  async countResolvedTickets(period: ResolutionPeriod): Promise<number> {
    const { where, parameters } = this.resolvedIn(period);
    const [row]: { count: string | number }[] = await this.dataSource.query(`SELECT COUNT(*) AS count FROM ticket WHERE ${where}`, parameters);
    return Number(row.count);
  }

  /**
   * Median hours from opening to resolution over the `resolvedCount` requests resolved within the
   * period (all-time without one): only the middle one or two rows, by LIMIT/OFFSET (the count
   * comes with statsSummary, or countResolvedTickets), instead of ranking every row with window
   * functions (2.6× faster on 3,210 tickets in sql.js). Null when none.
   */
  async medianResolutionHours(resolvedCount: number, period: ResolutionPeriod = {}): Promise<number | null> {
    if (resolvedCount === 0) return null;
    const hours = this.mysql ? 'TIMESTAMPDIFF(SECOND, opened_at, resolved_at) / 3600.0' : '(julianday(resolved_at) - julianday(opened_at)) * 24.0';
    const { where, parameters } = this.resolvedIn(period);
    const rows: { hours: string | number }[] = await this.dataSource.query(
      `SELECT ${hours} AS hours FROM ticket WHERE ${where} ORDER BY hours LIMIT ? OFFSET ?`,
      [...parameters, 2 - (resolvedCount % 2), Math.floor((resolvedCount - 1) / 2)],
    );
    if (rows.length === 0) return null;
    const median = rows.reduce((sum, row) => sum + Number(row.hours), 0) / rows.length;
    return Math.round(median * 10) / 10;
  }

  /** Each contract's service levels, P1 first. */
  serviceLevelsByContractIds(contractIds: readonly number[]): Promise<ContractServiceLevel[]> {
    return this.dataSource
      .getRepository(ContractServiceLevelEntity)
      .find({ where: { contractId: In([...contractIds]) }, order: { contractId: 'ASC', priority: 'ASC' } });
  }

  /**
   * Requests (alias `ticket`, those matching `where` over alias `t`) joined with their service
   * levels (alias `sl`): those of its priority in the agreement of its library in force on the
   * day it was opened (not a DRAFT; of two, the one that started last). The agreement is looked up
   * once per request, then its level by the unique index (contract_id, priority).
   */
  private static termsFrom(where: string): string {
    return `(SELECT t.id, t.priority, t.type, t.opened_at, t.resolved_at, t.first_response_at,
        (SELECT c.id FROM contract c
         WHERE c.library_id = t.library_id AND c.status <> 'DRAFT' AND c.starts_on <= DATE(t.opened_at) AND c.ends_on >= DATE(t.opened_at)
         ORDER BY c.starts_on DESC, c.id DESC LIMIT 1) AS contract_id
      FROM ticket t WHERE ${where}) ticket
      JOIN contract_service_level sl ON sl.contract_id = ticket.contract_id AND sl.priority = ticket.priority`;
  }

  /** A moment `hoursColumn` hours after the request was opened, as the database stores moments (comparable with its datetime columns). */
  private dueSql(hoursColumn: string): string {
    return this.mysql
      ? `DATE_ADD(ticket.opened_at, INTERVAL ${hoursColumn} HOUR)`
      : `strftime('%Y-%m-%d %H:%M:%f', ticket.opened_at, '+' || ${hoursColumn} || ' hours')`;
  }

  /** A moment as a parameter compared with datetime columns. */
  private moment(at: Date): string {
    const iso = at.toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, this.mysql ? 19 : 23)}`;
  }

  /** The terms that apply to each of these requests, in one statement; a request without any is left out. */
  async termsByTicketIds(ticketIds: readonly number[]): Promise<TicketTerms[]> {
    const rows: { ticketId: number | string; responseHours: number | string; resolutionHours: number | string }[] = await this.dataSource.query(
      `SELECT ticket.id AS ticketId, sl.response_hours AS responseHours, sl.resolution_hours AS resolutionHours
       FROM ${PoiRepository.termsFrom(`t.id IN (${ticketIds.map(() => '?').join(', ')})`)}`,
      [...ticketIds],
    );
    return rows.map((row) => ({ ticketId: Number(row.ticketId), responseHours: Number(row.responseHours), resolutionHours: Number(row.resolutionHours) }));
  }

  /**
   * Service-level compliance per month of the resolution due moment, from `fromMonth` (YYYY-MM-01)
   * up to `untilMonth` (exclusive), in one GROUP BY: a request counts once its outcome is known
   * (resolved, or its resolution due before `now`), and met the levels when its first response
   * (else its resolution) came by the response due moment and its resolution by the resolution
   * due moment.
   */
  async slaCompliance(fromMonth: string, untilMonth: string, now: Date, selection: SlaSelection): Promise<Map<string, SlaCounts>> {
    const responseDue = this.dueSql('sl.response_hours');
    const resolutionDue = this.dueSql('sl.resolution_hours');
    const month = this.mysql ? `DATE_FORMAT(${resolutionDue}, '%Y-%m')` : `substr(${resolutionDue}, 1, 7)`;
    // The selection narrows the requests before their agreements are looked up.
    const selected = ['1 = 1'];
    const params: unknown[] = [];
    for (const [column, values] of [
      ['t.type', selection.type],
      ['t.priority', selection.priority],
    ] as const) {
      if (!values?.length) continue;
      const distinct = [...new Set(values)];
      selected.push(`${column} IN (${distinct.map(() => '?').join(', ')})`);
      params.push(...distinct);
    }
    params.push(this.moment(now), `${fromMonth} 00:00:00`, `${untilMonth} 00:00:00`);
    const rows: { month: string; due: number | string; met: number | string | null }[] = await this.dataSource.query(
      `SELECT ${month} AS month, COUNT(*) AS due,
         SUM(CASE WHEN COALESCE(ticket.first_response_at, ticket.resolved_at) <= ${responseDue} AND ticket.resolved_at <= ${resolutionDue} THEN 1 ELSE 0 END) AS met
       FROM ${PoiRepository.termsFrom(selected.join(' AND '))}
       WHERE (ticket.resolved_at IS NOT NULL OR ${resolutionDue} < ?) AND ${resolutionDue} >= ? AND ${resolutionDue} < ?
       GROUP BY ${month}`,
      params,
    );
    return new Map(rows.map((row) => [row.month, { due: Number(row.due), met: Number(row.met ?? 0) }]));
  }

  /** Active contracts that end on or after `from` and before `until`. */
  async countContractsEnding(from: string, until: string): Promise<number> {
    return this.contractQuery({ status: 'ACTIVE', endsAfter: from, endsBefore: until }).getCount();
  }
}
