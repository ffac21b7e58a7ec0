import fs from 'node:fs';
import path from 'node:path';
import { expectedFingerprints } from '../shared/release';
import { POIS } from '../shared/registry';
import { testSecurityEnv } from './helpers/auth';
import { ProcessStack, startProcessStack } from './helpers/process-stack';
import { copyProject } from './helpers/project-copy';
import { postGraphQL } from './helpers/stack';

/**
 * Separate releases: one POI rolls alone to a new schema (a field of its own) while traffic runs.
 * Every service is its own process (as `npm start` runs them) in a copy of the project; only the
 * rolled POI's process restarts, the supergraph is recomposed, and the gateway follows the file.
 */
const OPERATIONS_TOKEN = 'p'.repeat(40);
const SERVICES = ['gateway', 'collaboration', ...POIS.map((p) => p.subgraphName)];
const index = (folder: string) => path.join(folder, 'index.ts');
const PLAIN_KIT = /definePoiSubgraph\((poiByCode\('[A-Z0-9]+'\)), __dirname\);/;

// The POI rolled: Cubiss unless its folder already adds something of its own (then the first that adds nothing).
const rolled = [...POIS]
  .sort((a, b) => Number(b.code === 'CUBISS') - Number(a.code === 'CUBISS'))
  .find((poi) => {
    const folder = path.join(__dirname, '..', 'subgraphs', poi.subgraphName);
    return !fs.existsSync(path.join(folder, 'schema.graphql')) && PLAIN_KIT.test(fs.readFileSync(index(folder), 'utf8'));
  })!;
const others = POIS.filter((p) => p !== rolled);
const queryOf = (rootField: string) => `{ ${rootField} { code libraries(first: 1) { totalCount } } }`;
const MARKER = `{ ${rolled.rootField} { code rollMarker } }`;

let copy: ReturnType<typeof copyProject>;
let stack: ProcessStack;
beforeAll(async () => {
  copy = copyProject();
  stack = await startProcessStack({ ...testSecurityEnv(), OPERATIONS_TOKEN, CIRCUIT_COOLDOWN_MS: '500' }, copy.root);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  copy?.remove();
});

const gatewayReady = async () => {
  const response = await fetch(stack.gatewayUrl.replace(/graphql$/, 'ready'), { headers: { authorization: `Bearer ${OPERATIONS_TOKEN}` } });
  return ((await response.json()) as { subgraphs: Record<string, { schemaFingerprint?: string; expectedFingerprint?: string; schemaMatches?: boolean }> })
    .subgraphs;
};

/** Writes the POI's new release into its own folder of the copy: a field of its own and its resolver. */
function writeRelease(): void {
  const folder = path.join(copy.root, 'subgraphs', rolled.subgraphName);
  fs.writeFileSync(path.join(folder, 'schema.graphql'), `extend type ${rolled.typeName} {\n  "Set by the release-roll test."\n  rollMarker: String\n}\n`);
  const entry = fs.readFileSync(index(folder), 'utf8');
  const extension = `{ resolvers: { ${rolled.typeName}: { rollMarker: (poi: { code: string }) => \`\${poi.code} rolled\` } } }`;
  fs.writeFileSync(index(folder), entry.replace(PLAIN_KIT, `definePoiSubgraph($1, __dirname, ${extension});`));
}

