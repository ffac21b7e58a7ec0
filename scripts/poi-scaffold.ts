import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { RESERVED_PORTS } from '../shared/config';
import { PoiRegistration, PROVINCES, Province, validateRegistry } from '../shared/registry';
import { KUBERNETES_GENERATED } from './kubernetes';

export interface NewPoi {
  code: string;
  name: string;
  provinces: string[];
  fullName?: string;
  seat?: string;
  website?: string;
  port?: number;
  inSteeringGroup?: boolean;
}

export class ScaffoldError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot add the POI:\n- ${problems.join('\n- ')}`);
    this.name = 'ScaffoldError';
  }
}

/** Three places per province for a new POI's starter seed data, until it loads its real library list. */
const STARTER_PLACES: Record<Province, string[]> = {
  GRONINGEN: ['Groningen', 'Veendam', 'Delfzijl'],
  FRIESLAND: ['Leeuwarden', 'Sneek', 'Heerenveen'],
  DRENTHE: ['Assen', 'Emmen', 'Meppel'],
  OVERIJSSEL: ['Zwolle', 'Deventer', 'Enschede'],
  FLEVOLAND: ['Lelystad', 'Almere', 'Emmeloord'],
  GELDERLAND: ['Arnhem', 'Nijmegen', 'Apeldoorn'],
  UTRECHT: ['Utrecht', 'Amersfoort', 'Zeist'],
  NOORD_HOLLAND: ['Haarlem', 'Alkmaar', 'Hoorn'],
  ZUID_HOLLAND: ['Leiden', 'Delft', 'Gouda'],
  ZEELAND: ['Middelburg', 'Goes', 'Terneuzen'],
  NOORD_BRABANT: ['Breda', 'Eindhoven', 'Tilburg'],
  LIMBURG: ['Maastricht', 'Venlo', 'Roermond'],
};

function starterLibrariesCsv(provinces: Province[]): string {
  const rows = provinces.flatMap((province) =>
    STARTER_PLACES[province].map((city, i) => [province, `Demobibliotheek ${city}`, city, city, String(2 + i), ''].join(',')),
  );
  return ['province,organisation,main_city,municipalities,branches,source_url', ...rows].join('\n') + '\n';
}

function folderReadme(registration: PoiRegistration): string {
  return `# ${registration.name}

${registration.fullName}'s own subgraph (${registration.provinces.join(', ')}), built from the POI kit in
\`poi-kit/\`. Its GraphQL type is \`${registration.code[0]}${registration.code.slice(1).toLowerCase()}Poi\`, its root field
\`${registration.code.toLowerCase()}\`, its port ${registration.port}, and its database is set with
\`${registration.code}_DATABASE_URL\` (embedded when unset).

\`data/libraries.csv\` holds the seed list of library organisations. It starts with demo
libraries: replace them with the POI's real list (same columns) before going live.
`;
}

/** The new POI's entry point: its subgraph is the kit over its own folder, until it adds anything. */
function entryPoint(registration: PoiRegistration): string {
  return `// ${registration.name}'s subgraph: the POI kit over ${registration.name}'s own data (data/libraries.csv). What
// ${registration.name} adds of its own goes in this folder: schema.graphql, and the resolvers, entities and
// migrations behind it (see PoiExtension in poi-kit/subgraph.ts).
import { definePoiSubgraph } from '../../poi-kit/subgraph';
import { poiByCode } from '../../shared/registry';

export default definePoiSubgraph(poiByCode('${registration.code}'), __dirname);
`;
}

/** One registry entry, laid out like those already in registry.json (one field a line, lists on one line). */
function registryEntry(registration: PoiRegistration): string {
  const value = (v: unknown) => (Array.isArray(v) ? `[${v.map((item) => JSON.stringify(item)).join(', ')}]` : JSON.stringify(v));
  return `  {\n${Object.entries(registration)
    .map(([key, v]) => `    ${JSON.stringify(key)}: ${value(v)}`)
    .join(',\n')}\n  }`;
}

/**
 * registry.json with the entry added as text after the last one: every byte before it stays as
 * it was (its formatting, its order), and the result must parse to exactly the old list plus it.
 */
