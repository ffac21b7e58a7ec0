// `npm run bench:import`: how fast the bulk import (poi-kit/import.ts) takes 100,000 tickets.
//
// On a fresh, seeded POI database, in this process, with `importRows` directly (no HTTP), it times
//   1. create: a 100,000-row CSV of new tickets (all inserted and audited, in transactions of 1,000 rows),
//   2. unchanged: the same file again (every row compared, nothing written),
//   3. update: the file with every 10th ticket changed (10,000 updates, version + 1, audited),
// first on the embedded database (SQLite, what `npm start` runs), then, when a POI has a
// <NAME>_DATABASE_URL (BISC_DATABASE_URL, …), on that MySQL/MariaDB schema. That schema is
// RESEEDED before and after (all its data replaced by the demo seed), as the tests do: point it at
// a scratch schema, never at real data.
// Results: a table on stdout, JSON in bench/results/import.json; progress on stderr.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../shared/config';
import { embeddedDatabaseFile, openDatabase } from '../shared/db';
import { TicketEntity } from '../poi-kit/entities';
import { ImportEntity, ImportProgress, importRows } from '../poi-kit/import';
import { POI_SCHEMA } from '../poi-kit/subgraph';
import { readLibrarySources, seedPoiDatabase } from '../poi-kit/seed';
import { Poi, POIS } from '../shared/registry';
import { ticketsCsv as ticketsCsvOf } from './tickets-csv';

const ROWS = 100_000;
/** ROWS tickets over the POI's seeded libraries; `changed` rewrites every 10th. */
const ticketsCsv = (libraryNames: string[], changed: boolean) => ticketsCsvOf(libraryNames, ROWS, changed);
const RESULTS_PATH = path.join(PROJECT_ROOT, 'bench', 'results', 'import.json');
interface Run {
  run: 'create' | 'unchanged' | 'update';
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  seconds: number;
  /** Reading and checking the file, looking up existing rows and references. */
  checkSeconds: number;
  /** Inserts, updates and audit entries (0 when nothing changes). */
  writeSeconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
}

