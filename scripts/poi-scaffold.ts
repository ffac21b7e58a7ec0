import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML, { isMap, isScalar, YAMLMap } from 'yaml';
import { PoiRegistration, PROVINCES, Province, validateRegistry } from '../shared/registry';

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

/** How docker-compose.yml is written; the committed file is kept in this form so edits stay minimal. */
export const COMPOSE_FORMAT = { lineWidth: 0, nullStr: '' } as const;

/** Copies a POI's compose block for another POI: names, variables and port all follow. */
function cloneFor<T>(node: T, from: { name: string; port: number }, to: { name: string; port: number }): T {
  const copy = (node as unknown as { clone(): T }).clone();
  YAML.visit(copy as never, {
    Scalar(_, scalar) {
      if (typeof scalar.value !== 'string') return;
      scalar.value = scalar.value
        .replaceAll(from.name, to.name)
        .replaceAll(from.name.toUpperCase(), to.name.toUpperCase())
        .replaceAll(String(from.port), String(to.port));
    },
  });
  return copy;
}

/** Inserts `key: value` into a map right after `afterKey` (or at the end). */
function insertAfter(map: YAMLMap, afterKey: string, key: string, value: unknown) {
  const index = map.items.findIndex((pair) => isScalar(pair.key) && pair.key.value === afterKey);
  const item = new YAML.Pair(new YAML.Scalar(key), value);
  if (index === -1) map.items.push(item as never);
  else map.items.splice(index + 1, 0, item as never);
}

function mapAt(doc: YAML.Document, ...keys: string[]): YAMLMap {
  const node = doc.getIn(keys, true);
  if (!isMap(node)) throw new ScaffoldError([`docker-compose.yml has no map at ${keys.join('.')}`]);
  return node;
}

/** Adds the new POI's MySQL service, subgraph service, volume, network and gateway wiring. */
function addToCompose(text: string, template: { name: string; port: number }, added: { name: string; port: number }): string {
  const doc = YAML.parseDocument(text);
  const services = mapAt(doc, 'services');
  const last = template.name;
  const NAME = added.name.toUpperCase();
  if (services.has(added.name) || services.has(`mysql-${added.name}`)) {
    throw new ScaffoldError([`docker-compose.yml already has a service for ${added.name}`]);
  }
  insertAfter(services, `mysql-${last}`, `mysql-${added.name}`, cloneFor(services.get(`mysql-${last}`, true), template, added));
  insertAfter(services, last, added.name, cloneFor(services.get(last, true), template, added));
  insertAfter(mapAt(doc, 'services', 'gateway', 'environment'), `${last.toUpperCase()}_URL`, `${NAME}_URL`, `http://${added.name}:${added.port}/graphql`);
  insertAfter(mapAt(doc, 'services', 'gateway', 'depends_on'), last, added.name, cloneFor(doc.getIn(['services', 'gateway', 'depends_on', last], true), template, added));
  insertAfter(mapAt(doc, 'volumes'), `mysql-${last}-data`, `mysql-${added.name}-data`, null);
  insertAfter(mapAt(doc, 'networks'), `${last}-db`, `${added.name}-db`, cloneFor(doc.getIn(['networks', `${last}-db`], true), template, added));
  return doc.toString(COMPOSE_FORMAT);
}

/**
 * Adds a POI to the project rooted at `root`: its folder (from the kit), its registration with
 * the collaboration, its database and service in docker-compose.yml, and a recomposed
 * supergraph. Any failure restores every file, so nothing is left half-made.
 */
export function addPoi(root: string, input: NewPoi, log: (line: string) => void = () => {}): PoiRegistration {
  const registryPath = path.join(root, 'registry.json');
  const composePath = path.join(root, 'docker-compose.yml');
  const supergraphPath = path.join(root, 'supergraph.graphql');
  const registry: PoiRegistration[] = JSON.parse(fs.readFileSync(registryPath, 'utf8'));

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
    port: input.port ?? Math.max(4001, ...registry.map((p) => p.port)) + 1,
  };
  if (problems.length === 0) {
    problems.push(...validateRegistry([...registry, registration]).filter((p) => !p.includes('registered twice')));
  }
  const folder = path.join(root, 'subgraphs', code.toLowerCase());
  if (fs.existsSync(folder)) problems.push(`subgraphs/${code.toLowerCase()} already exists`);
  if (problems.length > 0) throw new ScaffoldError(problems);

  const originals = new Map([registryPath, composePath, supergraphPath].map((file) => [file, fs.readFileSync(file, 'utf8')]));
  try {
    const template = registry[registry.length - 1];
    const composeText = addToCompose(
      originals.get(composePath)!,
      { name: template.code.toLowerCase(), port: template.port },
      { name: code.toLowerCase(), port: registration.port },
    );
    fs.mkdirSync(path.join(folder, 'data'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'data', 'libraries.csv'), starterLibrariesCsv(registration.provinces));
    fs.writeFileSync(path.join(folder, 'README.md'), folderReadme(registration));
    fs.writeFileSync(path.join(folder, 'index.ts'), entryPoint(registration));
    log(`created subgraphs/${code.toLowerCase()}/ (index.ts, README.md, data/libraries.csv with demo libraries)`);
    fs.writeFileSync(registryPath, JSON.stringify([...registry, registration], null, 2) + '\n');
    log(`registered ${code} with the collaboration (registry.json, port ${registration.port})`);
    fs.writeFileSync(composePath, composeText);
    log(`added mysql-${code.toLowerCase()} and ${code.toLowerCase()} to docker-compose.yml`);
    // A fresh process, so composition sees the new registry exactly as `npm run compose` does.
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'compose.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    log('recomposed supergraph.graphql');
    return registration;
  } catch (error) {
    for (const [file, text] of originals) fs.writeFileSync(file, text);
    fs.rmSync(folder, { recursive: true, force: true });
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new ScaffoldError([`nothing was changed: ${detail || (error as Error).message}`]);
  }
}
