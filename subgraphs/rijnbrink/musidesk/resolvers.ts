import type { PageArgs } from '../../../shared/graphql/connection';
import type { AuditEntry } from '../../../shared/audit';
import { loaderById, loaderOfGroups, once } from '../../../shared/loaders';
import { mutationActor } from '../../../shared/versioned-writes';
import { auditedChanges, type PoiContext } from '../../../poi-kit/resolvers';
import { sortOrder } from '../../../poi-kit/repository';
import { MUSIDESK_AUDIT_ENTITIES, type SheetMusic, type SheetMusicLoan } from './entities';
import { LoanFilter, MUSIDESK_ORDERS, MusideskRepository, MusideskSummary, SheetMusicFilter } from './repository';
import { LendInput, MusideskWrites, ReturnInput } from './writes';

/** What Musidesk's resolvers get as `context.own` (made once, see PoiExtension.context). */
export interface MusideskServices {
  repository: MusideskRepository;
  writes: MusideskWrites;
}

/** Per-request loaders: every relation batched, nothing shared between requests. */
function createLoaders(repository: MusideskRepository, today: string) {
  return {
    sheetMusicById: loaderById((ids: readonly number[]) => repository.sheetMusicByIds(ids), (music) => music.id),
    openLoans: loaderOfGroups((ids: readonly number[]) => repository.openLoansBySheetMusicIds(ids), (loan) => loan.sheetMusicId),
    summary: once(() => repository.summary(today)),
    byEnsembleType: once(() => repository.loansByEnsembleType()),
  };
}

interface Musidesk {
  services: MusideskServices;
  loaders: ReturnType<typeof createLoaders>;
  today: string;
}

/** One request's Musidesk, made on first use; keyed by the request's context object. */
const perRequest = new WeakMap<object, Musidesk>();
function musidesk(ctx: PoiContext): Musidesk {
  let found = perRequest.get(ctx);
  if (!found) {
    const services = ctx.own as MusideskServices;
    const today = new Date().toISOString().slice(0, 10);
    perRequest.set(ctx, (found = { services, loaders: createLoaders(services.repository, today), today }));
  }
  return found;
}

const summary = (field: keyof MusideskSummary) => (_: unknown, __: unknown, ctx: PoiContext) =>
  musidesk(ctx).loaders.summary().then((figures) => figures[field]);

/** Thin resolvers of what subgraphs/rijnbrink/schema.graphql adds: unpack arguments, call the repository, a loader or the writes. */
export const musideskResolvers = {
  RijnbrinkPoi: {
    musidesk: () => ({}),
  },
  RijnbrinkMusidesk: {
    sheetMusic: (_: unknown, args: PageArgs & { filter?: SheetMusicFilter | null }, ctx: PoiContext) => {
      const filter = args.filter ?? {};
      const { repository } = musidesk(ctx).services;
      return ctx.cursors.connection(args, { list: 'musidesk/sheetMusic', sort: MUSIDESK_ORDERS.sheetMusic, filter }, (page) => repository.pageSheetMusic(filter, page), () => repository.countSheetMusic(filter));
    },
    loans: (_: unknown, args: PageArgs & { filter?: LoanFilter | null }, ctx: PoiContext) => {
      const filter = args.filter ?? {};
      const { services, today } = musidesk(ctx);
      // The day is part of the list: an overdue filter's cursor from yesterday is not one of today's list.
      return ctx.cursors.connection(
        args,
        { list: 'musidesk/loans', sort: MUSIDESK_ORDERS.loans, filter: { ...filter, today: filter.overdue == null ? null : today } },
        (page) => services.repository.pageLoans(filter, today, page),
        () => services.repository.countLoans(filter, today),
      );
    },
    stats: () => ({}),
    // Musidesk's entries of the POI's audit trail, through the kit's audit queries.
    audit: (_: unknown, args: PageArgs, ctx: PoiContext) => {
      const sort = sortOrder('audit', 'ID', 'DESC');
      return ctx.cursors.connection(
        args,
        { list: 'musidesk/audit', sort },
        (page) => ctx.repository.pageAudit(MUSIDESK_AUDIT_ENTITIES, sort, page),
        () => ctx.repository.countAudit(MUSIDESK_AUDIT_ENTITIES),
      );
    },
  },
  RijnbrinkSheetMusic: {
    openLoans: (music: SheetMusic, _: unknown, ctx: PoiContext) => musidesk(ctx).loaders.openLoans.load(music.id),
    setsAvailable: async (music: SheetMusic, _: unknown, ctx: PoiContext) =>
      music.sets - (await musidesk(ctx).loaders.openLoans.load(music.id)).reduce((sum, loan) => sum + loan.sets, 0),
  },
  RijnbrinkSheetMusicLoan: {
    sheetMusic: (loan: SheetMusicLoan, _: unknown, ctx: PoiContext) => musidesk(ctx).loaders.sheetMusicById.load(loan.sheetMusicId),
    overdue: (loan: SheetMusicLoan, _: unknown, ctx: PoiContext) => loan.returnedOn === null && loan.dueOn < musidesk(ctx).today,
  },
  RijnbrinkMusideskStats: {
    sheetMusicCount: summary('sheetMusicCount'),
    setCount: summary('setCount'),
    setsOnLoan: summary('setsOnLoan'),
    openLoanCount: summary('openLoanCount'),
    overdueLoanCount: summary('overdueLoanCount'),
    loansByEnsembleType: (_: unknown, __: unknown, ctx: PoiContext) => musidesk(ctx).loaders.byEnsembleType().then((counts) => counts.all),
    openLoansByEnsembleType: (_: unknown, __: unknown, ctx: PoiContext) => musidesk(ctx).loaders.byEnsembleType().then((counts) => counts.open),
  },
  RijnbrinkMusideskAuditEntry: {
    // Served as the kit's audit entries are: a loan's field changes follow that field's own scope rule.
    changes: (entry: AuditEntry) => auditedChanges(entry, 'RijnbrinkSheetMusicLoan'),
  },
  RijnbrinkPoiMutations: {
    lendSheetMusic: (_: unknown, { input }: { input: LendInput }, ctx: PoiContext) => {
      const { services, today } = musidesk(ctx);
      return services.writes.lend(input, mutationActor(ctx.identity), today);
    },
    returnSheetMusic: (_: unknown, { id, input }: { id: string; input: ReturnInput }, ctx: PoiContext) => {
      const { services, today } = musidesk(ctx);
      return services.writes.return(id, input, mutationActor(ctx.identity), today);
    },
  },
};
