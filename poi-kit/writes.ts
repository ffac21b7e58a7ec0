import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { DataSource, EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';
import { Actor, audit, diff, rowById, updateVersioned } from '../shared/versioned-writes';
import { isDuplicateKey, writeTransaction } from '../shared/idempotency';
import type { Poi } from '../shared/registry';
import { AgendaItemLookup, PlannedRelease, unknownAgendaItem, unknownWiseRelease, WiseReleaseLookup } from './agenda-items';
import { RELEASE_TEST_TRANSITIONS, ReleaseTestStatus, WISE_VERSION_PATTERN, WISE_VERSION_RULE } from '../shared/wise-releases';
export type { Actor };
import {
  Branch,
  BranchEntity,
  Contract,
  ContractEntity,
  ContractServiceLevelEntity,
  ContractStatus,
  KnowledgeArticle,
  KnowledgeArticleEntity,
  Library,
  LibraryEntity,
  ReleaseAcceptance,
  ReleaseAcceptanceEntity,
  LibrarySettings,
  LibrarySettingsEntity,
  Ticket,
  TicketEntity,
  TicketStatus,
} from './entities';
import { ticketReference } from './seed';
import { checkWiseSettings, toColumns } from '../shared/wise-settings';
import {
  Checks,
  checkContract,
  checkKnowledgeArticle,
  checkLibrary,
  checkReleaseAcceptance,
  checkTicketFields,
  invalidInput,
  normalisePostalCode,
} from './validation';
import type {
  AssignTicketInput,
  ContractInput,
  KnowledgeArticleInput,
  KnowledgeArticleUpdateInput,
  LibraryInput,
  ReleaseAcceptanceInput,
  LibrarySettingsInput,
  RenewContractInput,
  ResolveTicketInput,
  TerminateContractInput,
  TicketInput,
  TicketUpdateInput,
} from './generated/resolvers';
import { indexArticles } from './search-index';

function notFound(what: string, id: string | number): GraphQLError {
  return new GraphQLError(`${what} ${id} does not exist in this POI`, { extensions: { code: 'NOT_FOUND' } });
}

function numericId(id: string, field: string): number {
  if (!/^\d{1,9}$/.test(id)) throw invalidInput([{ field, message: 'is not an id of this POI' }]);
  return Number(id);
}

/**
 * Every write of a POI subgraph: validated first, then one transaction that changes the rows and
 * records the change in the audit trail. Updates name the version they read; a row changed by
 * someone else in the meantime is refused (CONFLICT), never silently overwritten.
 */
export class PoiWrites {
  constructor(
    private readonly dataSource: DataSource,
    private readonly poi: Poi,
    private readonly agendaItems: AgendaItemLookup,
    private readonly releases: WiseReleaseLookup,
  ) {}

  /** The planned release of this version; refuses one the release planning does not have (asked of the collaboration subgraph). */
  private async requireRelease(version: string, collaborationToken: string | undefined, field: string): Promise<PlannedRelease> {
    const release = await this.releases(version, collaborationToken, field);
    if (!release) throw invalidInput([{ field, message: unknownWiseRelease(version) }]);
    return release;
  }

  /** Refuses an agendaItemId the work agenda does not have; asks the collaboration subgraph with the caller's token for it. */
  private async requireAgendaItem(agendaItemId: string | null | undefined, collaborationToken: string | undefined): Promise<void> {
    if (!agendaItemId) return;
    const found = await this.agendaItems([agendaItemId], collaborationToken);
    if (!found.has(agendaItemId)) throw invalidInput([{ field: 'input.agendaItemId', message: unknownAgendaItem(agendaItemId) }]);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return writeTransaction(this.dataSource, work);
  }

  private async library(manager: EntityManager, id: string, field: string): Promise<Library> {
    const library = await manager.findOneBy(LibraryEntity, { id: numericId(id, field) });
    if (!library) {
      throw invalidInput([{ field, message: `is not a library of ${this.poi.name}` }]);
    }
    return library;
  }

  private async existing<T extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<T>, what: string, id: string): Promise<T> {
    const row = /^\d{1,9}$/.test(id) ? await rowById(manager, entity, Number(id)).getOne() : null;
    if (!row) throw notFound(what, id);
    return row;
  }

  /** A MERGED library is history: it has no live (ACTIVE) agreement. */
  private refuseMerged(library: Library, field: string) {
    if (library.status === 'MERGED') {
      throw invalidInput([{ field, message: `${library.name} merged into its successor on ${library.activeUntil}: it can have no ACTIVE agreement` }]);
    }
  }

  /** Creates or updates a library by its name (the natural key), and with `branches` its full set of branches. */
  async upsertLibrary(input: LibraryInput, actor: Actor): Promise<Library> {
    const checks = new Checks();
    checkLibrary(checks, this.poi, input);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const fields = {
        name: input.name.trim(),
        province: input.province,
        municipalities: input.municipalities.map((m) => m.trim()),
        mainCity: input.mainCity?.trim() || null,
        memberCount: input.memberCount,
        // Left out: unchanged (none on a new library: its POI's default platform).
        wisePlatformCode: input.wisePlatform === undefined ? undefined : (input.wisePlatform?.trim() ?? null),
      };
      let library = await manager.findOneBy(LibraryEntity, { name: fields.name });
      if (!library) {
        const created = { ...fields, wisePlatformCode: fields.wisePlatformCode ?? null };
        const { identifiers } = await manager.insert(LibraryEntity, created);
        library = await manager.findOneByOrFail(LibraryEntity, { id: identifiers[0].id });
        await audit(manager, actor, 'LIBRARY', library.id, 'CREATE', diff(null, created));
      } else {
        if (actor.via === 'mutation' && (input.expectedVersion === undefined || input.expectedVersion === null)) {
          throw invalidInput([{ field: 'input.expectedVersion', message: 'is required when the library exists' }]);
        }
        library = await updateVersioned(manager, LibraryEntity, 'LIBRARY', library, input.expectedVersion, fields, actor);
      }
      if (input.branches) await this.replaceBranches(manager, library.id, input.branches, actor);
      return library;
    });
  }

  /**
   * Sets a library's harmonised Wise settings: the values given change, the others stay. A library
   * without settings needs every value; one with settings needs the version read.
   */
  async updateLibrarySettings(libraryId: string, input: LibrarySettingsInput, actor: Actor): Promise<Library> {
    const checks = new Checks('input.values');
    checkWiseSettings(checks, input.values, false);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const library = await this.library(manager, libraryId, 'libraryId');
      const next: Partial<LibrarySettings> = toColumns(input.values);
      const current = await manager.findOneBy(LibrarySettingsEntity, { libraryId: library.id });
      if (!current) {
        const complete = new Checks('input.values');
        checkWiseSettings(complete, input.values, true);
        complete.throwIfAny();
        const row = { ...next, libraryId: library.id };
        const { identifiers } = await manager.insert(LibrarySettingsEntity, row);
        await audit(manager, actor, 'LIBRARY_SETTINGS', identifiers[0].id, 'CREATE', diff(null, row));
      } else {
        if (input.expectedVersion === undefined || input.expectedVersion === null) {
          throw invalidInput([{ field: 'input.expectedVersion', message: 'is required when the library has settings' }]);
        }
        await updateVersioned(manager, LibrarySettingsEntity, 'LIBRARY_SETTINGS', current, input.expectedVersion, next, actor);
      }
      return library;
    });
  }

  /** Makes a library's branches exactly these, matched by name: added, changed or removed. */
  async replaceBranches(manager: EntityManager, libraryId: number, branches: NonNullable<LibraryInput['branches']>, actor: Actor) {
    const existing = await manager.findBy(BranchEntity, { libraryId });
    const byName = new Map(existing.map((b) => [b.name, b]));
    for (const input of branches) {
      const next = { name: input.name.trim(), city: input.city.trim(), postalCode: normalisePostalCode(input.postalCode)!, isMain: input.isMain };
      const current = byName.get(next.name);
      byName.delete(next.name);
      if (!current) {
        const { identifiers } = await manager.insert(BranchEntity, { ...next, libraryId });
        await audit(manager, actor, 'BRANCH', identifiers[0].id, 'CREATE', diff(null, { ...next, libraryId }));
      } else {
        const changes = diff<Branch>(current, next);
        if (Object.keys(changes).length > 0) {
          await manager.update(BranchEntity, { id: current.id }, next);
          await audit(manager, actor, 'BRANCH', current.id, 'UPDATE', changes);
        }
      }
    }
    for (const gone of byName.values()) {
      await manager.delete(BranchEntity, { id: gone.id });
      await audit(manager, actor, 'BRANCH', gone.id, 'DELETE', diff(null, { name: gone.name }));
    }
  }

  async createContract(input: ContractInput, actor: Actor): Promise<Contract> {
    const checks = new Checks();
    checkContract(checks, input);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const library = await this.library(manager, input.libraryId, 'input.libraryId');
      const status: ContractStatus = input.status ?? 'ACTIVE';
      if (status === 'ACTIVE') this.refuseMerged(library, 'input.libraryId');
      if (status === 'ACTIVE' && (await manager.countBy(ContractEntity, { libraryId: library.id, status: 'ACTIVE' })) > 0) {
        throw invalidInput([{ field: 'input.status', message: 'the library already has an ACTIVE agreement' }]);
      }
      const row = {
        libraryId: library.id,
        services: input.services,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        status,
        annualFee: input.annualFee,
        noticePeriodMonths: input.noticePeriodMonths,
      };
      const { identifiers } = await manager.insert(ContractEntity, row);
      const contractId = identifiers[0].id as number;
      const serviceLevels = (input.serviceLevels ?? []).map(({ priority, responseHours, resolutionHours }) => ({ priority, responseHours, resolutionHours }));
      if (serviceLevels.length > 0)
        await manager.insert(
          ContractServiceLevelEntity,
          serviceLevels.map((level) => ({ ...level, contractId })),
        );
      // The terms are recorded as the agreement's field `serviceLevels`: in the audit trail they follow that field's scope.
      await audit(manager, actor, 'CONTRACT', contractId, 'CREATE', diff(null, serviceLevels.length > 0 ? { ...row, serviceLevels } : row));
      return manager.findOneByOrFail(ContractEntity, { id: contractId });
    });
  }

  /** Extends an agreement to a later end date (optionally at a new fee); it becomes ACTIVE. */
  async renewContract(id: string, input: RenewContractInput, actor: Actor): Promise<Contract> {
    const checks = new Checks();
    checks.date('endsOn', input.endsOn);
    checks.amount('annualFee', input.annualFee, false);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const contract = await this.existing(manager, ContractEntity, 'Agreement', id);
      if (contract.status === 'TERMINATED' || contract.status === 'DRAFT') {
        throw invalidInput([{ field: 'id', message: `agreement is ${contract.status}` }]);
      }
      const later = new Checks();
      later.order('endsOn', contract.endsOn, input.endsOn, `must be after the current end date ${contract.endsOn}`);
      later.throwIfAny();
      this.refuseMerged(await manager.findOneByOrFail(LibraryEntity, { id: contract.libraryId }), 'id');
      const next: Partial<Contract> = { endsOn: input.endsOn, status: 'ACTIVE' };
      if (input.annualFee !== undefined && input.annualFee !== null) next.annualFee = input.annualFee;
      return updateVersioned(manager, ContractEntity, 'CONTRACT', contract, input.expectedVersion, next, actor);
    });
  }

  /** Ends an agreement early by notice: TERMINATED, ending on the given day. */
  async terminateContract(id: string, input: TerminateContractInput, actor: Actor): Promise<Contract> {
    const checks = new Checks();
    checks.date('endsOn', input.endsOn);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const contract = await this.existing(manager, ContractEntity, 'Agreement', id);
      const order = new Checks();
      if (contract.status !== 'ACTIVE') order.fail('id', `agreement is ${contract.status}; only an ACTIVE one can be terminated`);
      order.order('endsOn', contract.startsOn, input.endsOn, `must be after the start date ${contract.startsOn}`);
      if (input.endsOn > contract.endsOn) order.fail('endsOn', `must not be after the current end date ${contract.endsOn}`);
      order.throwIfAny();
      return updateVersioned(manager, ContractEntity, 'CONTRACT', contract, input.expectedVersion, { endsOn: input.endsOn, status: 'TERMINATED' }, actor);
    });
  }

  async createTicket(input: TicketInput, actor: Actor, collaborationToken?: string): Promise<Ticket> {
    const checks = new Checks();
    checkTicketFields(checks, input, true);
    checks.throwIfAny();
    await this.requireAgendaItem(input.agendaItemId, collaborationToken);
    if (input.releaseVersion) await this.requireRelease(input.releaseVersion, collaborationToken, 'input.releaseVersion');
    return this.transaction(async (manager) => {
      const library = await this.library(manager, input.libraryId, 'input.libraryId');
      const row = {
        libraryId: library.id,
        title: input.title.trim(),
        category: input.category,
        priority: input.priority,
        status: 'OPEN' as TicketStatus,
        openedAt: new Date(),
        resolvedAt: null,
        agendaItemId: input.agendaItemId ?? null,
        type: input.type ?? 'INCIDENT',
        vendorCaseReference: input.vendorCaseReference?.trim() || null,
        releaseVersion: input.releaseVersion ?? null,
        reference: `pending-${randomBytes(8).toString('hex')}`, // replaced by the POI's number once the id is known
      };
      const { identifiers } = await manager.insert(TicketEntity, row);
      const ticketId = identifiers[0].id as number;
      await manager.update(TicketEntity, { id: ticketId }, { reference: ticketReference(this.poi.code, ticketId) });
      await audit(manager, actor, 'TICKET', ticketId, 'CREATE', diff(null, { ...row, reference: ticketReference(this.poi.code, ticketId) }));
      return manager.findOneByOrFail(TicketEntity, { id: ticketId });
    });
  }

  async updateTicket(id: string, input: TicketUpdateInput, actor: Actor, collaborationToken?: string): Promise<Ticket> {
    const checks = new Checks();
    checkTicketFields(checks, input, false);
    checks.throwIfAny();
    await this.requireAgendaItem(input.agendaItemId, collaborationToken);
    if (input.releaseVersion) await this.requireRelease(input.releaseVersion, collaborationToken, 'input.releaseVersion');
    return this.transaction(async (manager) => {
      const ticket = await this.existing(manager, TicketEntity, 'Ticket', id);
      const status = input.status ?? undefined;
      const resolving = status && ['RESOLVED', 'CLOSED'].includes(status) && !ticket.resolvedAt;
      const reopening = status && ['OPEN', 'IN_PROGRESS', 'WAITING'].includes(status);
      // Taking a request out of OPEN (or resolving it) is the POI's first response, if it had none.
      const responding = status && status !== 'OPEN' && !ticket.firstResponseAt;
      return updateVersioned(
        manager,
        TicketEntity,
        'TICKET',
        ticket,
        input.expectedVersion,
        {
          title: input.title?.trim(),
          category: input.category ?? undefined,
          priority: input.priority ?? undefined,
          status,
          agendaItemId: input.agendaItemId === undefined ? undefined : input.agendaItemId,
          type: input.type ?? undefined,
          vendorCaseReference: input.vendorCaseReference === undefined ? undefined : input.vendorCaseReference?.trim() || null,
          releaseVersion: input.releaseVersion === undefined ? undefined : input.releaseVersion,
          resolvedAt: resolving ? new Date() : reopening ? null : undefined,
          firstResponseAt: responding ? new Date() : undefined,
        },
        actor,
      );
    });
  }

  async assignTicket(id: string, input: AssignTicketInput, actor: Actor): Promise<Ticket> {
    const checks = new Checks();
    checks.text('assignee', input.assignee, 100);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const ticket = await this.existing(manager, TicketEntity, 'Ticket', id);
      const status: TicketStatus = ticket.status === 'OPEN' ? 'IN_PROGRESS' : ticket.status;
      const firstResponseAt = ticket.firstResponseAt ? undefined : new Date();
      return updateVersioned(
        manager,
        TicketEntity,
        'TICKET',
        ticket,
        input.expectedVersion,
        { assignee: input.assignee.trim(), status, firstResponseAt },
        actor,
      );
    });
  }

  async resolveTicket(id: string, input: ResolveTicketInput, actor: Actor): Promise<Ticket> {
    return this.transaction(async (manager) => {
      const ticket = await this.existing(manager, TicketEntity, 'Ticket', id);
      if (ticket.status === 'RESOLVED' || ticket.status === 'CLOSED') {
        throw invalidInput([{ field: 'id', message: `ticket is already ${ticket.status}` }]);
      }
      const now = new Date();
      const firstResponseAt = ticket.firstResponseAt ? undefined : now;
      return updateVersioned(manager, TicketEntity, 'TICKET', ticket, input.expectedVersion, { status: 'RESOLVED', resolvedAt: now, firstResponseAt }, actor);
    });
  }

  async createKnowledgeArticle(input: KnowledgeArticleInput, actor: Actor): Promise<KnowledgeArticle> {
    const checks = new Checks();
    checkKnowledgeArticle(checks, input, true);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const row = {
        title: input.title.trim(),
        summary: input.summary.trim(),
        body: input.body,
        tags: input.tags.map((t) => t.trim()),
        source: input.source.trim(),
        updatedAt: new Date(),
      };
      if (await manager.findOneBy(KnowledgeArticleEntity, { source: row.source, title: row.title })) {
        throw invalidInput([{ field: 'input.title', message: `already exists in ${row.source}` }]);
      }
      const { identifiers } = await manager.insert(KnowledgeArticleEntity, row);
      await audit(manager, actor, 'KNOWLEDGE_ARTICLE', identifiers[0].id, 'CREATE', diff(null, row));
      await indexArticles(manager, [identifiers[0].id]);
      return manager.findOneByOrFail(KnowledgeArticleEntity, { id: identifiers[0].id });
    });
  }

  async updateKnowledgeArticle(id: string, input: KnowledgeArticleUpdateInput, actor: Actor): Promise<KnowledgeArticle> {
    const checks = new Checks();
    checkKnowledgeArticle(checks, input, false);
    checks.throwIfAny();
    return this.transaction(async (manager) => {
      const article = await this.existing(manager, KnowledgeArticleEntity, 'Article', id);
      const next: Partial<KnowledgeArticle> = {
        title: input.title?.trim(),
        summary: input.summary?.trim(),
        body: input.body ?? undefined,
        tags: input.tags?.map((t) => t.trim()),
        source: input.source?.trim(),
      };
      if (Object.keys(diff(article, next)).length > 0) next.updatedAt = new Date();
      const updated = await updateVersioned(manager, KnowledgeArticleEntity, 'KNOWLEDGE_ARTICLE', article, input.expectedVersion, next, actor);
      if (updated === article) return article; // nothing changed
      await indexArticles(manager, [updated.id]);
      return manager.findOneByOrFail(KnowledgeArticleEntity, { id: updated.id });
    });
  }

  /**
   * Records this POI's acceptance test of a Wise release: created by the first write (expected
   * version 0), then versioned. What the POI checks itself: the dates, the notes, the test status's
   * move (RELEASE_TEST_TRANSITIONS), a go-live only after a PASSED test and not in the future; what
   * it asks the collaboration: that the release exists, and that go-live is not before its release date.
   */
  async setReleaseAcceptance(releaseVersion: string, input: ReleaseAcceptanceInput, actor: Actor, collaborationToken?: string): Promise<ReleaseAcceptance> {
    const checks = new Checks();
    if (!WISE_VERSION_PATTERN.test(releaseVersion)) checks.problems.push({ field: 'releaseVersion', message: WISE_VERSION_RULE });
    checkReleaseAcceptance(checks, input);
    checks.throwIfAny();
    const release = await this.requireRelease(releaseVersion, collaborationToken, 'releaseVersion');
    return this.transaction(async (manager) => {
      const current = await manager.findOneBy(ReleaseAcceptanceEntity, { releaseVersion });
      const from: ReleaseTestStatus = current?.testStatus ?? 'NOT_STARTED';
      const next = {
        testStatus: input.testStatus ?? from,
        plannedGoLiveOn: input.plannedGoLiveOn === undefined ? (current?.plannedGoLiveOn ?? null) : input.plannedGoLiveOn,
        actualGoLiveOn: input.actualGoLiveOn === undefined ? (current?.actualGoLiveOn ?? null) : input.actualGoLiveOn,
        notes: input.notes === undefined ? (current?.notes ?? null) : input.notes?.trim() || null,
      };
      const problems = new Checks();
      if (next.testStatus !== from && !RELEASE_TEST_TRANSITIONS[from].includes(next.testStatus)) {
        problems.fail('testStatus', `cannot go from ${from} to ${next.testStatus} (from ${from}: ${RELEASE_TEST_TRANSITIONS[from].join(', ')})`);
      }
      if (next.actualGoLiveOn) {
        if (next.testStatus !== 'PASSED') problems.fail('actualGoLiveOn', `needs the acceptance test PASSED (it is ${next.testStatus})`);
        if (next.actualGoLiveOn > new Date().toISOString().slice(0, 10)) problems.fail('actualGoLiveOn', 'must not be in the future');
        if (next.actualGoLiveOn < release.releasedOn) problems.fail('actualGoLiveOn', `must not be before the release date ${release.releasedOn}`);
        if (release.status === 'WITHDRAWN') problems.fail('actualGoLiveOn', `the release ${releaseVersion} was withdrawn`);
      }
      if (next.plannedGoLiveOn && next.plannedGoLiveOn < release.releasedOn && next.plannedGoLiveOn !== current?.plannedGoLiveOn) {
        problems.fail('plannedGoLiveOn', `must not be before the release date ${release.releasedOn}`);
      }
      problems.throwIfAny();
      if (!current) {
        if (input.expectedVersion !== 0) {
          throw new GraphQLError(
            `acceptance of ${releaseVersion} was never recorded (version 0, you edited version ${input.expectedVersion}); reload it and try again`,
            {
              extensions: { code: 'CONFLICT', currentVersion: 0 },
            },
          );
        }
        const row = { releaseVersion, ...next };
        const { identifiers } = await manager.insert(ReleaseAcceptanceEntity, row).catch((error: unknown) => {
          // Another first write for this release committed meanwhile: as for any update, the version read is stale.
          if (isDuplicateKey(error))
            throw new GraphQLError(`acceptance of ${releaseVersion} was recorded by someone else meanwhile; reload it and try again`, {
              extensions: { code: 'CONFLICT' },
            });
          throw error;
        });
        await audit(manager, actor, 'RELEASE_ACCEPTANCE', identifiers[0].id, 'CREATE', diff(null, row));
        return manager.findOneByOrFail(ReleaseAcceptanceEntity, { id: identifiers[0].id });
      }
      return updateVersioned(manager, ReleaseAcceptanceEntity, 'RELEASE_ACCEPTANCE', current, input.expectedVersion, next, actor);
    });
  }
}
