import { GraphQLError } from 'graphql';
import { DataSource, EntityManager } from 'typeorm';
import { Checks, invalidInput } from '../../../shared/validation';
import type { Poi } from '../../../shared/registry';
import { Actor, audit, diff, updateVersioned } from '../../../shared/versioned-writes';
import { writeTransaction } from '../../../shared/idempotency';
import { checkWiseSettings, toColumns } from '../../../shared/wise-settings';
import {
  HARMONISATION_STANDARD_ID,
  HarmonisationStandardEntity,
  HarmonisationStandardRow,
  NetworkAgendaGoalEntity,
  WORK_AGENDA_STATUSES,
  WORK_AGENDA_THEMES,
  WorkAgendaItem,
  WorkAgendaItemEntity,
  WorkAgendaParticipantEntity,
} from './entities';
import type { HarmonisationStandardInput, WorkAgendaItemInput, WorkAgendaItemUpdateInput } from '../generated/resolvers';

/** Writes to the work agenda: validated, one transaction each, versioned and audited. */
export class CollaborationWrites {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pois: readonly Poi[],
  ) {}

  private check(input: WorkAgendaItemInput | WorkAgendaItemUpdateInput, creating: boolean): Checks {
    const checks = new Checks();
    if (creating && !('id' in input && /^WA-\d{4}-\d{2}$/.test(input.id))) checks.fail('id', 'must look like WA-2026-02');
    checks.text('title', input.title, 200, creating);
    checks.text('description', input.description, 5000, creating);
    checks.oneOf('theme', input.theme, WORK_AGENDA_THEMES, creating);
    checks.oneOf('status', input.status, WORK_AGENDA_STATUSES, false);
    checks.date('dueOn', input.dueOn, false);
    const codes = this.pois.map((p) => p.code);
    if (creating || input.ownerCode !== undefined) checks.oneOf('ownerCode', input.ownerCode?.toUpperCase(), codes);
    (input.participantCodes ?? []).forEach((code, i) => checks.oneOf(`participantCodes[${i}]`, code.toUpperCase(), codes));
    return checks;
  }

  private async goalId(manager: EntityManager, code: string | null | undefined): Promise<number | null | undefined> {
    if (code === undefined) return undefined;
    if (code === null) return null;
    const goal = await manager.findOneBy(NetworkAgendaGoalEntity, { code });
    if (!goal) {
      throw invalidInput([{ field: 'input.goalCode', message: 'is not a network-agenda goal' }]);
    }
    return goal.id;
  }

  private async setParticipants(manager: EntityManager, itemId: string, owner: string, codes: string[]) {
    const wanted = [...new Set([owner, ...codes.map((c) => c.toUpperCase())])].sort();
    await manager.delete(WorkAgendaParticipantEntity, { itemId });
    await manager.insert(WorkAgendaParticipantEntity, wanted.map((poiCode) => ({ itemId, poiCode })));
    return wanted;
  }

  async create(input: WorkAgendaItemInput, actor: Actor): Promise<WorkAgendaItem> {
    this.check(input, true).throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      if (await manager.findOneBy(WorkAgendaItemEntity, { id: input.id })) {
        throw invalidInput([{ field: 'input.id', message: 'already exists' }]);
      }
      const row = {
        id: input.id,
        title: input.title.trim(),
        description: input.description.trim(),
        theme: input.theme,
        status: input.status ?? 'PLANNED',
        dueOn: input.dueOn ?? null,
        ownerCode: input.ownerCode.toUpperCase(),
        goalId: (await this.goalId(manager, input.goalCode ?? null)) ?? null,
      };
      await manager.insert(WorkAgendaItemEntity, row);
      const participants = await this.setParticipants(manager, row.id, row.ownerCode, input.participantCodes);
      await audit(manager, actor, 'WORK_AGENDA_ITEM', row.id, 'CREATE', diff(null, { ...row, participants }));
      return manager.findOneByOrFail(WorkAgendaItemEntity, { id: row.id });
    });
  }

  async update(id: string, input: WorkAgendaItemUpdateInput, actor: Actor): Promise<WorkAgendaItem> {
    this.check(input, false).throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      const item = await manager.findOneBy(WorkAgendaItemEntity, { id });
      if (!item) throw new GraphQLError(`Work-agenda item ${id} does not exist`, { extensions: { code: 'NOT_FOUND' } });
      const updated = await updateVersioned(
        manager,
        WorkAgendaItemEntity,
        'WORK_AGENDA_ITEM',
        item,
        input.expectedVersion,
        {
          title: input.title?.trim(),
          description: input.description?.trim(),
          theme: input.theme ?? undefined,
          status: input.status ?? undefined,
          dueOn: input.dueOn,
          ownerCode: input.ownerCode?.toUpperCase(),
          goalId: await this.goalId(manager, input.goalCode),
        },
        actor,
      );
      if (input.participantCodes) {
        const before = (await manager.findBy(WorkAgendaParticipantEntity, { itemId: id })).map((p) => p.poiCode).sort();
        const after = await this.setParticipants(manager, id, updated.ownerCode ?? '', input.participantCodes);
        if (JSON.stringify(before) !== JSON.stringify(after)) {
          await audit(manager, actor, 'WORK_AGENDA_ITEM', id, 'UPDATE', { participants: { from: before, to: after } });
        }
      }
      return updated;
    });
  }

  /**
   * Changes the agreed standard: each setting given takes its new value and `agreedOn` as the day
   * it was agreed; settings left out keep theirs. The first standard (none yet) needs every setting.
   */
  async setHarmonisationStandard(input: HarmonisationStandardInput, actor: Actor): Promise<HarmonisationStandardRow> {
    const checks = new Checks();
    checks.date('agreedOn', input.agreedOn);
    const valueChecks = new Checks('input.values');
    checkWiseSettings(valueChecks, input.values, false);
    checks.problems.push(...valueChecks.problems);
    checks.throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      const current = await manager.findOneBy(HarmonisationStandardEntity, { id: HARMONISATION_STANDARD_ID });
      const values = toColumns(input.values);
      const agreed = (given: unknown) => (given === undefined ? undefined : input.agreedOn);
      const next: Partial<HarmonisationStandardRow> = {
        ...values,
        loanPeriodAgreedOn: agreed(values.loanPeriodDays),
        reservationFeeAgreedOn: agreed(values.reservationFeeCents),
        membershipFeeTypesAgreedOn: agreed(values.membershipFeeTypes),
        finePolicyAgreedOn: agreed(values.finePolicy),
      };
      if (!current) {
        const first = new Checks('input.values');
        checkWiseSettings(first, input.values, true);
        first.throwIfAny();
        const row = { id: HARMONISATION_STANDARD_ID, ...next } as HarmonisationStandardRow;
        await manager.insert(HarmonisationStandardEntity, row);
        await audit(manager, actor, 'HARMONISATION_STANDARD', row.id, 'CREATE', diff(null, row));
        return manager.findOneByOrFail(HarmonisationStandardEntity, { id: row.id });
      }
      if (input.expectedVersion === undefined || input.expectedVersion === null) {
        throw invalidInput([{ field: 'input.expectedVersion', message: 'is required when a standard exists' }]);
      }
      return updateVersioned(manager, HarmonisationStandardEntity, 'HARMONISATION_STANDARD', current, input.expectedVersion, next, actor);
    });
  }
}