it(`rolls ${rolled.name} alone to a new schema while traffic runs: the gateway follows, nothing else restarts or fails`, async () => {
  const pids = Object.fromEntries(SERVICES.map((name) => [name, stack.pid(name)]));
  const before = await gatewayReady();
  expect(Object.values(before).every((s) => s.schemaMatches)).toBe(true);
  expect((await postGraphQL(stack.gatewayUrl, MARKER)).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

  // Steady traffic, two clients taking turns over every POI, until the roll is done (bounded).
  const answered = new Map<string, { ok: number; failed: string[] }>(POIS.map((p) => [p.rootField, { ok: 0, failed: [] }]));
  let rolling = true;
  const stopBy = Date.now() + 150_000;
  const client = async (worker: number) => {
    for (let i = worker; rolling && Date.now() < stopBy; i++) {
      const poi = POIS[i % POIS.length];
      const response = await postGraphQL(stack.gatewayUrl, queryOf(poi.rootField)).catch((error: Error) => ({
        status: 0,
        data: undefined,
        errors: [{ message: error.message }],
      }));
      const tally = answered.get(poi.rootField)!;
      if (response.status === 200 && !response.errors && response.data?.[poi.rootField]?.code === poi.code) tally.ok++;
      else tally.failed.push(`${response.status} ${JSON.stringify(response.errors)}`);
    }
  };
  const traffic = Promise.all([0, 1].map(client));
  const okCounts = () => others.map((p) => answered.get(p.rootField)!.ok);
  const whenEachOtherGets = async (more: number) => {
    const target = okCounts().map((n) => n + more);
    while (okCounts().some((n, i) => n < target[i]) && Date.now() < stopBy) await new Promise((resolve) => setTimeout(resolve, 50));
  };

  try {
    await whenEachOtherGets(10);
    writeRelease();
    // Deploy the POI: its process alone restarts, on its new code and schema.
    expect(await stack.kill(rolled.subgraphName, 'SIGTERM')).toBe(0);
    await stack.start(rolled.subgraphName);
    await whenEachOtherGets(10);
    // Deployed but not yet composed: /ready shows the mismatch for that POI alone.
    const deployed = await gatewayReady();
    expect(deployed[rolled.subgraphName]).toMatchObject({ schemaMatches: false, expectedFingerprint: before[rolled.subgraphName].schemaFingerprint });
    expect(others.every((p) => deployed[p.subgraphName].schemaMatches)).toBe(true);

    // Recompose: the running gateway follows supergraph.graphql.
    const compose = copy.run('scripts/compose.ts', []);
    expect({ status: compose.status, stderr: compose.stderr }).toEqual({ status: 0, stderr: '' });
    let marker = await postGraphQL(stack.gatewayUrl, MARKER);
    for (const waitUntil = Date.now() + 20_000; marker.errors && Date.now() < waitUntil;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      marker = await postGraphQL(stack.gatewayUrl, MARKER);
    }
    expect(marker).toEqual({ status: 200, data: { [rolled.rootField]: { code: rolled.code, rollMarker: `${rolled.code} rolled` } } });
    await whenEachOtherGets(10);
  } finally {
    rolling = false;
    await traffic;
  }

  // Zero failed requests to the other POIs, which answered throughout; the rolled POI answers again.
  for (const poi of others) expect({ [poi.rootField]: answered.get(poi.rootField)!.failed }).toEqual({ [poi.rootField]: [] });
  expect(okCounts().every((n) => n >= 30)).toBe(true);
  expect((await postGraphQL(stack.gatewayUrl, queryOf(rolled.rootField))).errors).toBeUndefined();
  // No other process restarted; the rolled POI's did.
  for (const name of SERVICES) {
    expect(stack.isRunning(name)).toBe(true);
    if (name === rolled.subgraphName) expect(stack.pid(name)).not.toBe(pids[name]);
    else expect({ [name]: stack.pid(name) }).toEqual({ [name]: pids[name] });
  }
  // /ready: a new fingerprint for the rolled POI only, each as the new supergraph expects.
  const after = await gatewayReady();
  const composed = expectedFingerprints(fs.readFileSync(path.join(copy.root, 'supergraph.graphql'), 'utf8'));
  for (const name of SERVICES.filter((n) => n !== 'gateway')) {
    expect(after[name]).toMatchObject({ schemaFingerprint: composed[name], expectedFingerprint: composed[name], schemaMatches: true });
    if (name === rolled.subgraphName) expect(after[name].schemaFingerprint).not.toBe(before[name].schemaFingerprint);
    else expect(after[name].schemaFingerprint).toBe(before[name].schemaFingerprint);
  }
  const failedToRolled = answered.get(rolled.rootField)!.failed.length;
  console.log(
    `release roll of ${rolled.name}: ${okCounts().join('/')} answered requests to ${others.map((p) => p.name).join('/')}, 0 failed; ` +
      `${answered.get(rolled.rootField)!.ok} answered and ${failedToRolled} failed to ${rolled.name} while its process restarted`,
  );
}, 240_000);
