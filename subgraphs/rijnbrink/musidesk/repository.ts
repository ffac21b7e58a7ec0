import { DataSource, In } from 'typeorm';
import type { PageRequest, Sorted, SortOrder } from '../../../shared/graphql/connection';
import { applyKeyset, containsPattern, withSortValues } from '../../../poi-kit/repository';
import type { KeyCount } from '../../../poi-kit/repository';
import { ENSEMBLE_TYPES, SheetMusic, SheetMusicEntity, SheetMusicLoan, SheetMusicLoanEntity } from './entities';
import type { RijnbrinkSheetMusicFilter, RijnbrinkSheetMusicLoanFilter } from '../generated/resolvers';

export interface MusideskSummary {
  sheetMusicCount: number;
  setCount: number;
  setsOnLoan: number;
  openLoanCount: number;
  overdueLoanCount: number;
}

/** The sort orders of Musidesk's lists; ties are broken by id (see applyKeyset). */
export const MUSIDESK_ORDERS = {
  sheetMusic: { key: 'sheetMusic.TITLE.ASC', sql: 'music.title', direction: 'ASC' },
  loans: { key: 'loan.LENT_ON.DESC', sql: 'loan.lent_on', direction: 'DESC' },
} as const satisfies Record<string, SortOrder>;

/** Text no title could contain (too long, or with a NUL the embedded database would cut at) matches nothing. */
const impossible = (text: string) => text.length > 500 || text.includes('\u0000');
const idOrNothing = (id: string) => (/^\d{1,9}$/.test(id) ? Number(id) : -1);
const OPEN_SETS = 'SELECT COALESCE(SUM(lent.sets), 0) FROM rijnbrink_sheet_music_loan lent WHERE lent.sheet_music_id = music.id AND lent.returned_on IS NULL';

/** All SQL of Musidesk. Every method is one statement; batch methods take many keys. */
export class MusideskRepository {
  constructor(private readonly dataSource: DataSource) {}

  private sheetMusicQuery(filter: RijnbrinkSheetMusicFilter) {
    const qb = this.dataSource.getRepository(SheetMusicEntity).createQueryBuilder('music');
    if (filter.ensembleType?.length) qb.andWhere('music.ensemble_type IN (:...types)', { types: [...new Set(filter.ensembleType)] });
    if ((filter.instrumentation && impossible(filter.instrumentation)) || (filter.search && impossible(filter.search))) qb.andWhere('1 = 0');
    if (filter.instrumentation) qb.andWhere('LOWER(music.instrumentation) = LOWER(:instrumentation)', { instrumentation: filter.instrumentation.trim() });
    if (filter.search) {
      qb.andWhere("(LOWER(music.title) LIKE LOWER(:search) ESCAPE '!' OR LOWER(music.composer) LIKE LOWER(:search) ESCAPE '!')", {
        search: containsPattern(filter.search.trim()),
      });
    }
    if (filter.available !== undefined && filter.available !== null) qb.andWhere(`music.sets ${filter.available ? '>' : '<='} (${OPEN_SETS})`);
    return qb;
  }

  pageSheetMusic(filter: RijnbrinkSheetMusicFilter, page: PageRequest): Promise<Sorted<SheetMusic>[]> {
    const sort = MUSIDESK_ORDERS.sheetMusic;
    return withSortValues(applyKeyset(this.sheetMusicQuery(filter), 'music', sort, page).limit(page.first + 1), 'music', sort.sql);
  }

  countSheetMusic(filter: RijnbrinkSheetMusicFilter): Promise<number> {
    return this.sheetMusicQuery(filter).getCount();
  }

  sheetMusicByIds(ids: readonly number[]): Promise<SheetMusic[]> {
    return this.dataSource.getRepository(SheetMusicEntity).findBy({ id: In([...ids]) });
  }

