import { GraphQLError } from 'graphql';
import type { PageArgs } from '../../shared/graphql/connection';
import { addMonths } from '../../shared/dates';
import type { Poi } from '../../shared/registry';
import { mutationActor } from '../../shared/versioned-writes';
import { sortOrder } from '../../poi-kit/repository';
import { auditedChanges, PoiContext } from '../../poi-kit/resolvers';
import type { AuditEntry } from '../../shared/audit';
import { IBL_AUDIT_ENTITIES, IblAuditEntity, InterlibraryLoan, TransportRun, TransportStop } from './entities';
import type { IblLoaders } from './loaders';
import type { IblRepository, LoanFilter, RunFilter } from './repository';
import { LOAN_ORDER, RUN_ORDER } from './repository';
import type { DeliveryInput, IblWrites, LoanInput, RunInput } from './writes';

/** What BiSC's resolvers get as `context.own` (see PoiExtension). */
export interface IblOwn {
  repository: IblRepository;
  writes: IblWrites;
  loaders(context: object): IblLoaders;
}

type Context = PoiContext & { own: IblOwn };

const loaders = (ctx: Context) => ctx.own.loaders(ctx);

function monthsArgument(months: number): number {
  if (!Number.isInteger(months) || months < 1 || months > 60) {
    throw new GraphQLError(`"months" must be between 1 and 60, got ${months}`, { extensions: { code: 'BAD_USER_INPUT', argument: 'months' } });
  }
  return months;
}

/** The day part of a moment, as the API's Date; a write's idempotent repeat hands moments back as text. */
const dayOf = (moment: Date | string) => new Date(moment).toISOString().slice(0, 10);

/** Thin resolvers over BiSC's own repository, loaders and writes; the kit's context otherwise. */
export function createIblResolvers(poi: Poi) {
  // An audit entry's changes as the kit serves them: each value under the read rule of its type's field.
  const auditedType: Record<IblAuditEntity, string> = { TRANSPORT_RUN: 'BiscTransportRun', INTERLIBRARY_LOAN: 'BiscInterlibraryLoan' };
  return {
    [poi.typeName]: {
      interlibraryLoan: () => ({}),
    },
    BiscInterlibraryLoanService: {
      runs: (_: unknown, args: PageArgs & { filter?: RunFilter | null }, ctx: Context) => {
        const filter = args.filter ?? {};
        return ctx.cursors.connection(args, { list: 'bisc/runs', sort: RUN_ORDER, filter }, (page) => ctx.own.repository.pageRuns(filter, page), () => ctx.own.repository.countRuns(filter));
      },
      loans: (_: unknown, args: PageArgs & { filter?: LoanFilter | null }, ctx: Context) => {
        const filter = args.filter ?? {};
        return ctx.cursors.connection(args, { list: 'bisc/loans', sort: LOAN_ORDER, filter }, (page) => ctx.own.repository.pageLoans(filter, page), () => ctx.own.repository.countLoans(filter));
      },
      stats: () => ({}),
      audit: (_: unknown, args: PageArgs & { entity?: IblAuditEntity | null }, ctx: Context) => {
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
      loansByStatus: (_: unknown, __: unknown, ctx: Context) => ctx.own.repository.loansByStatus(),
      itemsMovedPerMonth: async (_: unknown, args: { months: number }, ctx: Context) => {
        const months = monthsArgument(args.months);
        const thisMonth = `${new Date().toISOString().slice(0, 7)}-01`;
        const labels = Array.from({ length: months }, (_, i) => addMonths(thisMonth, i - months + 1).slice(0, 7));
        const counts = await ctx.own.repository.deliveredPerMonth(`${labels[0]}-01`);
        return labels.map((month) => ({ month, count: counts.get(month) ?? 0 }));
      },
      onTimeShare: async (_: unknown, __: unknown, ctx: Context) => {
        const { delivered, onTime } = await loaders(ctx).deliveries();
        return delivered === 0 ? null : onTime / delivered;
      },
    },
    BiscAuditEntry: {
      changes: (entry: AuditEntry) => auditedChanges(entry, auditedType[entry.entity as IblAuditEntity] ?? 'BiscAuditEntry'),
    },
    BiscTransportRun: {
      stops: (run: TransportRun, _: unknown, ctx: Context) => loaders(ctx).stopsByRun.load(run.id),
      itemCount: (run: TransportRun, _: unknown, ctx: Context) => loaders(ctx).loanCountByRun.load(run.id),
    },
    BiscTransportStop: {
      branch: (stop: TransportStop, _: unknown, ctx: Context) => loaders(ctx).branchById.load(stop.branchId),
    },
    BiscInterlibraryLoan: {
      lendingBranch: (loan: InterlibraryLoan, _: unknown, ctx: Context) => loaders(ctx).branchById.load(loan.lendingBranchId),
      requestingBranch: (loan: InterlibraryLoan, _: unknown, ctx: Context) => loaders(ctx).branchById.load(loan.requestingBranchId),
      run: (loan: InterlibraryLoan, _: unknown, ctx: Context) => (loan.runId === null ? null : loaders(ctx).runById.load(loan.runId)),
      onTime: (loan: InterlibraryLoan) => (loan.deliveredAt ? dayOf(loan.deliveredAt) <= loan.dueOn : null),
    },
    [`${poi.typeName}Mutations`]: {
      requestInterlibraryLoan: (_: unknown, { input }: { input: LoanInput }, ctx: Context) => ctx.own.writes.requestLoan(input, mutationActor(ctx.identity)),
      planTransportRun: (_: unknown, { input }: { input: RunInput }, ctx: Context) => ctx.own.writes.planRun(input, mutationActor(ctx.identity)),
      recordDelivery: (_: unknown, { id, input }: { id: string; input: DeliveryInput }, ctx: Context) => ctx.own.writes.recordDelivery(id, input, mutationActor(ctx.identity)),
    },
  };
}
