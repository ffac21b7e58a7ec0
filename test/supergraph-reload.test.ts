import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composeSupergraph } from '../shared/supergraph';
import { SUBGRAPHS } from '../subgraphs/catalog';
import { startStack, Stack } from './helpers/stack';

const STEERING = '{ steeringGroup { name } }';

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the gateway follows supergraph.graphql', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supergraph-'));
    stack = await startStack({ supergraphPath: path.join(dir, 'supergraph.graphql') });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('switches to a changed file without a restart and without failing requests in flight', async () => {
    const file = path.join(dir, 'supergraph.graphql');
    const withoutSteeringGroup = composeSupergraph(
      SUBGRAPHS.map((s) => ({
        name: s.name,
        url: stack.subgraphs.get(s.name)!.url,
        sdl:
          s.name === 'collaboration'
            ? s.sdl.replace(/"The members of the steering group[^\n]*\n\s*steeringGroup: \[SteeringGroupMember!\][^\n]*\n/, '')
            : s.sdl,
      })),
    ).supergraphSdl;
    expect(withoutSteeringGroup).not.toContain('steeringGroup');

    const ok = async () => (await stack.query(STEERING)).data?.steeringGroup?.length === 3;
    expect(await ok()).toBe(true);

    // Traffic keeps flowing through both switches; none of it may fail.
    let running = true;
    const failures: unknown[] = [];
    let served = 0;
    const traffic = (async () => {
      while (running) {
        const response = await stack.query('{ pois { code stats { libraryCount } } }');
        if (response.errors || response.data?.pois?.length !== 4) failures.push(response);
        served += 1;
      }
    })();

    fs.writeFileSync(file, withoutSteeringGroup);
    await waitFor(async () => (await stack.query(STEERING)).errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');

    fs.writeFileSync(file, 'this is not a supergraph');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await stack.query(STEERING)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    fs.writeFileSync(file, stack.supergraphSdl);
    await waitFor(ok);
    running = false;
    await traffic;
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(10);
  });
});