export function appendToRegistry(text: string, registry: PoiRegistration[], registration: PoiRegistration): string {
  const close = text.lastIndexOf(']');
  const lastEntry = text.lastIndexOf('}', close);
  const next =
    lastEntry === -1
      ? `${text.slice(0, close).trimEnd()}\n${registryEntry(registration)}\n${text.slice(close)}`
      : `${text.slice(0, lastEntry + 1)},\n${registryEntry(registration)}${text.slice(lastEntry + 1)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(next);
  } catch {
    parsed = undefined;
  }
  if (close === -1 || !isDeepStrictEqual(parsed, [...registry, registration])) {
    throw new ScaffoldError(['registry.json is not laid out as a JSON list of entries; add the POI to it by hand, then run `npm run compose`']);
  }
  return next;
}

/**
 * Adds a POI to the project rooted at `root`: its folder (from the kit) and its entry in
 * registry.json, then `npm run compose` regenerates what follows the registry (supergraph.graphql,
 * docker-compose.yml's generated parts, deploy/kubernetes/'s generated files). Any failure restores every file, so nothing is left half-made.
 */
/** The port after the highest registered one, passing over the ports of the gateway, collaboration and network subgraph. */
function nextFreePort(taken: readonly number[]): number {
  const reserved: readonly number[] = Object.values(RESERVED_PORTS);
  let port = Math.max(RESERVED_PORTS.collaboration, ...taken) + 1;
  while (reserved.includes(port)) port++;
  return port;
}

export function addPoi(root: string, input: NewPoi, log: (line: string) => void = () => {}): PoiRegistration {
  const registryPath = path.join(root, 'registry.json');
  const composePath = path.join(root, 'docker-compose.yml');
  const supergraphPath = path.join(root, 'supergraph.graphql');
  const registryText = fs.readFileSync(registryPath, 'utf8');
  const registry: PoiRegistration[] = JSON.parse(registryText);

  const code = input.code.trim().toUpperCase();
  const problems: string[] = [];
  const provinces = input.provinces.map((p) => p.trim().toUpperCase().replace(/-/g, '_')).filter(Boolean);
  for (const province of provinces) {
    if (!(PROVINCES as readonly string[]).includes(province)) problems.push(`unknown province "${province}"; known: ${PROVINCES.join(', ')}`);
  }
  if (provinces.length === 0) problems.push('give at least one province with --provinces');
  if (!input.name?.trim()) problems.push('give the POI a --name');
  if (registry.some((p) => p.code === code)) problems.push(`a POI with code ${code} is already registered`);
  const registration: PoiRegistration = {
    code,
    name: input.name?.trim() ?? '',
    fullName: input.fullName?.trim() || input.name?.trim() || code,
    provinces: provinces as Province[],
    seat: input.seat?.trim() || STARTER_PLACES[provinces[0] as Province]?.[0] || '',
    website: input.website?.trim() || '',
    inSteeringGroup: input.inSteeringGroup ?? false,
    port: input.port ?? nextFreePort(registry.map((p) => p.port)),
  };
  if (problems.length === 0) {
    problems.push(...validateRegistry([...registry, registration]).filter((p) => !p.includes('registered twice')));
  }
  const folder = path.join(root, 'subgraphs', code.toLowerCase());
  if (fs.existsSync(folder)) problems.push(`subgraphs/${code.toLowerCase()} already exists`);
  if (problems.length > 0) throw new ScaffoldError(problems);

  const kubernetesPaths = Object.values(KUBERNETES_GENERATED).map((file) => path.join(root, file));
  const originals = new Map([registryPath, composePath, supergraphPath, ...kubernetesPaths].map((file) => [file, fs.readFileSync(file, 'utf8')]));
  try {
    const registryNext = appendToRegistry(registryText, registry, registration);
    fs.mkdirSync(path.join(folder, 'data'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'data', 'libraries.csv'), starterLibrariesCsv(registration.provinces));
    fs.writeFileSync(path.join(folder, 'README.md'), folderReadme(registration));
    fs.writeFileSync(path.join(folder, 'index.ts'), entryPoint(registration));
    log(`created subgraphs/${code.toLowerCase()}/ (index.ts, README.md, data/libraries.csv with demo libraries)`);
    fs.writeFileSync(registryPath, registryNext);
    log(`registered ${code} in registry.json (port ${registration.port})`);
    // A fresh process, so composition sees the new registry exactly as `npm run compose` does.
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'compose.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    log(
      `regenerated supergraph.graphql, docker-compose.yml and deploy/kubernetes/ (mysql-${code.toLowerCase()} and ${code.toLowerCase()}) with \`npm run compose\``,
    );
    return registration;
  } catch (error) {
    for (const [file, text] of originals) fs.writeFileSync(file, text);
    fs.rmSync(folder, { recursive: true, force: true });
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new ScaffoldError([`nothing was changed: ${detail || (error as Error).message}`]);
  }
}
