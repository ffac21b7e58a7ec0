import { DataSource, In, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { PageRequest, SortOrder } from '../graphql/connection';
import type { Province } from '../registry';
import {
  Branch,
  BranchEntity,
  Contract,
  ContractEntity,
  KnowledgeArticle,
  KnowledgeArticleEntity,
  Library,
  LibraryEntity,
  OPEN_TICKET_STATUSES,
  Ticket,
  TicketEntity,
  TICKET_STATUSES,
  VendorContract,
  VendorContractEntity,
} from './entities';

export interface LibraryFilter {
  province?: Province | null;
  municipality?: string | null;
  nameContains?: string | null;
}

export interface StatsSummary {
  libraryCount: number;
  branchCount: number;
  memberCount: number;
  activeContractCount: number;
  openTicketCount: number;
}

export const LIBRARY_ORDER: SortOrder<Library> = { property: 'name', direction: 'ASC', kind: 'text' };
export const CONTRACT_ORDER: SortOrder<Contract> = { property: 'id', direction: 'ASC', kind: 'number' };
export const TICKET_ORDER: SortOrder<Ticket> = { property: 'openedAt', direction: 'DESC', kind: 'datetime' };
export const KNOWLEDGE_ORDER: SortOrder<KnowledgeArticle> = { property: 'updatedAt', direction: 'DESC', kind: 'datetime' };

/** `LIKE` pattern for "contains", with the user's wildcards taken literally ('!' escapes in both databases). */
function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Orders by the sort property then id, and starts after the cursor row. */
function applyKeyset<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, sort: SortOrder<T>, page: PageRequest) {
  const column = `${alias}.${sort.property}`;
  const comparison = sort.direction === 'ASC' ? '>' : '<';
  if (page.after) {
    qb.andWhere(`(${column} ${comparison} :cursorValue OR (${column} = :cursorValue AND ${alias}.id ${comparison} :cursorId))`, {
      cursorValue: page.after.value,
      cursorId: page.after.id,
    });
  }
  return qb.orderBy(column, sort.direction).addOrderBy(`${alias}.id`, sort.direction);
}

/** All SQL of a POI subgraph. Every method is one statement; batch methods take many keys. */
export class PoiRepository {
  constructor(private readonly dataSource: DataSource) {}

  private libraryQuery(filter: LibraryFilter) {
    const qb = this.dataSource.getRepository(LibraryEntity).createQueryBuilder('library');
    if (filter.province) qb.andWhere('library.province = :province', { province: filter.province });
    if (filter.municipality) {
      qb.andWhere("library.municipalities LIKE :municipality ESCAPE '!'", {
        municipality: containsPattern(JSON.stringify(filter.municipality)),
      });
    }
    if (filter.nameContains) {
      qb.andWhere("LOWER(library.name) LIKE LOWER(:name) ESCAPE '!'", { name: containsPattern(filter.nameContains) });
    }
    return qb;
  }

  pageLibraries(filter: LibraryFilter, page: PageRequest): Promise<Library[]> {
    return applyKeyset(this.libraryQuery(filter), 'library', LIBRARY_ORDER, page).limit(page.first + 1).getMany();
  }

  countLibraries(filter: LibraryFilter): Promise<number> {
    return this.libraryQuery(filter).getCount();
  }

  librariesByIds(ids: readonly number[]): Promise<Library[]> {
    return this.dataSource.getRepository(LibraryEntity).findBy({ id: In([...ids]) });
  }

