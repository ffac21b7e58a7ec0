import { GraphQLError } from 'graphql';
import { DataSource, EntityManager } from 'typeorm';
import { Checks, invalidInput } from '../../../shared/validation';
import type { Poi } from '../../../shared/registry';
import { Actor, audit, diff, updateVersioned } from '../../../shared/versioned-writes';
import { writeTransaction } from '../../../shared/idempotency';
import { checkWiseSettings, toColumns } from '../../../shared/wise-settings';
import {
  Decision,
  DecisionEntity,
  Member,
  MemberEntity,
  HARMONISATION_STANDARD_ID,
  HarmonisationStandardEntity,
  HarmonisationStandardRow,
  NetworkAgendaGoalEntity,
  WORK_AGENDA_STATUSES,
  WORK_AGENDA_THEMES,
  WorkAgendaItem,
  WorkAgendaItemEntity,
  WorkAgendaParticipantEntity,
  WiseRelease,
  WiseReleaseEntity,
} from './entities';
import { PARTNERSHIP_STARTED_ON } from './seed';
import { WISE_RELEASE_STATUSES, WISE_RELEASE_TRANSITIONS, WISE_VERSION_PATTERN, WISE_VERSION_RULE } from '../../../shared/wise-releases';
import type {
  DecisionInput,
  HarmonisationStandardInput,
  MemberInput,
  WiseReleaseInput,
  WiseReleaseUpdateInput,
  WorkAgendaItemInput,
  WorkAgendaItemUpdateInput,
} from '../generated/resolvers';

/** Writes to the work agenda and the governance lists: validated, one transaction each, versioned (agenda items) and audited. */
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
    await manager.insert(
      WorkAgendaParticipantEntity,
      wanted.map((poiCode) => ({ itemId, poiCode })),
    );
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

  /** Records a decision in the besluitenlijst; an id recorded already is refused. */
  async recordDecision(input: DecisionInput, actor: Actor): Promise<Decision> {
    const checks = new Checks();
    if (!/^BL-\d{4}-\d{2}$/.test(input.id)) checks.fail('id', 'must look like BL-2026-01');
    checks.date('decidedOn', input.decidedOn);
    if (typeof input.decidedOn === 'string' && input.decidedOn > new Date().toISOString().slice(0, 10)) checks.fail('decidedOn', 'must not be in the future');
    if (/^BL-\d{4}/.test(input.id) && typeof input.decidedOn === 'string' && input.id.slice(3, 7) !== input.decidedOn.slice(0, 4)) {
      checks.fail('id', `must carry the year decided (BL-${input.decidedOn.slice(0, 4)}-…)`);
    }
    checks.text('title', input.title, 200);
    checks.text('body', input.body, 5000);
    checks.text('decidedBy', input.decidedBy, 100);
    checks.throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      if (await manager.findOneBy(DecisionEntity, { id: input.id })) throw invalidInput([{ field: 'input.id', message: 'is already recorded' }]);
      const row: Decision = {
        id: input.id,
        decidedOn: input.decidedOn,
        title: input.title.trim(),
        body: input.body.trim(),
        decidedBy: input.decidedBy.trim(),
        // Recorded through the API: a real decision, not demo.
        demo: false,
      };
      await manager.insert(DecisionEntity, row);
      await audit(manager, actor, 'DECISION', row.id, 'CREATE', diff(null, row));
      return manager.findOneByOrFail(DecisionEntity, { id: row.id });
    });
  }

  /** Adds a POI, or one library of a POI, as a member; a member recorded already is refused. */
  async addMember(input: MemberInput, actor: Actor): Promise<Member> {
    const checks = new Checks();
    const poiCode = input.poiCode.toUpperCase();
    checks.oneOf(
      'poiCode',
      poiCode,
      this.pois.map((p) => p.code),
    );
    const libraryId = input.libraryId === null || input.libraryId === undefined ? null : input.libraryId;
    if (libraryId !== null && !/^[1-9]\d{0,8}$/.test(libraryId)) checks.fail('libraryId', 'must be a library id of that POI (a whole number)');
    checks.date('joinedOn', input.joinedOn);
    if (typeof input.joinedOn === 'string' && input.joinedOn < PARTNERSHIP_STARTED_ON)
      checks.fail('joinedOn', `must not be before the partnership started (${PARTNERSHIP_STARTED_ON})`);
    checks.throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      const row = { poiCode, libraryId: libraryId === null ? 0 : Number(libraryId), joinedOn: input.joinedOn };
      const existing = await manager.findOneBy(MemberEntity, { poiCode, libraryId: row.libraryId });
      if (existing) {
        throw invalidInput([{ field: row.libraryId === 0 ? 'input.poiCode' : 'input.libraryId', message: `is a member already (since ${existing.joinedOn})` }]);
      }
      const { identifiers } = await manager.insert(MemberEntity, row);
      const id = identifiers[0].id as number;
      await audit(manager, actor, 'MEMBER', id, 'CREATE', diff(null, row));
      return manager.findOneByOrFail(MemberEntity, { id });
    });
  }

  private checkRelease(input: WiseReleaseInput | WiseReleaseUpdateInput, creating: boolean): Checks {
    const checks = new Checks();
    if (creating && !('version' in input && typeof input.version === 'string' && WISE_VERSION_PATTERN.test(input.version)))
      checks.fail('version', WISE_VERSION_RULE);
    checks.date('releasedOn', input.releasedOn, creating);
    checks.oneOf('status', input.status, WISE_RELEASE_STATUSES, false);
    checks.text('notes', input.notes, 2000, creating);
    return checks;
  }

  /** Adds a release to the planning (audited as WISE_RELEASE, with its version among the changes). */
  async createRelease(input: WiseReleaseInput, actor: Actor): Promise<WiseRelease> {
    this.checkRelease(input, true).throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      if (await manager.findOneBy(WiseReleaseEntity, { wiseVersion: input.version })) {
        throw invalidInput([{ field: 'input.version', message: 'already exists' }]);
      }
      const row = { wiseVersion: input.version, releasedOn: input.releasedOn, status: input.status ?? 'ANNOUNCED', notes: input.notes.trim() };
      const { identifiers } = await manager.insert(WiseReleaseEntity, row);
      await audit(manager, actor, 'WISE_RELEASE', identifiers[0].id, 'CREATE', diff(null, row));
      return manager.findOneByOrFail(WiseReleaseEntity, { id: identifiers[0].id });
    });
  }

  /** Changes a release if it is still at the revision read; the vendor's state moves only as WISE_RELEASE_TRANSITIONS allows. */
  async updateRelease(version: string, input: WiseReleaseUpdateInput, actor: Actor): Promise<WiseRelease> {
    this.checkRelease(input, false).throwIfAny();
    return writeTransaction(this.dataSource, async (manager) => {
      const release = version.length <= 30 ? await manager.findOneBy(WiseReleaseEntity, { wiseVersion: version }) : null;
      if (!release) throw new GraphQLError(`Wise release ${version} does not exist`, { extensions: { code: 'NOT_FOUND' } });
      if (input.status && input.status !== release.status && !WISE_RELEASE_TRANSITIONS[release.status].includes(input.status)) {
        throw invalidInput([{ field: 'input.status', message: `cannot go from ${release.status} to ${input.status}` }]);
      }
      const next = { releasedOn: input.releasedOn ?? undefined, status: input.status ?? undefined, notes: input.notes?.trim() };
      return updateVersioned(manager, WiseReleaseEntity, 'WISE_RELEASE', release, input.expectedRevision, next, actor);
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
