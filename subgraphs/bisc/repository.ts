import { DataSource, In } from 'typeorm';
import type { PageRequest, Sorted, SortOrder } from '../../shared/graphql/connection';
import { Branch, BranchEntity } from '../../poi-kit/entities';
import { applyKeyset, KeyCount, withSortValues } from '../../poi-kit/repository';
import { InterlibraryLoan, InterlibraryLoanEntity, LOAN_STATUSES, TransportRun, TransportRunEntity, TransportStop, TransportStopEntity } from './entities';
import type { BiscInterlibraryLoanFilter, BiscTransportRunFilter } from './generated/resolvers';

export const RUN_ORDER: SortOrder = { key: 'bisc-run.RUN_ON.ASC', sql: 'run.run_on', direction: 'ASC' };
export const LOAN_ORDER: SortOrder = { key: 'bisc-loan.REQUESTED_AT.DESC', sql: 'loan.requested_at', direction: 'DESC' };

const distinct = <T>(values: T[]) => [...new Set(values)];
/** Ids are whole numbers; anything else matches nothing. */
const idOrNothing = (id: string) => (/^\d{1,9}$/.test(id) ? Number(id) : -1);

/** All SQL of BiSC's interlibrary-loan transport. Every method is one statement; batch methods take many keys. */
export class IblRepository {
  private readonly mysql: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.mysql = dataSource.options.type === 'mysql';
  }

  private runQuery(filter: BiscTransportRunFilter) {
    const qb = this.dataSource.getRepository(TransportRunEntity).createQueryBuilder('run');
    if (filter.from) qb.andWhere('run.run_on >= :from', { from: filter.from });
    if (filter.until) qb.andWhere('run.run_on <= :until', { until: filter.until });
    if (filter.status?.length) qb.andWhere('run.status IN (:...statuses)', { statuses: distinct(filter.status) });
    return qb;
  }

  pageRuns(filter: BiscTransportRunFilter, page: PageRequest): Promise<Sorted<TransportRun>[]> {
    return withSortValues(applyKeyset(this.runQuery(filter), 'run', RUN_ORDER, page).limit(page.first + 1), 'run', RUN_ORDER.sql);
  }

  countRuns(filter: BiscTransportRunFilter): Promise<number> {
    return this.runQuery(filter).getCount();
  }

  private loanQuery(filter: BiscInterlibraryLoanFilter) {
    const qb = this.dataSource.getRepository(InterlibraryLoanEntity).createQueryBuilder('loan');
    if (filter.status?.length) qb.andWhere('loan.status IN (:...statuses)', { statuses: distinct(filter.status) });
    if (filter.libraryId) {
      const ofLibrary = 'SELECT branch.id FROM branch WHERE branch.library_id = :libraryId';
      qb.andWhere(`(loan.lending_branch_id IN (${ofLibrary}) OR loan.requesting_branch_id IN (${ofLibrary}))`, { libraryId: idOrNothing(filter.libraryId) });
    }
    if (filter.requestedAfter) qb.andWhere('loan.requested_at >= :requestedAfter', { requestedAfter: filter.requestedAfter });
    if (filter.requestedBefore) qb.andWhere('loan.requested_at < :requestedBefore', { requestedBefore: filter.requestedBefore });
    return qb;
  }

  pageLoans(filter: BiscInterlibraryLoanFilter, page: PageRequest): Promise<Sorted<InterlibraryLoan>[]> {
    return withSortValues(applyKeyset(this.loanQuery(filter), 'loan', LOAN_ORDER, page).limit(page.first + 1), 'loan', LOAN_ORDER.sql);
  }

  countLoans(filter: BiscInterlibraryLoanFilter): Promise<number> {
    return this.loanQuery(filter).getCount();
  }

  stopsByRunIds(runIds: readonly number[]): Promise<TransportStop[]> {
    return this.dataSource.getRepository(TransportStopEntity).find({ where: { runId: In([...runIds]) }, order: { runId: 'ASC', sequence: 'ASC' } });
  }

  runsByIds(ids: readonly number[]): Promise<TransportRun[]> {
    return this.dataSource.getRepository(TransportRunEntity).findBy({ id: In([...ids]) });
  }

  branchesByIds(ids: readonly number[]): Promise<Branch[]> {
    return this.dataSource.getRepository(BranchEntity).findBy({ id: In([...ids]) });
  }

  /** Loans carried per run, for many runs in one GROUP BY. */
  async loanCountsByRunIds(runIds: readonly number[]): Promise<Map<number, number>> {
    const rows: { runId: number; count: string | number }[] = await this.dataSource
      .getRepository(InterlibraryLoanEntity)
      .createQueryBuilder('loan')
      .select('loan.run_id', 'runId')
      .addSelect('COUNT(*)', 'count')
      .where('loan.run_id IN (:...runIds)', { runIds })
      .groupBy('loan.run_id')
      .getRawMany();
    return new Map(rows.map((row) => [Number(row.runId), Number(row.count)]));
  }

  /** Loans per status, every status present. */
  async loansByStatus(): Promise<KeyCount[]> {
    const rows: { status: string; count: string | number }[] = await this.dataSource.query(
      'SELECT status, COUNT(*) AS count FROM bisc_interlibrary_loan GROUP BY status',
    );
    const counts = new Map(rows.map((row) => [row.status, Number(row.count)]));
    return LOAN_STATUSES.map((key) => ({ key, count: counts.get(key) ?? 0 }));
  }

  /** Delivered loans per calendar month of delivery, from `fromMonth` (YYYY-MM-01) on. */
  async deliveredPerMonth(fromMonth: string): Promise<Map<string, number>> {
    const month = this.mysql ? "DATE_FORMAT(delivered_at, '%Y-%m')" : "strftime('%Y-%m', delivered_at)";
    const rows: { month: string; count: string | number }[] = await this.dataSource.query(
      `SELECT ${month} AS month, COUNT(*) AS count FROM bisc_interlibrary_loan WHERE status = 'DELIVERED' AND delivered_at >= ? GROUP BY ${month}`,
      [`${fromMonth} 00:00:00`],
    );
    return new Map(rows.map((row) => [row.month, Number(row.count)]));
  }

  /** Delivered loans, and those of them delivered on or before their due day. */
  async deliveries(): Promise<{ delivered: number; onTime: number }> {
    const [row] = await this.dataSource.query(
      `SELECT COUNT(*) AS delivered, COALESCE(SUM(CASE WHEN DATE(delivered_at) <= due_on THEN 1 ELSE 0 END), 0) AS onTime
         FROM bisc_interlibrary_loan WHERE status = 'DELIVERED'`,
    );
    return { delivered: Number(row.delivered), onTime: Number(row.onTime) };
  }
}