  branchesByLibraryIds(libraryIds: readonly number[]): Promise<Branch[]> {
    return this.dataSource
      .getRepository(BranchEntity)
      .find({ where: { libraryId: In([...libraryIds]) }, order: { isMain: 'DESC', name: 'ASC', id: 'ASC' } });
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

  pageContracts(page: PageRequest): Promise<Contract[]> {
    const qb = this.dataSource.getRepository(ContractEntity).createQueryBuilder('contract');
    return applyKeyset(qb, 'contract', CONTRACT_ORDER, page).limit(page.first + 1).getMany();
  }

  countContracts(): Promise<number> {
    return this.dataSource.getRepository(ContractEntity).count();
  }

  vendorContracts(): Promise<VendorContract[]> {
    return this.dataSource.getRepository(VendorContractEntity).find({ order: { startsOn: 'ASC', id: 'ASC' } });
  }

  pageTickets(page: PageRequest): Promise<Ticket[]> {
    const qb = this.dataSource.getRepository(TicketEntity).createQueryBuilder('ticket');
    return applyKeyset(qb, 'ticket', TICKET_ORDER, page).limit(page.first + 1).getMany();
  }

  countTickets(): Promise<number> {
    return this.dataSource.getRepository(TicketEntity).count();
  }

  async ticketCountsByLibraryIds(libraryIds: readonly number[]): Promise<Map<number, number>> {
    const rows: { libraryId: number; count: string | number }[] = await this.dataSource
      .getRepository(TicketEntity)
      .createQueryBuilder('ticket')
      .select('ticket.libraryId', 'libraryId')
      .addSelect('COUNT(*)', 'count')
      .where('ticket.libraryId IN (:...libraryIds)', { libraryIds })
      .groupBy('ticket.libraryId')
      .getRawMany();
    return new Map(rows.map((row) => [Number(row.libraryId), Number(row.count)]));
  }

  /**
   * One page of tickets for each of many libraries in one statement: rows are numbered per
   * library in ticket order, and the first `first + 1` of each library are kept.
   */
  async ticketPagesByLibraryIds(libraryIds: readonly number[], page: PageRequest): Promise<Ticket[]> {
    const ranked = applyKeyset(
      this.dataSource.getRepository(TicketEntity).createQueryBuilder('ticket'),
      'ticket',
      TICKET_ORDER,
      page,
    )
      .select('ticket.id', 'id')
      .addSelect('ROW_NUMBER() OVER (PARTITION BY ticket.library_id ORDER BY ticket.opened_at DESC, ticket.id DESC)', 'position')
      .andWhere('ticket.libraryId IN (:...libraryIds)', { libraryIds })
      .orderBy();
    return this.dataSource
      .getRepository(TicketEntity)
      .createQueryBuilder('ticket')
      .innerJoin(`(${ranked.getQuery()})`, 'ranked', 'ranked.id = ticket.id')
      .where('ranked.position <= :limit', { limit: page.first + 1 })
      .setParameters(ranked.getParameters())
      .orderBy('ticket.openedAt', 'DESC')
      .addOrderBy('ticket.id', 'DESC')
      .getMany();
  }

  private knowledgeQuery(search: string | null | undefined) {
    const qb = this.dataSource.getRepository(KnowledgeArticleEntity).createQueryBuilder('article');
    const words = (search ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
    words.forEach((word, index) => {
      const matches = ['title', 'summary', 'body', 'tags'].map((column) => `LOWER(article.${column}) LIKE LOWER(:word${index}) ESCAPE '!'`);
      qb.andWhere(`(${matches.join(' OR ')})`, { [`word${index}`]: containsPattern(word) });
    });
    return qb;
  }

  pageKnowledgeArticles(search: string | null | undefined, page: PageRequest): Promise<KnowledgeArticle[]> {
    return applyKeyset(this.knowledgeQuery(search), 'article', KNOWLEDGE_ORDER, page).limit(page.first + 1).getMany();
  }

  countKnowledgeArticles(search: string | null | undefined): Promise<number> {
    return this.knowledgeQuery(search).getCount();
  }

  /** The headline figures in one statement. */
  async statsSummary(): Promise<StatsSummary> {
    const open = OPEN_TICKET_STATUSES.map((s) => `'${s}'`).join(', ');
    const [row] = await this.dataSource.query(
      `SELECT
         (SELECT COUNT(*) FROM library) AS libraryCount,
         (SELECT COUNT(*) FROM branch) AS branchCount,
         (SELECT COALESCE(SUM(member_count), 0) FROM library) AS memberCount,
         (SELECT COUNT(*) FROM contract WHERE status = 'ACTIVE') AS activeContractCount,
         (SELECT COUNT(*) FROM ticket WHERE status IN (${open})) AS openTicketCount`,
    );
    return {
      libraryCount: Number(row.libraryCount),
      branchCount: Number(row.branchCount),
      memberCount: Number(row.memberCount),
      activeContractCount: Number(row.activeContractCount),
      openTicketCount: Number(row.openTicketCount),
    };
  }

  async ticketsByStatus(): Promise<{ key: string; count: number }[]> {
    const rows: { status: string; count: string | number }[] = await this.dataSource
      .getRepository(TicketEntity)
      .createQueryBuilder('ticket')
      .select('ticket.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('ticket.status')
      .getRawMany();
    const counts = new Map(rows.map((row) => [row.status, Number(row.count)]));
    return TICKET_STATUSES.map((status) => ({ key: status, count: counts.get(status) ?? 0 }));
  }
}
