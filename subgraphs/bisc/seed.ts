import type { EntityManager } from 'typeorm';
import { BranchEntity, LibraryEntity } from '../../poi-kit/entities';
import type { SeedOptions } from '../../poi-kit/seed';
import { addDays, DAY_MS } from '../../shared/dates';
import { deleteAllRows, insertInChunks } from '../../shared/db';
import { SeededRandom } from '../../shared/seed-random';
import { IBL_ENTITIES, InterlibraryLoan, InterlibraryLoanEntity, TransportRun, TransportRunEntity, TransportStop, TransportStopEntity } from './entities';

/** Demo routes: BiSC's branches split over them. Names and timings are made up, not BiSC's real ones. */
const ROUTES = ['Demo-route A', 'Demo-route B', 'Demo-route C'];
const WEEKS_BACK = 26;
const WEEKS_AHEAD = 2;
const RUN_DAYS = [2, 4]; // Tuesdays and Thursdays
const FIRST_STOP_MINUTES = 8 * 60;
const MINUTES_BETWEEN_STOPS = 40;
const DAYS_TO_DELIVER = 5;
const ITEM_TITLES = ['Roman', 'Prentenboek', 'Studieboek', 'Luisterboek', 'Reisgids', 'Kookboek', 'Biografie', 'Bladmuziek', 'Dvd', 'Streekgeschiedenis'];

const at = (day: string, minutes: number) => new Date(Date.parse(`${day}T00:00:00Z`) + minutes * 60_000);

/**
 * Generated demo data for BiSC's interlibrary-loan transport over BiSC's real branches (the kit
 * seeded them from data/libraries.csv): runs on two days a week for half a year before the seed
 * date and two weeks after it, each past run with the loans it delivered, upcoming runs with
 * loans in transit, and open requests. The same inputs always give the same rows; SEED_SCALE
 * multiplies the loans.
 */
export function generateIblData(branchIds: number[], options: SeedOptions) {
  const random = new SeededRandom(`BISC-IBL:${options.scale}`);
  const refMs = Date.parse(`${options.referenceDate}T00:00:00Z`);
  const runs: TransportRun[] = [];
  const stops: TransportStop[] = [];
  const loans: Omit<InterlibraryLoan, 'id'>[] = [];
  const title = () => `${random.pick(ITEM_TITLES)} (demo) ${random.int(1, 9999)}`;
  const routeBranches = ROUTES.map((_, r) => branchIds.filter((_, i) => i % ROUTES.length === r));
  const start = addDays(options.referenceDate, -7 * WEEKS_BACK);
  for (let d = 0; d < 7 * (WEEKS_BACK + WEEKS_AHEAD); d++) {
    const day = addDays(start, d);
    if (!RUN_DAYS.includes(new Date(`${day}T00:00:00Z`).getUTCDay())) continue;
    const past = Date.parse(`${day}T00:00:00Z`) < refMs;
    ROUTES.forEach((route, r) => {
      const candidates = routeBranches[r];
      if (candidates.length < 2) return;
      const status = !past ? 'PLANNED' : random.next() < 0.03 ? 'CANCELLED' : 'COMPLETED';
      const run: TransportRun = { id: runs.length + 1, runOn: day, route, status, version: 1 };
      runs.push(run);
      const visited = candidates.filter(() => random.next() < 0.6);
      const onRun = visited.length >= 2 ? visited : candidates.slice(0, 2);
      const runStops = onRun.map((branchId, i): TransportStop => {
        const plannedAt = at(day, FIRST_STOP_MINUTES + i * MINUTES_BETWEEN_STOPS);
        const arrivedAt = status === 'COMPLETED' ? new Date(plannedAt.getTime() + random.int(-10, 45) * 60_000) : null;
        return { id: stops.length + i + 1, runId: run.id, sequence: i + 1, branchId, plannedAt, arrivedAt };
      });
      stops.push(...runStops);
      if (status === 'CANCELLED') return;
      const carried = random.int(status === 'PLANNED' ? 1 : 2, status === 'PLANNED' ? 4 : 8) * options.scale;
      for (let l = 0; l < carried; l++) {
        const to = random.int(1, runStops.length - 1);
        const from = random.int(0, to - 1);
        const requestedAt =
          status === 'PLANNED'
            ? new Date(refMs - random.int(0, 3) * DAY_MS - random.int(60, 600) * 60_000)
            : new Date(Date.parse(`${day}T00:00:00Z`) - random.int(1, 8) * DAY_MS + random.int(8 * 60, 17 * 60) * 60_000);
        loans.push({
          itemTitle: title(),
          lendingBranchId: runStops[from].branchId,
          requestingBranchId: runStops[to].branchId,
          status: status === 'PLANNED' ? 'IN_TRANSIT' : 'DELIVERED',
          requestedAt,
          dueOn: addDays(requestedAt.toISOString().slice(0, 10), DAYS_TO_DELIVER),
          runId: run.id,
          deliveredAt: runStops[to].arrivedAt,
          version: 1,
        });
      }
    });
  }
  // Requests still waiting for a run, and a few called off.
  for (let l = 0; l < 20 * options.scale; l++) {
    const cancelled = l % 4 === 3;
    const requestedAt = new Date(refMs - random.int(cancelled ? 10 : 0, cancelled ? 120 : 3) * DAY_MS - random.int(60, 600) * 60_000);
    const lending = random.pick(branchIds);
    const requesting = random.pick(branchIds.filter((id) => id !== lending));
    loans.push({
      itemTitle: title(),
      lendingBranchId: lending,
      requestingBranchId: requesting,
      status: cancelled ? 'CANCELLED' : 'REQUESTED',
      requestedAt,
      dueOn: addDays(requestedAt.toISOString().slice(0, 10), DAYS_TO_DELIVER),
      runId: null,
      deliveredAt: null,
      version: 1,
    });
  }
  // Loan ids follow the order in which requests came in.
  loans.sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
  return { runs, stops, loans: loans.map((loan, i): InterlibraryLoan => ({ id: i + 1, ...loan })) };
}

/** Fills BiSC's transport tables (emptied first), after the kit's seed, in one transaction. */
export async function seedIbl(manager: EntityManager, options: SeedOptions): Promise<void> {
  await deleteAllRows(manager, IBL_ENTITIES);
  // Only current libraries' branches: a merged library is history and moves no loans.
  const branches = await manager
    .createQueryBuilder(BranchEntity, 'branch')
    .innerJoin(LibraryEntity.options.name, 'library', 'library.id = branch.libraryId')
    .where("library.status = 'ACTIVE'")
    .orderBy('branch.id', 'ASC')
    .getMany();
  const data = generateIblData(
    branches.map((b) => b.id),
    options,
  );
  await insertInChunks(manager, TransportRunEntity, data.runs);
  await insertInChunks(manager, TransportStopEntity, data.stops);
  await insertInChunks(manager, InterlibraryLoanEntity, data.loans);
}
