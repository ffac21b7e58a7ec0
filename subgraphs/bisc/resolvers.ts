import { GraphQLError } from 'graphql';
import { lastMonths, monthSeries } from '../../shared/dates';
import { mutationActor } from '../../shared/versioned-writes';
import { sortOrder } from '../../poi-kit/repository';
import { auditedChanges, PoiContext } from '../../poi-kit/resolvers';
import { IBL_AUDIT_ENTITIES, IblAuditEntity } from './entities';
import type { Resolvers } from './generated/resolvers';
import type { IblLoaders } from './loaders';
import type { IblRepository } from './repository';
import { LOAN_ORDER, RUN_ORDER } from './repository';
import type { IblWrites } from './writes';

/** What BiSC's resolvers get as `context.own` (see PoiExtension). */
export interface IblOwn {
  repository: IblRepository;
  writes: IblWrites;
  /** This request's loaders. */
  loaders: IblLoaders;
}

type Context = PoiContext & { own: IblOwn };

const loaders = (ctx: Context) => ctx.own.loaders;

function monthsArgument(months: number): number {
  if (!Number.isInteger(months) || months < 1 || months > 60) {
    throw new GraphQLError(`"months" must be between 1 and 60, got ${months}`, { extensions: { code: 'BAD_USER_INPUT', argument: 'months' } });
  }
  return months;
}

/** The day part of a moment, as the API's Date; a write's idempotent repeat hands moments back as text. */
const dayOf = (moment: Date | string) => new Date(moment).toISOString().slice(0, 10);

// An audit entry's changes as the kit serves them: each value under the read rule of its type's field.
const auditedType: Record<IblAuditEntity, string> = { TRANSPORT_RUN: 'BiscTransportRun', INTERLIBRARY_LOAN: 'BiscInterlibraryLoan' };

/** Thin resolvers over BiSC's own repository, loaders and writes; the kit's context otherwise. */
export const iblResolvers: Resolvers<Context> = {
  BiscPoi: {
    interlibraryLoan: () => ({}),
  },
  BiscInterlibraryLoanService: {
    runs: (_, args, ctx) => {
      const filter = args.filter ?? {};
      return ctx.cursors.connection(
        args,
        { list: 'bisc/runs', sort: RUN_ORDER, filter },
        (page) => ctx.own.repository.pageRuns(filter, page),
        () => ctx.own.repository.countRuns(filter),
      );
    },
    loans: (_, args, ctx) => {
      const filter = args.filter ?? {};
      return ctx.cursors.connection(
        args,
        { list: 'bisc/loans', sort: LOAN_ORDER, filter },
        (page) => ctx.own.repository.pageLoans(filter, page),
        () => ctx.own.repository.countLoans(filter),
      );
    },
    stats: () => ({}),
    audit: (_, args, ctx) => {
      const entities = args.entity ? [args.entity] : IBL_AUDIT_ENTITIES;
      const sort = sortOrder('audit', 'ID', 'DESC');
      return ctx.cursors.connection(
        args,
        { list: 'bisc/audit', sort, filter: { entity: args.entity } },
        (page) => ctx.repository.pageAudit(entities, sort, page),
        () => ctx.repository.countAudit(entities),
      );
    },
  },
  BiscInterlibraryLoanStats: {
    loansByStatus: (_, __, ctx) => ctx.own.repository.loansByStatus(),
    itemsMovedPerMonth: async (_, args, ctx) => {
      const labels = lastMonths(monthsArgument(args.months));
      return monthSeries(labels, await ctx.own.repository.deliveredPerMonth(`${labels[0]}-01`));
    },
    onTimeShare: async (_, __, ctx) => {
      const { delivered, onTime } = await loaders(ctx).deliveries();
      return delivered === 0 ? null : onTime / delivered;
    },
  },
  BiscAuditEntry: {
    changes: (entry) => auditedChanges(entry, auditedType[entry.entity as IblAuditEntity] ?? 'BiscAuditEntry'),
  },
  BiscTransportRun: {
    stops: (run, _, ctx) => loaders(ctx).stopsByRun.load(run.id),
    itemCount: (run, _, ctx) => loaders(ctx).loanCountByRun.load(run.id),
  },
  BiscTransportStop: {
    branch: (stop, _, ctx) => loaders(ctx).branchById.load(stop.branchId),
  },
  BiscInterlibraryLoan: {
    lendingBranch: (loan, _, ctx) => loaders(ctx).branchById.load(loan.lendingBranchId),
    requestingBranch: (loan, _, ctx) => loaders(ctx).branchById.load(loan.requestingBranchId),
    run: (loan, _, ctx) => (loan.runId === null ? null : loaders(ctx).runById.load(loan.runId)),
    onTime: (loan) => (loan.deliveredAt ? dayOf(loan.deliveredAt) <= loan.dueOn : null),
  },
  BiscPoiMutations: {
    requestInterlibraryLoan: (_, { input }, ctx) => ctx.own.writes.requestLoan(input, mutationActor(ctx.identity)),
    planTransportRun: (_, { input }, ctx) => ctx.own.writes.planRun(input, mutationActor(ctx.identity)),
    recordDelivery: (_, { id, input }, ctx) => ctx.own.writes.recordDelivery(id, input, mutationActor(ctx.identity)),
  },
};
