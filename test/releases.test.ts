import fs from 'node:fs';
import path from 'node:path';
import { startGateway } from '../gateway/src/gateway';
import { KIT_VERSION } from '../poi-kit/version';
import { createLogger } from '../shared/logger';
import { expectedFingerprints, NO_KIT, schemaFingerprint } from '../shared/release';
import { composeSupergraph } from '../shared/supergraph';
import { SUBGRAPHS } from '../subgraphs/catalog';
import { Stack, startStack } from './helpers/stack';

const sdlOf = (name: string) => SUBGRAPHS.find((s) => s.name === name)!.sdl;
const OWN_FIELD = '\nextend type CubissPoi { rollMarker: String }\n';
const json = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers })).json() as Promise<any>;
const base = (url: string) => url.replace(/\/graphql$/, '');

describe('schema fingerprints', () => {
  it('ignore comments and layout, and change with the schema', () => {
    const sdl = sdlOf('cubiss');
    expect(schemaFingerprint(sdl)).toMatch(/^[0-9a-f]{12}$/);
    expect(schemaFingerprint(`# a comment\n${sdl.replace(/\n/g, '\n\n')}`)).toBe(schemaFingerprint(sdl));
    expect(schemaFingerprint(sdl + OWN_FIELD)).not.toBe(schemaFingerprint(sdl));
  });

  it('are recorded in the composed supergraph for every subgraph (the committed file included)', () => {
    const expected = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, schemaFingerprint(s.sdl)]));
    const composed = composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, url: `http://127.0.0.1:1/${s.name}`, sdl: s.sdl }))).supergraphSdl;
    expect(expectedFingerprints(composed)).toEqual(expected);
    expect(expectedFingerprints(fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8'))).toEqual(expected);
  });
});

describe('build info of every subgraph, and the gateway listing it', () => {
  const OPERATIONS_TOKEN = 'r'.repeat(40);
  const withToken = { authorization: `Bearer ${OPERATIONS_TOKEN}` };
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { OPERATIONS_TOKEN } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('a POI subgraph reports its kit version and schema fingerprint in /ready (with the operations token only) and /metrics', async () => {
    const cubiss = base(stack.subgraphs.get('cubiss')!.url);
    expect(await json(`${cubiss}/ready`)).toEqual({ status: 'ready' });
    expect(await json(`${cubiss}/ready`, withToken)).toEqual({
      status: 'ready',
      service: 'cubiss',
      database: 'up',
      kitVersion: KIT_VERSION,
      schemaFingerprint: schemaFingerprint(sdlOf('cubiss')),
    });
    const metrics = await (await fetch(`${cubiss}/metrics`, { headers: withToken })).text();
    const info = metrics.split('\n').filter((line) => line.startsWith('subgraph_build_info{'));
    expect(info).toHaveLength(1);
    expect(info[0]).toContain(`kit_version="${KIT_VERSION}"`);
    expect(info[0]).toContain(`schema_fingerprint="${schemaFingerprint(sdlOf('cubiss'))}"`);
    expect(info[0]).toMatch(/\} 1$/);
  });

  it('the collaboration says it is built on no kit', async () => {
    const collaboration = base(stack.subgraphs.get('collaboration')!.url);
    expect(await json(`${collaboration}/ready`, withToken)).toMatchObject({ kitVersion: NO_KIT, schemaFingerprint: schemaFingerprint(sdlOf('collaboration')) });
    expect(await (await fetch(`${collaboration}/metrics`, { headers: withToken })).text()).toContain(`kit_version="${NO_KIT}"`);
  });

  it("the gateway's /ready lists each subgraph's build next to the fingerprint its supergraph expects", async () => {
    const ready = await json(`${base(stack.gateway.url)}/ready`, withToken);
    expect(Object.keys(ready.subgraphs).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
    for (const { name, sdl } of SUBGRAPHS) {
      expect(ready.subgraphs[name]).toEqual({
        status: 'up',
        circuit: 'closed',
        // The network subgraph keeps no data (no database) and, like the collaboration, is not built on the kit.
        database: name === 'network' ? 'none' : 'up',
        kitVersion: name === 'collaboration' || name === 'network' ? NO_KIT : KIT_VERSION,
        schemaFingerprint: schemaFingerprint(sdl),
        expectedFingerprint: schemaFingerprint(sdl),
        schemaMatches: true,
      });
    }
    expect(await json(`${base(stack.gateway.url)}/ready`)).toEqual({ status: 'ready' });
  });

  it('shows a mismatch for the one subgraph whose schema is not the one composed', async () => {
    const changed = SUBGRAPHS.map((s) => ({ name: s.name, url: stack.subgraphs.get(s.name)!.url, sdl: s.name === 'cubiss' ? s.sdl + OWN_FIELD : s.sdl }));
    const gateway = await startGateway({
      supergraph: { sdl: composeSupergraph(changed).supergraphSdl },
      subgraphUrls: {},
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('test', 'silent'),
      security: stack.config.security,
      operations: stack.config.operations,
    });
    try {
      const { subgraphs } = await json(`${base(gateway.url)}/ready`, withToken);
      expect(subgraphs.cubiss).toMatchObject({
        schemaFingerprint: schemaFingerprint(sdlOf('cubiss')),
        expectedFingerprint: schemaFingerprint(sdlOf('cubiss') + OWN_FIELD),
        schemaMatches: false,
      });
      for (const name of SUBGRAPHS.map((s) => s.name).filter((n) => n !== 'cubiss')) expect(subgraphs[name].schemaMatches).toBe(true);
    } finally {
      await gateway.stop();
    }
  });
});
