// An import must not take its POI offline (issue 18, item 6): while 100,000 tickets go in through
// POST /import, reads of that POI keep answering (p99 under a second) and writes still succeed;
// a file above the row cap (IMPORT_MAX_ROWS) or the size cap (IMPORT_MAX_BYTES) is refused with a
// clear error and nothing written.
import path from 'node:path';
import http from 'node:http';
import { Readable } from 'node:stream';
import { createIdentitySigner } from '../shared/auth/internal-token';
import { AuditEntryEntity, TicketEntity } from '../poi-kit/entities';
import { importRows, type ImportResult } from '../poi-kit/import';
import { readLibrarySources } from '../poi-kit/seed';
import { POIS } from '../shared/registry';
import { postGraphQL, startStack, Stack } from './helpers/stack';
import { ProcessStack, startProcessStack } from './helpers/process-stack';
import { testSecurityEnv, tokenFor } from './helpers/auth';
import { loadConfig } from '../shared/config';

const CUBISS = POIS.find((p) => p.code === 'CUBISS')!;
const ROWS = 100_000;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { IMPORT_MAX_ROWS: String(ROWS) } });
}, 60_000);
afterAll(() => stack?.stop());

/** The names of Cubiss's seeded libraries (its data/libraries.csv): the key a tickets file names them by. */
const CUBISS_LIBRARIES = readLibrarySources(path.join(__dirname, '..', 'subgraphs', 'cubiss', 'data', 'libraries.csv')).map((l) => l.organisation);

/** `count` new tickets over Cubiss's seeded libraries, references LOAD-000001… */
function ticketsCsv(count: number): string {
  const lines = ['reference,libraryName,title,category,priority,status,openedAt,resolvedAt,assignee,agendaItemId'];
  for (let i = 0; i < count; i++) {
    const opened = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace('.000', '');
    lines.push(
      `LOAD-${String(i + 1).padStart(6, '0')},${CUBISS_LIBRARIES[i % CUBISS_LIBRARIES.length]},Melding ${i + 1},CIRCULATION,P${(i % 4) + 1},OPEN,${opened},,,`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function postImport(content: string): Promise<{ status: number; body: ImportResult & { error?: string } }> {
  const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
  const token = await sign({ subject: 'load', name: 'import:load', scopes: ['poi:cubiss:write'], anonymous: false }, 'cubiss');
  const response = await fetch(`${stack.subgraphs.get('cubiss')!.url.replace(/\/graphql$/, '')}/import?entity=tickets`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: content,
  });
  return { status: response.status, body: (await response.json()) as ImportResult & { error?: string } };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

describe('with Cubiss in its own process, as deployed', () => {
  // Every service its own process (as npm start and the deployments run them): the import and the
  // reads share Cubiss's process, not the test's.
  const security = testSecurityEnv();
  let processes: ProcessStack;
  let clientToken: string;
  beforeAll(async () => {
    processes = await startProcessStack({ ...security, IMPORT_MAX_ROWS: String(ROWS) });
    clientToken = await tokenFor(loadConfig(security).security.clients, ['network:read', 'poi:cubiss:read', 'poi:cubiss:write'], 'load-test');
  }, 120_000);
  afterAll(() => processes?.stop());

  const ask = (query: string) => postGraphQL(processes.gatewayUrl, query, undefined, { authorization: `Bearer ${clientToken}` });
  const count = async () => (await ask('{ cubiss { tickets { totalCount } } }')).data.cubiss.tickets.totalCount as number;

  async function postImportTo(port: number, content: string): Promise<{ status: number; body: ImportResult & { error?: string } }> {
    const sign = await createIdentitySigner(security.GATEWAY_SIGNING_KEY);
    const token = await sign({ subject: 'load', name: 'import:load', scopes: ['poi:cubiss:write'], anonymous: false }, 'cubiss');
    const response = await fetch(`http://127.0.0.1:${port}/import?entity=tickets`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: content,
    });
    return { status: response.status, body: (await response.json()) as ImportResult & { error?: string } };
  }

  it('reads answer within a second (p99) and writes succeed while 100,000 tickets are imported; the import is complete', async () => {
    const before = await count();
    const file = ticketsCsv(ROWS);
    let importing = true;
    const latencies: number[] = [];
    const failures: unknown[] = [];
    // Two readers, back to back, bounded in count and time.
    const deadline = Date.now() + 150_000;
    const reader = async () => {
      while (importing && Date.now() < deadline && latencies.length < 20_000) {
        const started = performance.now();
        try {
          const response = await ask('{ cubiss { stats { libraryCount } } }');
          if (response.errors || !(response.data?.cubiss?.stats?.libraryCount > 0)) failures.push(response.errors ?? response.data);
        } catch (error) {
          failures.push(String(error));
        }
        latencies.push(performance.now() - started);
      }
    };
    // A write every 500 ms: it may wait for the batch being written, never time out.
    const writes: Promise<unknown>[] = [];
    const writer = async () => {
      for (let i = 0; importing && i < 100; i++) {
        writes.push(
          ask(`mutation { cubiss { createTicket(input: { libraryId: "3", title: "Tijdens import ${i}", category: FINES, priority: P3 }) { id } } }`).catch(
            (error) => ({
              errors: [String(error)],
            }),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const started = performance.now();
    const imported = postImportTo(processes.port('cubiss'), file).finally(() => (importing = false));
    await Promise.all([reader(), reader(), writer(), imported]);
    const importSeconds = (performance.now() - started) / 1000;
    const { status, body } = await imported;
    const written = await Promise.all(writes);

    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    console.log(
      `import of ${ROWS} rows: ${importSeconds.toFixed(1)} s; ${sorted.length} reads during it: p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms; ${written.length} writes`,
    );

    expect(failures.slice(0, 3)).toEqual([]);
    expect(sorted.length).toBeGreaterThan(20);
    expect(p99).toBeLessThan(1000);
    expect(status).toBe(200);
    expect(body).toMatchObject({ rows: ROWS, created: ROWS, updated: 0, errorCount: 0 });
    // Written in batches, each committed on its own (the deterministic side of "not one long block").
    expect(body.batches).toBeGreaterThanOrEqual(ROWS / 5_000);
    expect(written.filter((w) => (w as { errors?: unknown }).errors)).toEqual([]);
    expect(await count()).toBe(before + ROWS + written.length);
  }, 200_000);
});

it('a file above IMPORT_MAX_ROWS is refused with a clear error, nothing written', async () => {
  const db = stack.subgraphs.get('cubiss')!.database.dataSource;
  const before = { tickets: await db.manager.count(TicketEntity), audit: await db.manager.count(AuditEntryEntity) };
  const { status, body } = await postImport(ticketsCsv(ROWS + 1).replace(/LOAD-/g, 'OVER-'));
  expect(status).toBe(422);
  expect(body.errors).toEqual([
    { line: 0, column: '', reason: `the file has more than ${ROWS} rows (IMPORT_MAX_ROWS): split it into files of at most ${ROWS} rows` },
  ]);
  expect(body.created).toBe(0);
  expect({ tickets: await db.manager.count(TicketEntity), audit: await db.manager.count(AuditEntryEntity) }).toEqual(before);
}, 60_000);

it('an upload that declares more than IMPORT_MAX_BYTES is refused with 413 before it is read', async () => {
  const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
  const token = await sign({ subject: 'load', name: 'import:load', scopes: ['poi:cubiss:write'], anonymous: false }, 'cubiss');
  const { port } = new URL(stack.subgraphs.get('cubiss')!.url);
  const declared = stack.config.imports.maxBytes + 1;
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/import?entity=tickets',
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'content-length': declared, authorization: `Bearer ${token}` },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode!, body });
          request.destroy();
        });
      },
    );
    request.on('error', reject);
    request.write('reference,libraryName\n');
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body)).toEqual({ error: `the file is larger than ${declared - 1} bytes (IMPORT_MAX_BYTES)` });
});

