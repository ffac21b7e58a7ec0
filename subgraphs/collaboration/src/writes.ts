import { GraphQLError } from 'graphql';
import { DataSource, EntityManager } from 'typeorm';
import { Checks, invalidInput } from '../../../shared/validation';
import type { Poi } from '../../../shared/registry';
import { Actor, audit, diff, updateVersioned } from '../../../shared/versioned-writes';
import { writeTransaction } from '../../../shared/idempotency';
import {
  NetworkAgendaGoalEntity,
  WORK_AGENDA_STATUSES,
  WORK_AGENDA_THEMES,
  WorkAgendaItem,
  WorkAgendaItemEntity,
  WorkAgendaParticipantEntity,
  WiseRelease,
  WiseReleaseEntity,
} from './entities';
import { WISE_RELEASE_STATUSES, WISE_RELEASE_TRANSITIONS, WISE_VERSION_PATTERN, WISE_VERSION_RULE } from '../../../shared/wise-releases';
import type { WiseReleaseInput, WiseReleaseUpdateInput, WorkAgendaItemInput, WorkAgendaItemUpdateInput } from '../generated/resolvers';

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

  private checkRelease(input: WiseReleaseInput | WiseReleaseUpdateInput, creating: boolean): Checks {
    const checks = new Checks();
    if (creating && !('version' in input && typeof input.version === 'string' && WISE_VERSION_PATTERN.test(input.version))) checks.fail('version', WISE_VERSION_RULE);
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
}
