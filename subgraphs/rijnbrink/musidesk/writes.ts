import { GraphQLError } from 'graphql';
import type { DataSource, EntityManager } from 'typeorm';
import { writeTransaction } from '../../../shared/idempotency';
import { Checks, invalidInput } from '../../../shared/validation';
import { Actor, audit, diff, updateVersioned } from '../../../shared/versioned-writes';
import { ENSEMBLE_TYPES, SheetMusicEntity, SheetMusicLoan, SheetMusicLoanEntity } from './entities';
import type { RijnbrinkLendSheetMusicInput, RijnbrinkReturnSheetMusicInput } from '../generated/resolvers';

/** What the audit trail calls a loan (`RijnbrinkMusideskAuditEntity`). */
const LOAN = 'SHEET_MUSIC_LOAN';
/** The most sets one loan may take. */
export const MAX_SETS_PER_LOAN = 50;

const wholeId = (id: string) => (/^\d{1,9}$/.test(id) ? Number(id) : null);

/**
 * Musidesk's writes: validated first (BAD_USER_INPUT with field paths), then one transaction
 * (the kit's write transaction, so an Idempotency-Key makes a retry answer the first result)
 * that changes the rows and records each change in the POI's audit trail.
 */
export class MusideskWrites {
  constructor(private readonly dataSource: DataSource) {}

  /** Lends sets of one title to an ensemble, if that many sets are in (not out on other loans). */
  async lend(input: RijnbrinkLendSheetMusicInput, actor: Actor, today: string): Promise<SheetMusicLoan> {
    const lentOn = input.lentOn ?? today;
    const checks = new Checks();
    if (wholeId(input.sheetMusicId) === null) checks.fail('sheetMusicId', 'is not a title of the Musidesk collection');
    checks.text('ensembleName', input.ensembleName, 200);
    checks.oneOf('ensembleType', input.ensembleType, ENSEMBLE_TYPES);
    checks.text('place', input.place, 100);
    checks.wholeNumber('sets', input.sets, 1, MAX_SETS_PER_LOAN);
    checks.date('lentOn', lentOn);
    if (lentOn > today) checks.fail('lentOn', `must not be after today (${today})`);
    checks.date('dueOn', input.dueOn);
    checks.order('dueOn', lentOn, input.dueOn, 'must be after lentOn');
    checks.throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      await this.requireSetsIn(manager, wholeId(input.sheetMusicId)!, input.sets);
      const row = {
        sheetMusicId: wholeId(input.sheetMusicId)!,
        ensembleName: input.ensembleName.trim(),
        ensembleType: input.ensembleType,
        place: input.place.trim(),
        sets: input.sets,
        lentOn,
        dueOn: input.dueOn,
      };
      const { identifiers } = await manager.insert(SheetMusicLoanEntity, row);
      await audit(manager, actor, LOAN, identifiers[0].id, 'CREATE', diff(null, row));
      return manager.findOneByOrFail(SheetMusicLoanEntity, { id: identifiers[0].id });
    });
  }

  /**
   * Refuses a title that does not exist or has fewer than `sets` sets in. On MySQL the title's row
   * is locked until the transaction ends, so two loans at once cannot both take the last set (the
   * embedded database runs one transaction at a time anyway).
   */
  private async requireSetsIn(manager: EntityManager, sheetMusicId: number, sets: number): Promise<void> {
    const query = manager.createQueryBuilder(SheetMusicEntity, 'music').where('music.id = :id', { id: sheetMusicId });
    if (manager.connection.options.type === 'mysql') query.setLock('pessimistic_write');
    const music = await query.getOne();
    if (!music) throw invalidInput([{ field: 'input.sheetMusicId', message: 'is not a title of the Musidesk collection' }]);
    const { setsOut } = (await manager
      .createQueryBuilder(SheetMusicLoanEntity, 'loan')
      .select('COALESCE(SUM(loan.sets), 0)', 'setsOut')
      .where('loan.sheet_music_id = :id AND loan.returned_on IS NULL', { id: sheetMusicId })
      .getRawOne()) as { setsOut: string | number };
    const available = music.sets - Number(setsOut);
    if (sets > available) throw invalidInput([{ field: 'input.sets', message: `only ${available} of the ${music.sets} sets of "${music.title}" are in` }]);
  }

  /** Records the return of a loan's sets; refuses a loan changed since it was read (CONFLICT). */
  async return(id: string, input: RijnbrinkReturnSheetMusicInput, actor: Actor, today: string): Promise<SheetMusicLoan> {
    const checks = new Checks();
    checks.date('returnedOn', input.returnedOn);
    if (input.returnedOn > today) checks.fail('returnedOn', `must not be after today (${today})`);
    checks.throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      const loanId = wholeId(id);
      const loan = loanId === null ? null : await manager.findOneBy(SheetMusicLoanEntity, { id: loanId });
      if (!loan) throw new GraphQLError(`Loan ${id} does not exist in Musidesk`, { extensions: { code: 'NOT_FOUND' } });
      if (loan.returnedOn) throw invalidInput([{ field: 'id', message: `loan was already returned on ${loan.returnedOn}` }]);
      if (input.returnedOn < loan.lentOn) throw invalidInput([{ field: 'input.returnedOn', message: `must not be before the loan started (${loan.lentOn})` }]);
      return updateVersioned(manager, SheetMusicLoanEntity, LOAN, loan, input.expectedVersion, { returnedOn: input.returnedOn }, actor);
    });
  }
}
