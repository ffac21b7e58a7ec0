import type { DataSource } from 'typeorm';
import { startStack, Stack } from './helpers/stack';

/**
 * A write that fails halfway leaves nothing behind: not its rows, not its audit entries. The
 * failure is injected in the database itself (a trigger refusing one branch's insert), so it
 * strikes inside the write's transaction after the library row and its audit entry are written.
 * Counted with SQL straight on Cubiss's database, on the embedded database and on MySQL alike.
 */

let stack: Stack;
let db: DataSource;
const mysql = () => db.options.type === 'mysql' || db.options.type === 'mariadb';

beforeAll(async () => {
  stack = await startStack();
  db = stack.subgraphs.get('cubiss')!.database.dataSource;
  await db.query(
    mysql()
      ? `CREATE TRIGGER test_refuse_branch BEFORE INSERT ON branch FOR EACH ROW
         BEGIN IF NEW.name = 'Faalvestiging' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'; END IF; END`
      : `CREATE TRIGGER test_refuse_branch BEFORE INSERT ON branch WHEN NEW.name = 'Faalvestiging'
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
  );
});
afterAll(async () => {
  if (db?.isInitialized) await db.query('DROP TRIGGER IF EXISTS test_refuse_branch');
  await stack?.stop();
});

const UPSERT = `mutation Upsert($input: LibraryInput!) { cubiss { upsertLibrary(input: $input) { id } } }`;

const library = (code: string, branches: string[]) => ({
  name: `Bibliotheek ${code}`,
  province: 'LIMBURG',
  municipalities: ['Roermond'],
  mainCity: 'Roermond',
  memberCount: 1000,
  branches: branches.map((name, i) => ({ name, city: 'Roermond', postalCode: '6041 AB', isMain: i === 0 })),
});

/** Rows of the library named after this code, the branches and the audit trail, counted with SQL. */
async function rows(code: string) {
  const count = async (sql: string, parameters: unknown[] = []) => Number((await db.query(sql, parameters))[0].n);
  return {
    library: await count('SELECT COUNT(*) AS n FROM library WHERE name = ?', [`Bibliotheek ${code}`]),
    branches: await count('SELECT COUNT(*) AS n FROM branch'),
    audit: await count('SELECT COUNT(*) AS n FROM audit_entry'),
  };
}

describe('a write that fails halfway', () => {
  it('writes the library, its branches and their audit entries when nothing fails (the control)', async () => {
    const before = await rows('CUBI-971');
    const response = await stack.query(UPSERT, { input: library('CUBI-971', ['Hoofdvestiging Proef', 'Vestiging Proef']) });
    expect(response.errors).toBeUndefined();
    // One library, two branches; one audit entry for each of the three.
    expect(await rows('CUBI-971')).toEqual({ library: 1, branches: before.branches + 2, audit: before.audit + 3 });
  });

  it('rolls back the library and its audit entry together when a later step fails', async () => {
    const before = await rows('CUBI-972');
    expect(before.library).toBe(0);
    // The library and its audit entry are written first, then the main branch, then the one the trigger refuses.
    const response = await stack.query(UPSERT, { input: library('CUBI-972', ['Hoofdvestiging Faal', 'Faalvestiging']) });
    expect(response.errors).toHaveLength(1);
    // The injected failure, not a refused input: an internal error that names nothing of the database.
    expect(response.errors![0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(response.data?.cubiss?.upsertLibrary ?? null).toBeNull();
    expect(JSON.stringify(response.errors)).not.toMatch(/injected failure|INSERT|branch/i);
    expect(await rows('CUBI-972')).toEqual(before);
  });
});
