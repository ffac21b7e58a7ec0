import { loaderById, loaderOfGroups, once } from '../../../shared/loaders';
import { mutationActor } from '../../../shared/versioned-writes';
import { auditedChanges, type PoiContext } from '../../../poi-kit/resolvers';
import { sortOrder } from '../../../poi-kit/repository';
import type { Resolvers, RijnbrinkMusideskStatsResolvers } from '../generated/resolvers';
import { MUSIDESK_AUDIT_ENTITIES } from './entities';
import { MUSIDESK_ORDERS, MusideskRepository, MusideskSummary } from './repository';
import { MusideskWrites } from './writes';

/** What Musidesk's requests share: made once (see PoiExtension.context). */
export interface MusideskServices {
  repository: MusideskRepository;
  writes: MusideskWrites;
}

type Context = PoiContext & { own: Musidesk };

/** Per-request loaders: every relation batched, nothing shared between requests. */
function createLoaders(repository: MusideskRepository, today: string) {
  return {
    sheetMusicById: loaderById(
      (ids: readonly number[]) => repository.sheetMusicByIds(ids),
      (music) => music.id,
    ),
    openLoans: loaderOfGroups(
      (ids: readonly number[]) => repository.openLoansBySheetMusicIds(ids),
      (loan) => loan.sheetMusicId,
    ),
    summary: once(() => repository.summary(today)),
    byEnsembleType: once(() => repository.loansByEnsembleType()),
  };
}

/** Musidesk as one request sees it (`context.own`): the shared services, that request's loaders, its day. */
export interface Musidesk {
  services: MusideskServices;
  loaders: ReturnType<typeof createLoaders>;
  today: string;
}

/** One request's Musidesk (see PoiExtension.context): fresh loaders, and the day it is answered on. */
export function musideskForRequest(services: MusideskServices): Musidesk {
  const today = new Date().toISOString().slice(0, 10);
  return { services, loaders: createLoaders(services.repository, today), today };
}

const musidesk = (ctx: Context): Musidesk => ctx.own;

/** The resolver of one of the summary's figures (each an Int, as setCount). */
const summary =
  (field: keyof MusideskSummary): RijnbrinkMusideskStatsResolvers<Context>['setCount'] =>
  (_, __, ctx) =>
    musidesk(ctx)
      .loaders.summary()
      .then((figures) => figures[field]);

/** Thin resolvers of what subgraphs/rijnbrink/schema.graphql adds: unpack arguments, call the repository, a loader or the writes. */
export const musideskResolvers: Resolvers<Context> = {
  RijnbrinkPoi: {
    musidesk: () => ({}),
  },
  RijnbrinkMusidesk: {
    sheetMusic: (_, args, ctx) => {
      const filter = args.filter ?? {};
      const { repository } = musidesk(ctx).services;
      return ctx.cursors.connection(
        args,
        { list: 'musidesk/sheetMusic', sort: MUSIDESK_ORDERS.sheetMusic, filter },
        (page) => repository.pageSheetMusic(filter, page),
        () => repository.countSheetMusic(filter),
      );
    },
    loans: (_, args, ctx) => {
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
    audit: (_, args, ctx) => {
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
    openLoans: (music, _, ctx) => musidesk(ctx).loaders.openLoans.load(music.id),
    setsAvailable: async (music, _, ctx) => music.sets - (await musidesk(ctx).loaders.openLoans.load(music.id)).reduce((sum, loan) => sum + loan.sets, 0),
  },
  RijnbrinkSheetMusicLoan: {
    // Never missing: a title's loans go with it (ON DELETE CASCADE); the kit's libraryOf likewise.
    sheetMusic: async (loan, _, ctx) => {
      const music = await musidesk(ctx).loaders.sheetMusicById.load(loan.sheetMusicId);
      if (!music) throw new Error(`sheet music ${loan.sheetMusicId} is missing`);
      return music;
    },
    overdue: (loan, _, ctx) => loan.returnedOn === null && loan.dueOn < musidesk(ctx).today,
  },
  RijnbrinkMusideskStats: {
    sheetMusicCount: summary('sheetMusicCount'),
    setCount: summary('setCount'),
    setsOnLoan: summary('setsOnLoan'),
    openLoanCount: summary('openLoanCount'),
    overdueLoanCount: summary('overdueLoanCount'),
    loansByEnsembleType: (_, __, ctx) =>
      musidesk(ctx)
        .loaders.byEnsembleType()
        .then((counts) => counts.all),
    openLoansByEnsembleType: (_, __, ctx) =>
      musidesk(ctx)
        .loaders.byEnsembleType()
        .then((counts) => counts.open),
  },
  RijnbrinkMusideskAuditEntry: {
    // Served as the kit's audit entries are: a loan's field changes follow that field's own scope rule.
    changes: (entry) => auditedChanges(entry, 'RijnbrinkSheetMusicLoan'),
  },
  RijnbrinkPoiMutations: {
    lendSheetMusic: (_, { input }, ctx) => {
      const { services, today } = musidesk(ctx);
      return services.writes.lend(input, mutationActor(ctx.identity), today);
    },
    returnSheetMusic: (_, { id, input }, ctx) => {
      const { services, today } = musidesk(ctx);
      return services.writes.return(id, input, mutationActor(ctx.identity), today);
    },
  },
};
