import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, loadDotEnv, PROJECT_ROOT, serviceEnvironment } from '../shared/config';
import { createLogger } from '../shared/logger';
import type { RunningSubgraph, SubgraphStartOptions } from '../shared/subgraph';
import { subgraphDefinition } from '../subgraphs/catalog';
import { testSecurityEnv } from './helpers/auth';
import { freePort } from './helpers/process-stack';

/** Runs a script with exactly `env` (plus PATH); resolves with its exit code and output, or kills it after `ms`. */
function runScript(args: string[], env: Record<string, string>, ms = 30_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const runSubgraphScript = (name: string, env: Record<string, string>) => runScript([path.join('scripts', 'start-subgraph.ts'), name], env);

describe('production defaults', () => {
  const secrets = testSecurityEnv();

  it('a subgraph whose database is down keeps trying with a growing wait, says it is not ready meanwhile, and gives up after DB_CONNECT_ATTEMPTS', async () => {
    const port = await freePort();
    const run = runSubgraphScript('cubiss', {
      ...secrets,
      CUBISS_PORT: String(port),
      CUBISS_DATABASE_URL: `mysql://cubiss:secret@127.0.0.1:${await freePort()}/poi_cubiss`,
      DB_CONNECT_ATTEMPTS: '4',
      DB_CONNECT_BACKOFF_MS: '1000',
    });
    // Between tries (1, 2, then 4 s) its port answers: alive, not ready.
    let ready: { status: number; body: any } | undefined;
    for (let poll = 0; poll < 300 && !ready; poll++) {
      const response = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
      if (response) ready = { status: response.status, body: await response.json() };
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready).toEqual({
      status: 503,
      body: { status: 'starting', reason: expect.stringMatching(/waiting for the database \(try \d of 4 failed: .*ECONNREFUSED/) },
    });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const { code, output } = await run;
    expect(code).toBe(1);
    expect(output.match(/database unreachable, trying again in \d+ ms/g)).toEqual([
      'database unreachable, trying again in 1000 ms',
      'database unreachable, trying again in 2000 ms',
      'database unreachable, trying again in 4000 ms',
    ]);
    expect(output).toMatch(/cubiss: its database did not answer in 4 tries \(.*ECONNREFUSED.*\); check CUBISS_DATABASE_URL/);
  }, 60_000);

  it('a production subgraph without its database URL refuses to start, naming the variable', async () => {
    const { code, output } = await runSubgraphScript('cubiss', {
      NODE_ENV: 'production',
      GATEWAY_PUBLIC_KEY: secrets.GATEWAY_PUBLIC_KEY,
      CURSOR_SECRET: secrets.CURSOR_SECRET,
      CUBISS_PORT: '0',
      CUBIS_DATABASE_URL: 'mysql://cubiss:secret@127.0.0.1:9/poi_cubiss',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/CUBISS_DATABASE_URL must be set with NODE_ENV=production/);
    expect(output).toMatch(/set but unknown: CUBIS_DATABASE_URL/);
  }, 40_000);

  it('npm run token needs only the client secret, and in production refuses without it', async () => {
    const token = ['scripts/token.ts', '--role', 'poi-staff', '--poi', 'cubiss'];
    const minted = await runScript(token, { NODE_ENV: 'production', AUTH_JWT_SECRET: secrets.AUTH_JWT_SECRET });
    expect(minted).toEqual({ code: 0, output: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/) });
    const refused = await runScript(token, { NODE_ENV: 'production' });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/No AUTH_JWT_SECRET: set the deployment's/);
  }, 40_000);

  it('the tools read a .env, the real environment winning', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dotenv-')), '.env');
    fs.writeFileSync(
      file,
      `AUTH_JWT_SECRET=from-file\nGATEWAY_PUBLIC_KEY=${JSON.stringify(secrets.GATEWAY_PUBLIC_KEY.trim())}\n# a comment\nLOG_LEVEL=debug\n`,
    );
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
    expect(loadDotEnv(file, env)).toEqual(['AUTH_JWT_SECRET', 'GATEWAY_PUBLIC_KEY']);
    expect(env).toEqual({ LOG_LEVEL: 'warn', AUTH_JWT_SECRET: 'from-file', GATEWAY_PUBLIC_KEY: secrets.GATEWAY_PUBLIC_KEY.trim() });
    expect(loadDotEnv(path.join(path.dirname(file), 'none'), env)).toEqual([]);
  });

  it('npm start hands each service only its own secrets', () => {
    const env = {
      PATH: '/usr/bin',
      OPERATIONS_TOKEN: 'o'.repeat(32),
      ...secrets,
      CUBISS_DATABASE_URL: 'mysql://cubiss:c@db/poi_cubiss',
      BISC_DATABASE_URL: 'mysql://bisc:b@db/poi_bisc',
      CUBISS_DB_PASSWORD: 'c',
      MYSQL_ROOT_PASSWORD: 'root',
    };
    const names = (service: string) => Object.keys(serviceEnvironment(env, service)).sort();
    expect(names('gateway')).toEqual(['AUTH_JWT_SECRET', 'GATEWAY_SIGNING_KEY', 'OPERATIONS_TOKEN', 'PATH', 'RATE_LIMIT_REQUESTS']);
    expect(names('cubiss')).toEqual(['CUBISS_DATABASE_URL', 'CURSOR_SECRET', 'GATEWAY_PUBLIC_KEY', 'OPERATIONS_TOKEN', 'PATH', 'RATE_LIMIT_REQUESTS']);
    expect(names('collaboration')).toEqual(['CURSOR_SECRET', 'GATEWAY_PUBLIC_KEY', 'OPERATIONS_TOKEN', 'PATH', 'RATE_LIMIT_REQUESTS']);
  });

  describe('demo data', () => {
    const config = loadConfig({ ...secrets, LOG_LEVEL: 'silent' });
    const started: RunningSubgraph[] = [];
    const start = async (name: string, demo: boolean) => {
      const options: SubgraphStartOptions = {
        port: 0,
        host: config.host,
        poolSize: 1,
        seed: { ...config.seed, demo },
        logger: createLogger(name, 'silent'),
        gatewayPublicKey: config.security.gatewayPublicKey!,
        cursorSecret: config.security.cursorSecret!,
        requestTimeoutMs: 5000,
        circuit: config.gateway.resilience,
        imports: config.imports,
        collaborationUrl: config.subgraphs[0].url,
      };
      const running = await subgraphDefinition(name).start(options);
      started.push(running);
      return running.database!.dataSource;
    };
    afterAll(async () => {
      for (const running of started) await running.stop();
    });

    it('without SEED_DEMO_DATA an empty database stays empty (just built), POI and collaboration alike', async () => {
      const cubiss = await start('cubiss', false);
      expect(await cubiss.query('SELECT COUNT(*) AS n FROM library')).toEqual([{ n: 0 }]);
      expect(await cubiss.query('SELECT COUNT(*) AS n FROM ticket')).toEqual([{ n: 0 }]);
      const collaboration = await start('collaboration', false);
      expect(await collaboration.query('SELECT COUNT(*) AS n FROM work_agenda_item')).toEqual([{ n: 0 }]);
    });

    it('with it, the demo data is there', async () => {
      const cubiss = await start('cubiss', true);
      const [{ n }] = await cubiss.query('SELECT COUNT(*) AS n FROM library');
      expect(n).toBeGreaterThan(0);
    });
  });
});
