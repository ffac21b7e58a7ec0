// The embedded default keeps its data (issue #15 item 1): each subgraph process started with a
// DATA_DIR keeps its database in <DATA_DIR>/<name>.sqlite. An answered write survives SIGKILL right
// after the answer; a SIGKILL in the middle of writing leaves a database that opens, passes
// PRAGMA integrity_check and holds every acknowledged write; a second start does not seed again; and
// `npm run reset` brings a fresh seed. Real processes (as `npm start` runs them) over real HTTP;
// what is on disk is read back with SQL on the file itself, not through the API under test.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createIdentitySigner } from '../shared/auth/internal-token';
import { portEnvironment } from '../shared/config';
import { serviceNodeArgs } from '../shared/service-process';
import { freePort, waitUntilReady } from './helpers/process-stack';
import { testSecurityEnv } from './helpers/auth';

const ROOT = path.resolve(__dirname, '..');
const ITERATIONS = 5;
jest.setTimeout(300_000);

const security = testSecurityEnv();
const signer = createIdentitySigner(security.GATEWAY_SIGNING_KEY);
const WRITER = { subject: 'persistence-test', name: 'persistence-test', scopes: ['poi:cubiss:write', 'poi:cubiss:read', 'network:read'], anonymous: false };

interface Service {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** Starts one subgraph as its own process over `dataDir`, and waits until it is ready. */
async function startSubgraph(name: string, dataDir: string): Promise<Service> {
  const port = await freePort();
  // The embedded database, also on the MariaDB run of .ci/run: no <NAME>_DATABASE_URL.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.endsWith('_DATABASE_URL')));
  const env = { ...inherited, ...security, DATA_DIR: dataDir, ...portEnvironment({ [name]: port }), LOG_LEVEL: 'warn', SEED_SCALE: '1' };
  const child = spawn(process.execPath, serviceNodeArgs(name, false), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  try {
    await waitUntilReady(`http://127.0.0.1:${port}/ready`, 90_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  }
  return { child, url: `http://127.0.0.1:${port}/graphql`, output };
}

function stop(service: Service, signal: NodeJS.Signals): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}

/** One mutation straight to the Cubiss subgraph, signed as the gateway would. */
async function mutate(
  service: Service,
  query: string,
): Promise<{ data?: { cubiss?: Record<string, { id: string; version?: number } | null> }; errors?: unknown[] }> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${await (await signer)(WRITER, 'cubiss')}` };
  const response = await fetch(service.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return (await response.json()) as never;
}

const createTicket = (title: string) =>
  `mutation { cubiss { createTicket(input: { libraryId: "1", title: "${title}", category: CIRCULATION, priority: P3 }) { id } } }`;

/** SQL on a database file, with no subgraph involved. */
async function onFile<T>(file: string, read: (query: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const dataSource = new DataSource({ type: 'better-sqlite3', database: file, fileMustExist: true });
  await dataSource.initialize();
  try {
    return await read((sql) => dataSource.query(sql));
  } finally {
    await dataSource.destroy();
  }
}

/** Rows per table of a database file (the migrations table aside). */
const tableCounts = (file: string) =>
  onFile(file, async (query) => {
    const tables = await query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
    const counts: Record<string, number> = {};
    for (const { name } of tables) counts[String(name)] = Number((await query(`SELECT COUNT(*) AS n FROM "${String(name)}"`))[0].n);
    return counts;
  });

let dataDir: string;
let running: Service[] = [];
const cubissFile = () => path.join(dataDir, 'cubiss.sqlite');

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poi-persistence-'));
});
afterEach(async () => {
  await Promise.all(running.map((service) => stop(service, 'SIGKILL')));
  running = [];
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(name = 'cubiss'): Promise<Service> {
  const service = await startSubgraph(name, dataDir);
  running.push(service);
  return service;
}

it('keeps the database in <DATA_DIR>/<name>.sqlite, in WAL mode', async () => {
  await start();
  expect(fs.existsSync(cubissFile())).toBe(true);
  expect(await onFile(cubissFile(), (query) => query('PRAGMA journal_mode'))).toEqual([{ journal_mode: 'wal' }]);
});

it('an answered write survives SIGKILL right after the answer, start after start', async () => {
  const created: string[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const service = await start();
    const answer = await mutate(service, createTicket(`Nach SIGKILL ${i}`));
    const id = answer.data?.cubiss?.createTicket?.id;
    expect(id).toBeDefined();
    created.push(id!);
    await stop(service, 'SIGKILL');
  }
  const found = await onFile(cubissFile(), (query) => query(`SELECT id, title FROM ticket WHERE title LIKE 'Nach SIGKILL %' ORDER BY id`));
  expect(found.map((row) => String(row.id))).toEqual(created);
  expect(found.map((row) => row.title)).toEqual(created.map((_, i) => `Nach SIGKILL ${i}`));
});

it('a SIGKILL in the middle of writing leaves a sound database with every acknowledged write', async () => {
  const acknowledged: string[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const service = await start();
    let killed = false;
    // Four writers at once, each writing until the process dies under it.
    const writer = async (w: number) => {
      for (let n = 0; !killed; n++) {
        try {
          const id = (await mutate(service, createTicket(`Lauf ${i} Schreiber ${w} Nr ${n}`))).data?.cubiss?.createTicket?.id;
          if (id && !killed) acknowledged.push(id);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(Math.random() * 800)));
    await stop(service, 'SIGKILL');
    killed = true;
    await Promise.all(writers);
  }
  expect(acknowledged.length).toBeGreaterThan(0);
  // The database opens again, for the subgraph too.
  await stop(await start(), 'SIGTERM');
  const { integrity, ids } = await onFile(cubissFile(), async (query) => ({
    integrity: await query('PRAGMA integrity_check'),
    ids: (await query(`SELECT id FROM ticket WHERE title LIKE 'Lauf %'`)).map((row) => String(row.id)),
  }));
  expect(integrity).toEqual([{ integrity_check: 'ok' }]);
  expect(ids).toEqual(expect.arrayContaining(acknowledged));
});

it('a second start does not seed again: counts and a changed seed row stay as they were', async () => {
  let cubiss = await start();
  let collaboration = await start('collaboration');
  await Promise.all([stop(cubiss, 'SIGTERM'), stop(collaboration, 'SIGTERM')]);
  const seeded = await tableCounts(cubissFile());
  const seededCollaboration = await tableCounts(path.join(dataDir, 'collaboration.sqlite'));
  expect(seeded.ticket).toBeGreaterThan(0);
  expect(seededCollaboration.work_agenda_item).toBeGreaterThan(0);

  cubiss = await start();
  const changed = await mutate(
    cubiss,
    `mutation { cubiss { updateTicket(id: "1", input: { title: "Door de gebruiker gewijzigd", expectedVersion: 1 }) { id version } } }`,
  );
  expect(changed.data?.cubiss?.updateTicket).toEqual({ id: '1', version: 2 });
  await stop(cubiss, 'SIGTERM');
  cubiss = await start();
  collaboration = await start('collaboration');
  await Promise.all([stop(cubiss, 'SIGTERM'), stop(collaboration, 'SIGTERM')]);

  const after = await tableCounts(cubissFile());
  // The update wrote one audit entry; nothing else changed.
  expect(after).toEqual({ ...seeded, audit_entry: seeded.audit_entry + 1 });
  expect(await tableCounts(path.join(dataDir, 'collaboration.sqlite'))).toEqual(seededCollaboration);
  expect(await onFile(cubissFile(), (query) => query('SELECT title, version FROM ticket WHERE id = 1'))).toEqual([
    { title: 'Door de gebruiker gewijzigd', version: 2 },
  ]);
});

it('npm run reset deletes the databases: the next start seeds anew', async () => {
  let cubiss = await start();
  await stop(cubiss, 'SIGTERM');
  const seeded = await tableCounts(cubissFile());
  const seededTicket = await onFile(cubissFile(), (query) => query('SELECT title, version FROM ticket WHERE id = 1'));
  cubiss = await start();
  await mutate(cubiss, createTicket('Vor dem Zurücksetzen'));
  await mutate(cubiss, `mutation { cubiss { updateTicket(id: "1", input: { title: "Gewijzigd", expectedVersion: 1 }) { id } } }`);
  await stop(cubiss, 'SIGTERM');
  expect((await tableCounts(cubissFile())).ticket).toBe(seeded.ticket + 1);

  const reset = spawnSync(process.execPath, ['--import', 'tsx', path.join('scripts', 'reset.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  expect(reset.status).toBe(0);
  expect(reset.stdout).toContain('cubiss.sqlite');
  expect(fs.existsSync(cubissFile())).toBe(false);

  cubiss = await start();
  await stop(cubiss, 'SIGTERM');
  expect(await tableCounts(cubissFile())).toEqual(seeded);
  expect(await onFile(cubissFile(), (query) => query('SELECT title, version FROM ticket WHERE id = 1'))).toEqual(seededTicket);
});
