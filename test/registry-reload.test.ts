// A new POI joins a running federation (issue 13, item 4): `npm run poi:add` on a project that
// `npm start` is serving, and without restarting anything the gateway answers with the new POI:
// the collaboration follows registry.json, the launcher starts the new POI's subgraph, the
// gateway follows supergraph.graphql.
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { portEnvironment, SUBGRAPH_NAMES } from '../shared/config';
import { testSecurityEnv } from './helpers/auth';
import { freePort, freePorts } from './helpers/process-stack';
import { copyProject } from './helpers/project-copy';

jest.setTimeout(240_000);

const QUERY = '{ pois { code } fryslan { name } }';

async function ask(gatewayUrl: string, query: string): Promise<{ data?: any; errors?: any[] } | undefined> {
  try {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(5000),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  } catch {
    return undefined;
  }
}

/** Asks until `done` holds or `timeoutMs` passes; the last answer either way. */
async function askUntil(gatewayUrl: string, query: string, done: (answer: Awaited<ReturnType<typeof ask>>) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let answer = await ask(gatewayUrl, query);
  while (!done(answer) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    answer = await ask(gatewayUrl, query);
  }
  return answer;
}

describe('a POI added while npm start runs', () => {
  let project: ReturnType<typeof copyProject>;
  let launcher: ChildProcess | undefined;
  const output: string[] = [];
  afterAll(async () => {
    if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
      const exited = new Promise((resolve) => launcher!.once('exit', resolve));
      process.kill(-launcher.pid!, 'SIGTERM');
      await exited;
    }
    project?.remove();
  });

  it('is served by the running federation without a restart, within a bounded time', async () => {
    project = copyProject();
    const ports = await freePorts(['gateway', ...SUBGRAPH_NAMES]);
    launcher = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'start.ts')], {
      cwd: project.root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.endsWith('_DATABASE_URL'))),
        ...testSecurityEnv(),
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        RESPONSE_CACHE: 'off',
        ...portEnvironment(ports),
      },
    });
    launcher.stdout!.on('data', (chunk) => output.push(String(chunk)));
    launcher.stderr!.on('data', (chunk) => output.push(String(chunk)));
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;

    const before = await askUntil(gatewayUrl, '{ pois { code } }', (answer) => answer?.data?.pois?.length === 4, 120_000);
    const codes = before?.data?.pois?.map((p: { code: string }) => p.code);
    expect({ codes, answer: codes ? undefined : before, log: codes ? '' : output.join('').slice(-4000) }).toEqual({
      codes: ['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK'],
      answer: undefined,
      log: '',
    });
    const seen = output.join('').length; // the launcher's output so far, to read only what follows
    const started = Date.now();

    const fryslanPort = await freePort();
    const added = project.run('scripts/poi-add.ts', [
      '--code',
      'FRYSLAN',
      '--name',
      'Bibliotheekservice Fryslân',
      '--provinces',
      'FRIESLAND',
      '--port',
      String(fryslanPort),
    ]);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);

    const served = (answer: Awaited<ReturnType<typeof ask>>) =>
      !answer?.errors && answer?.data?.fryslan?.name === 'Bibliotheekservice Fryslân' && answer.data.pois.some((p: { code: string }) => p.code === 'FRYSLAN');
    const after = await askUntil(gatewayUrl, QUERY, served, 90_000);
    const log = output.join('');
    expect({ after, log: served(after) ? '' : log.slice(-4000) }).toEqual({
      after: {
        data: { pois: ['BISC', 'CUBISS', 'FRYSLAN', 'PROBIBLIO', 'RIJNBRINK'].map((code) => ({ code })), fryslan: { name: 'Bibliotheekservice Fryslân' } },
      },
      log: '',
    });
    expect(Date.now() - started).toBeLessThan(90_000);
    // Nothing was restarted: the launcher started one new process, and no service exited.
    expect(log.slice(seen)).not.toMatch(/exited \(/);
    expect(launcher.exitCode).toBeNull();
    // The tool says what a running federation does with the new POI.
    expect(added.stdout).toMatch(/running `npm start` .*without a restart/s);
  });
});
