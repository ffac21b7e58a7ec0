import { GraphQLError } from 'graphql';
import { DataSource, EntityManager, In } from 'typeorm';
import { BranchEntity } from '../../poi-kit/entities';
import { writeTransaction } from '../../shared/idempotency';
import type { Poi } from '../../shared/registry';
import { Checks, invalidInput } from '../../shared/validation';
import { Actor, audit, diff, updateVersioned } from '../../shared/versioned-writes';
import { InterlibraryLoan, InterlibraryLoanEntity, TransportRun, TransportRunEntity, TransportStopEntity } from './entities';
import type { BiscDeliveryInput, BiscInterlibraryLoanInput, BiscTransportRunInput } from './generated/resolvers';

/** Most stops on one run. */
export const MAX_STOPS = 40;

const ID = /^\d{1,9}$/;
const today = () => new Date().toISOString().slice(0, 10);

function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${id} does not exist in this POI`, { extensions: { code: 'NOT_FOUND' } });
}

/**
 * BiSC's interlibrary-loan writes, as the kit's: every input checked first (all problems at once,
 * with their field paths), then one transaction (`writeTransaction`, so an Idempotency-Key
 * repeat answers the first result) that writes the rows and their audit entries. An update
 * names the version it read; a loan changed meanwhile is refused with CONFLICT.
 */
export class IblWrites {
  constructor(
    private readonly dataSource: DataSource,
    private readonly poi: Poi,
  ) {}

  /** Every named branch (field path → id) must be one of this POI's; the problems of those that are not. */
  private async checkBranches(manager: EntityManager, checks: Checks, branches: [field: string, id: string][]): Promise<void> {
    const ids = branches.filter(([, id]) => ID.test(id)).map(([, id]) => Number(id));
    const found = new Set((ids.length > 0 ? await manager.findBy(BranchEntity, { id: In(ids) }) : []).map((b) => b.id));
    for (const [field, id] of branches) if (!ID.test(id) || !found.has(Number(id))) checks.fail(field, `is not a branch of ${this.poi.name}`);
  }

  /** A new loan request: an item of one branch wanted at another, by a day. */
  async requestLoan(input: BiscInterlibraryLoanInput, actor: Actor): Promise<InterlibraryLoan> {
    const checks = new Checks();
    checks.text('itemTitle', input.itemTitle, 300);
    checks.date('dueOn', input.dueOn);
    if (typeof input.dueOn === 'string' && input.dueOn < today()) checks.fail('dueOn', 'must not be in the past');
    if (input.lendingBranchId === input.requestingBranchId) checks.fail('requestingBranchId', 'must differ from lendingBranchId');
    return writeTransaction(this.dataSource, async (manager) => {
      await this.checkBranches(manager, checks, [
        ['lendingBranchId', input.lendingBranchId],
        ['requestingBranchId', input.requestingBranchId],
      ]);
      checks.throwIfAny();
      const row = {
        itemTitle: input.itemTitle.trim(),
        lendingBranchId: Number(input.lendingBranchId),
        requestingBranchId: Number(input.requestingBranchId),
        status: 'REQUESTED' as const,
        requestedAt: new Date(),
        dueOn: input.dueOn,
        runId: null,
        deliveredAt: null,
      };
      const { identifiers } = await manager.insert(InterlibraryLoanEntity, row);
      await audit(manager, actor, 'INTERLIBRARY_LOAN', identifiers[0].id, 'CREATE', diff(null, row));
      return manager.findOneByOrFail(InterlibraryLoanEntity, { id: identifiers[0].id });
    });
  }

  /** A new PLANNED run on a day, with its stops in the order given. */
  async planRun(input: BiscTransportRunInput, actor: Actor): Promise<TransportRun> {
    const checks = new Checks();
    checks.date('runOn', input.runOn);
    checks.text('route', input.route, 100);
    if (input.stops.length < 2 || input.stops.length > MAX_STOPS) checks.fail('stops', `must have 2 to ${MAX_STOPS} stops, got ${input.stops.length}`);
    const seen = new Set<string>();
    input.stops.forEach((stop, i) => {
      if (seen.has(stop.branchId)) checks.fail(`stops[${i}].branchId`, 'is already a stop of this run');
      seen.add(stop.branchId);
      if (stop.plannedAt.toISOString().slice(0, 10) !== input.runOn) checks.fail(`stops[${i}].plannedAt`, `must be on the run's day ${input.runOn} (UTC)`);
      if (i > 0 && stop.plannedAt <= input.stops[i - 1].plannedAt) checks.fail(`stops[${i}].plannedAt`, 'must be after the previous stop');
    });
    return writeTransaction(this.dataSource, async (manager) => {
      await this.checkBranches(
        manager,
        checks,
        input.stops.map((stop, i) => [`stops[${i}].branchId`, stop.branchId]),
      );
      checks.throwIfAny();
      const run = { runOn: input.runOn, route: input.route.trim(), status: 'PLANNED' as const };
      const { identifiers } = await manager.insert(TransportRunEntity, run);
      const runId = identifiers[0].id as number;
      const stops = input.stops.map((stop, i) => ({ runId, sequence: i + 1, branchId: Number(stop.branchId), plannedAt: stop.plannedAt, arrivedAt: null }));
      await manager.insert(TransportStopEntity, stops);
      await audit(manager, actor, 'TRANSPORT_RUN', runId, 'CREATE', diff(null, { ...run, stops: stops.map((s) => s.branchId) }));
      return manager.findOneByOrFail(TransportRunEntity, { id: runId });
    });
  }

  /** A loan delivered at its requesting branch by a run that stops there. */
  async recordDelivery(id: string, input: BiscDeliveryInput, actor: Actor): Promise<InterlibraryLoan> {
    return writeTransaction(this.dataSource, async (manager) => {
      const loan = ID.test(id) ? await manager.findOneBy(InterlibraryLoanEntity, { id: Number(id) }) : null;
      if (!loan) throw notFound('Interlibrary loan', id);
      if (loan.status !== 'REQUESTED' && loan.status !== 'IN_TRANSIT') {
        throw invalidInput([{ field: 'id', message: `loan is ${loan.status}; only a REQUESTED or IN_TRANSIT loan can be delivered` }]);
      }
      const checks = new Checks();
      if (input.deliveredAt < loan.requestedAt) checks.fail('deliveredAt', `must not be before the request (${loan.requestedAt.toISOString()})`);
      else if (input.deliveredAt.getTime() > Date.now()) checks.fail('deliveredAt', 'must not be in the future: record a delivery once it happened');
      const run = ID.test(input.runId) ? await manager.findOneBy(TransportRunEntity, { id: Number(input.runId) }) : null;
      if (!run) checks.fail('runId', `is not a transport run of ${this.poi.name}`);
      else if (run.status === 'CANCELLED') checks.fail('runId', 'run is CANCELLED');
      else if (!(await manager.existsBy(TransportStopEntity, { runId: run.id, branchId: loan.requestingBranchId }))) {
        checks.fail('runId', 'run does not stop at the requesting branch');
      }
      checks.throwIfAny();
      return updateVersioned(
        manager,
        InterlibraryLoanEntity,
        'INTERLIBRARY_LOAN',
        loan,
        input.expectedVersion,
        { status: 'DELIVERED', runId: run!.id, deliveredAt: input.deliveredAt },
        actor,
      );
    });
  }
}
