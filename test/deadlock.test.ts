// Two transactions that lock the same rows in opposite orders: InnoDB rolls one back as the
// deadlock's victim, and shared/db.ts transaction() runs it again instead of failing the write
// (two collaboration writes in one request run in parallel and deadlocked once on MariaDB in CI).
import type { DataSource, EntityManager } from 'typeorm';
import { DEADLOCK_ATTEMPTS, openDatabase, transaction } from '../shared/db';

const mysqlUrl = process.env.COLLABORATION_DATABASE_URL;

/** A data source of the MySQL kind whose transactions fail as `failures` says, counting the runs. */
function scriptedMysql(failures: unknown[]) {
  const runs = { count: 0 };
  const dataSource = {
    options: { type: 'mysql' },
    transaction: async (work: (manager: EntityManager) => Promise<unknown>) => {
      runs.count += 1;
      const failure = failures.shift();
      if (failure) throw failure;
      return work({} as EntityManager);
    },
  } as unknown as DataSource;
  return { dataSource, runs };
}

const deadlock = () =>
  Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });

describe('transactions and deadlocks', () => {
  it("runs a deadlock's victim again, and answers with its result", async () => {
    const { dataSource, runs } = scriptedMysql([deadlock()]);
    await expect(transaction(dataSource, async () => 'written')).resolves.toBe('written');
    expect(runs.count).toBe(2);
  });

  it('gives up after a bounded number of runs, with the deadlock as the error', async () => {
    const { dataSource, runs } = scriptedMysql(Array.from({ length: 10 }, deadlock));
    await expect(transaction(dataSource, async () => 'written')).rejects.toMatchObject({ code: 'ER_LOCK_DEADLOCK' });
    expect(runs.count).toBe(DEADLOCK_ATTEMPTS);
  });

  it('never repeats a transaction that failed for another reason', async () => {
    const duplicate = Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' });
    const { dataSource, runs } = scriptedMysql([duplicate]);
    await expect(transaction(dataSource, async () => 'written')).rejects.toBe(duplicate);
    expect(runs.count).toBe(1);
  });

  (mysqlUrl ? it : it.skip)(
    `on MySQL, two transactions locking rows in opposite orders both commit${mysqlUrl ? '' : ' (skipped: MySQL only; the embedded engine runs one transaction at a time)'}`,
    async () => {
      const { dataSource } = await openDatabase({ subgraph: 'collaboration', databaseUrl: mysqlUrl, entities: [], migrations: [], poolSize: 4 });
      try {
        await dataSource.query('CREATE TABLE IF NOT EXISTS deadlock_probe (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB');
        await dataSource.query('INSERT INTO deadlock_probe (id, n) VALUES (1, 0), (2, 0) ON DUPLICATE KEY UPDATE n = 0');
        // Each locks its first row, waits until the other holds its own, then wants the other's.
        let held = 0;
        const bothHold = new Promise<void>((resolve) => {
          const check = setInterval(() => held >= 2 && (clearInterval(check), resolve()), 5);
        });
        const runs = { count: 0 };
        const write = (first: number, second: number) =>
          transaction(dataSource, async (manager) => {
            runs.count += 1;
            await manager.query('UPDATE deadlock_probe SET n = n + 1 WHERE id = ?', [first]);
            held += 1;
            await bothHold;
            await manager.query('UPDATE deadlock_probe SET n = n + 1 WHERE id = ?', [second]);
          });
        await expect(Promise.all([write(1, 2), write(2, 1)])).resolves.toBeDefined();
        expect(runs.count).toBe(3); // the victim ran twice
        const rows: { id: number; n: number }[] = await dataSource.query('SELECT id, n FROM deadlock_probe ORDER BY id');
        expect(rows.map((r) => Number(r.n))).toEqual([2, 2]);
      } finally {
        await dataSource.query('DROP TABLE IF EXISTS deadlock_probe').catch(() => undefined);
        await dataSource.destroy();
      }
    },
    30_000,
  );
});