async function bench(kind: 'embedded' | 'mysql', poi: Poi, databaseUrl?: string): Promise<Run[]> {
  const sources = readLibrarySources(path.join(PROJECT_ROOT, 'subgraphs', poi.subgraphName, 'data', 'libraries.csv'));
  // Embedded: a SQLite file in a temporary folder, as `npm start` keeps one in DATA_DIR.
  const dataDir = kind === 'embedded' ? fs.mkdtempSync(path.join(os.tmpdir(), 'poi-bench-import-')) : undefined;
  const database = await openDatabase({
    subgraph: poi.subgraphName,
    databaseUrl,
    embeddedFile: embeddedDatabaseFile(dataDir, poi.subgraphName),
    ...POI_SCHEMA,
    poolSize: 2,
  });
  const { dataSource } = database;
  const seed = { scale: 1, referenceDate: '2026-11-01', reset: true };
  try {
    await seedPoiDatabase(dataSource, poi, sources, seed);
    const files = {
      create: ticketsCsv(
        sources.map((s) => s.organisation),
        false,
      ),
      unchanged: '',
      update: ticketsCsv(
        sources.map((s) => s.organisation),
        true,
      ),
    };
    files.unchanged = files.create;
    const runs: Run[] = [];
    for (const run of ['create', 'unchanged', 'update'] as const) {
      const label = `${kind} ${poi.subgraphName} ${run}`;
      let writingAt: number | undefined;
      let last = 0;
      let peakRss = process.memoryUsage().rss;
      const onProgress = (p: ImportProgress) => {
        if (p.phase === 'writing' && writingAt === undefined) writingAt = performance.now();
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (process.stderr.isTTY && performance.now() - last > 200) {
          last = performance.now();
          process.stderr.write(`\r\x1b[2K${label}: ${p.phase} ${p.done}/${p.total}`);
        }
      };
      const started = performance.now();
      const entity: ImportEntity = 'tickets';
      // No collaboration subgraph runs here: every work-agenda id counts as existing (in a real import that check is one HTTP call).
      const result = await importRows(dataSource, poi, {
        entity,
        format: 'csv',
        content: files[run],
        actor: { name: 'bench', via: 'import' },
        onProgress,
        agendaItems: async (ids) => new Set(ids),
      });
      const ended = performance.now();
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      if (result.errorCount > 0) throw new Error(`${label}: ${result.errorCount} errors, e.g. ${JSON.stringify(result.errors[0])}`);
      const seconds = (ended - started) / 1000;
      const entry: Run = {
        run,
        rows: result.rows,
        created: result.created,
        updated: result.updated,
        unchanged: result.unchanged,
        seconds: round(seconds),
        checkSeconds: round(((writingAt ?? ended) - started) / 1000),
        writeSeconds: round((ended - (writingAt ?? ended)) / 1000),
        rowsPerSecond: Math.round(result.rows / seconds),
        peakRssMb: Math.round(peakRss / 1e6),
      };
      process.stderr.write(`${label}: ${entry.created} created, ${entry.updated} updated, ${entry.unchanged} unchanged in ${entry.seconds} s\n`);
      runs.push(entry);
    }
    const tickets = await dataSource.manager.count(TicketEntity);
    process.stderr.write(`${kind}: ${tickets} tickets in the database after the runs\n`);
    // Leave a MySQL schema as the tests leave it: the demo seed, without the 100,000 bench tickets.
    if (kind === 'mysql') await seedPoiDatabase(dataSource, poi, sources, seed);
    return runs;
  } finally {
    await dataSource.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

async function main() {
  const config = loadConfig();
  const cubiss = POIS.find((p) => p.code === 'CUBISS')!;
  const results: { database: string; poi: string; runs: Run[] }[] = [];
  results.push({ database: 'embedded (SQLite)', poi: cubiss.code, runs: await bench('embedded', cubiss) });
  const onMySql = POIS.map((poi) => ({ poi, url: config.subgraphs.find((s) => s.name === poi.subgraphName)?.databaseUrl })).find((p) => p.url);
  if (onMySql) {
    process.stderr.write(`${onMySql.poi.subgraphName.toUpperCase()}_DATABASE_URL is set: benchmarking on MySQL too (the schema is reseeded)\n`);
    const [version] = await (async () => {
      const { dataSource } = await openDatabase({ subgraph: onMySql.poi.subgraphName, databaseUrl: onMySql.url, ...POI_SCHEMA, poolSize: 1 });
      try {
        return (await dataSource.query('SELECT VERSION() AS version')) as { version: string }[];
      } finally {
        await dataSource.destroy();
      }
    })();
    results.push({ database: `MySQL/MariaDB ${version.version}`, poi: onMySql.poi.code, runs: await bench('mysql', onMySql.poi, onMySql.url) });
  } else {
    process.stderr.write('no <POI>_DATABASE_URL set: embedded database only\n');
  }

  const cpus = os.cpus();
  const machine = { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}` };
  const lines = [
    `Import of ${ROWS.toLocaleString('en')} tickets (CSV, transactions of 1,000 rows, importRows in-process) — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
    '',
    '| database | run | created | updated | unchanged | seconds | check s | write s | rows/s | peak RSS MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.flatMap(({ database, runs }) =>
      runs.map(
        (r) =>
          `| ${database} | ${r.run} | ${r.created} | ${r.updated} | ${r.unchanged} | ${r.seconds} | ${r.checkSeconds} | ${r.writeSeconds} | ${r.rowsPerSecond} | ${r.peakRssMb} |`,
      ),
    ),
  ];
  console.log(lines.join('\n'));
  fs.mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  const report = {
    benchmark: 'import',
    date: new Date().toISOString(),
    machine,
    method: {
      rows: ROWS,
      entity: 'tickets',
      format: 'csv',
      runs: 'create (all new), unchanged (same file again), update (every 10th row changed)',
      database: 'a fresh POI database seeded at scale 1; importRows called directly, no HTTP',
    },
    results,
  };
  fs.writeFileSync(RESULTS_PATH, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`wrote ${path.relative(process.cwd(), RESULTS_PATH)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