  /** The open loans of many titles, oldest first. */
  openLoansBySheetMusicIds(ids: readonly number[]): Promise<SheetMusicLoan[]> {
    return this.dataSource
      .getRepository(SheetMusicLoanEntity)
      .createQueryBuilder('loan')
      .where('loan.sheet_music_id IN (:...ids)', { ids })
      .andWhere('loan.returned_on IS NULL')
      .orderBy('loan.lent_on', 'ASC')
      .addOrderBy('loan.id', 'ASC')
      .getMany();
  }

  private loanQuery(filter: RijnbrinkSheetMusicLoanFilter, today: string) {
    const qb = this.dataSource.getRepository(SheetMusicLoanEntity).createQueryBuilder('loan');
    if (filter.ensembleType?.length) qb.andWhere('loan.ensemble_type IN (:...types)', { types: [...new Set(filter.ensembleType)] });
    if (filter.open !== undefined && filter.open !== null) qb.andWhere(`loan.returned_on IS ${filter.open ? '' : 'NOT '}NULL`);
    if (filter.overdue !== undefined && filter.overdue !== null) {
      qb.andWhere(`${filter.overdue ? '' : 'NOT '}(loan.returned_on IS NULL AND loan.due_on < :today)`, { today });
    }
    if (filter.sheetMusicId) qb.andWhere('loan.sheet_music_id = :sheetMusicId', { sheetMusicId: idOrNothing(filter.sheetMusicId) });
    return qb;
  }

  pageLoans(filter: RijnbrinkSheetMusicLoanFilter, today: string, page: PageRequest): Promise<Sorted<SheetMusicLoan>[]> {
    const sort = MUSIDESK_ORDERS.loans;
    return withSortValues(applyKeyset(this.loanQuery(filter, today), 'loan', sort, page).limit(page.first + 1), 'loan', sort.sql);
  }

  countLoans(filter: RijnbrinkSheetMusicLoanFilter, today: string): Promise<number> {
    return this.loanQuery(filter, today).getCount();
  }

  /** The headline figures in one statement; a loan is overdue when it is out and was due before `today`. */
  async summary(today: string): Promise<MusideskSummary> {
    const [row] = await this.dataSource.query(
      `SELECT
         (SELECT COUNT(*) FROM rijnbrink_sheet_music) AS sheetMusicCount,
         (SELECT COALESCE(SUM(sets), 0) FROM rijnbrink_sheet_music) AS setCount,
         (SELECT COALESCE(SUM(sets), 0) FROM rijnbrink_sheet_music_loan WHERE returned_on IS NULL) AS setsOnLoan,
         (SELECT COUNT(*) FROM rijnbrink_sheet_music_loan WHERE returned_on IS NULL) AS openLoanCount,
         (SELECT COUNT(*) FROM rijnbrink_sheet_music_loan WHERE returned_on IS NULL AND due_on < ?) AS overdueLoanCount`,
      [today],
    );
    return {
      sheetMusicCount: Number(row.sheetMusicCount),
      setCount: Number(row.setCount),
      setsOnLoan: Number(row.setsOnLoan),
      openLoanCount: Number(row.openLoanCount),
      overdueLoanCount: Number(row.overdueLoanCount),
    };
  }

  /** Loans per ensemble type, all and open ones, in one GROUP BY; every type present. */
  async loansByEnsembleType(): Promise<{ all: KeyCount[]; open: KeyCount[] }> {
    const rows: { type: string; total: string | number; openCount: string | number }[] = await this.dataSource.query(
      `SELECT ensemble_type AS type, COUNT(*) AS total, COALESCE(SUM(CASE WHEN returned_on IS NULL THEN 1 ELSE 0 END), 0) AS openCount
       FROM rijnbrink_sheet_music_loan GROUP BY ensemble_type`,
    );
    const byType = new Map(rows.map((row) => [row.type, row]));
    const counts = (column: 'total' | 'openCount') => ENSEMBLE_TYPES.map((key) => ({ key, count: Number(byType.get(key)?.[column] ?? 0) }));
    return { all: counts('total'), open: counts('openCount') };
  }
}