it('the row and size caps hold for importRows too, also on a stream', async () => {
  const db = stack.subgraphs.get('cubiss')!.database.dataSource;
  const before = await db.manager.count(TicketEntity);
  const actor = { name: 'import:test', via: 'import' as const };
  const file = ticketsCsv(11).replace(/LOAD-/g, 'CAP-');
  const rows = await importRows(db, CUBISS, {
    entity: 'tickets',
    format: 'csv',
    content: Readable.from([file]),
    actor,
    limits: { maxRows: 10, maxBytes: 1_000_000 },
  });
  expect(rows.errors.map((e) => e.reason)).toEqual(['the file has more than 10 rows (IMPORT_MAX_ROWS): split it into files of at most 10 rows']);
  const bytes = await importRows(db, CUBISS, { entity: 'tickets', format: 'csv', content: file, actor, limits: { maxRows: 100, maxBytes: 500 } });
  expect(bytes.errors.map((e) => e.reason)).toEqual(['the file is larger than 500 bytes (IMPORT_MAX_BYTES)']);
  const json = await importRows(db, CUBISS, {
    entity: 'tickets',
    format: 'json',
    content: JSON.stringify(new Array(11).fill({})),
    actor,
    limits: { maxRows: 10, maxBytes: 1_000_000 },
  });
  expect(json.errors.map((e) => e.reason)).toEqual(['the file has more than 10 rows (IMPORT_MAX_ROWS): split it into files of at most 10 rows']);
  expect(await db.manager.count(TicketEntity)).toBe(before);
});
