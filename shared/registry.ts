import fs from 'node:fs';
import path from 'node:path';

/** The one list of POIs: every per-POI part of the federation is derived from it. */
export const REGISTRY_PATH = path.resolve(__dirname, '..', 'registry.json');

/** The twelve Dutch provinces, as the GraphQL `Province` enum spells them. */
export const PROVINCES = [
  'GRONINGEN',
  'FRIESLAND',
  'DRENTHE',
  'OVERIJSSEL',
  'FLEVOLAND',
  'GELDERLAND',
  'UTRECHT',
  'NOORD_HOLLAND',
  'ZUID_HOLLAND',
  'ZEELAND',
  'NOORD_BRABANT',
  'LIMBURG',
] as const;
export type Province = (typeof PROVINCES)[number];

/** One POI as registered with the collaboration (registry.json at the project root). */
export interface PoiRegistration {
  code: string;
  name: string;
  fullName: string;
  provinces: Province[];
  seat: string;
  website: string;
  inSteeringGroup: boolean;
  port: number;
  /** The Wise platform (a WisePlatform code of the collaboration) the POI's libraries run on unless a library records its own; none: not recorded. */
  wisePlatform?: string;
}

/** A registered POI plus the names derived from its code, used in schema, config and folders. */
export interface Poi extends PoiRegistration {
  /** Subgraph, folder and service name: `cubiss`. */
  subgraphName: string;
  /** The POI's own GraphQL type: `CubissPoi`. */
  typeName: string;
  /** The POI's own root query field: `cubiss`. */
  rootField: string;
}

const CODE_PATTERN = /^[A-Z][A-Z0-9]{1,19}$/;
/** A Wise platform's code, e.g. MIDDEN-ZUID. */
export const WISE_PLATFORM_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{1,39}$/;

export function derivePoi(registration: PoiRegistration): Poi {
  const lower = registration.code.toLowerCase();
  return {
    ...registration,
    subgraphName: lower,
    typeName: `${lower[0].toUpperCase()}${lower.slice(1)}Poi`,
    rootField: lower,
  };
}

/** Checks a registry as a whole: codes, provinces and ports must be valid and unique. */
export function validateRegistry(registrations: PoiRegistration[]): string[] {
  const problems: string[] = [];
  const seen = { codes: new Set<string>(), provinces: new Map<string, string>(), ports: new Set<number>() };
  for (const poi of registrations) {
    if (!CODE_PATTERN.test(poi.code)) problems.push(`POI code "${poi.code}" must be 2-20 capital letters or digits`);
    if (seen.codes.has(poi.code)) problems.push(`POI code "${poi.code}" is registered twice`);
    seen.codes.add(poi.code);
    if (!poi.name?.trim()) problems.push(`POI ${poi.code} has no name`);
    if (!Array.isArray(poi.provinces) || poi.provinces.length === 0) problems.push(`POI ${poi.code} serves no province`);
    for (const province of poi.provinces ?? []) {
      if (!(PROVINCES as readonly string[]).includes(province)) problems.push(`POI ${poi.code}: unknown province "${province}"`);
      const owner = seen.provinces.get(province);
      if (owner) problems.push(`province ${province} is served by both ${owner} and ${poi.code}`);
      seen.provinces.set(province, poi.code);
    }
    if (poi.wisePlatform !== undefined && !WISE_PLATFORM_CODE_PATTERN.test(poi.wisePlatform)) {
      problems.push(`POI ${poi.code}: wisePlatform "${poi.wisePlatform}" must be 2-40 capital letters, digits, - or _`);
    }
    if (!Number.isInteger(poi.port) || poi.port < 1 || poi.port > 65535) problems.push(`POI ${poi.code}: invalid port ${poi.port}`);
    if (seen.ports.has(poi.port)) problems.push(`POI ${poi.code}: port ${poi.port} is already taken`);
    seen.ports.add(poi.port);
  }
  return problems;
}

/** Reads and checks a registry file; throws with every problem when it is not a valid registry. */
export function readRegistry(file = REGISTRY_PATH): readonly Poi[] {
  const registrations = JSON.parse(fs.readFileSync(file, 'utf8')) as PoiRegistration[];
  if (!Array.isArray(registrations)) throw new Error(`Invalid POI registry: ${file} must hold a JSON array`);
  const problems = validateRegistry(registrations);
  if (problems.length > 0) throw new Error(`Invalid POI registry:\n- ${problems.join('\n- ')}`);
  return Object.freeze(registrations.map(derivePoi));
}

/** Every registered POI, in registry order, as registry.json was when this process started. */
export const POIS: readonly Poi[] = readRegistry();

/**
 * Follows registry.json while a service runs: `onChange` gets the new registry once a change has
 * settled (`debounceMs`). A file that does not parse or validate is reported to `onInvalid` and
 * ignored, and so is a write that leaves the registry as it was. The folder is watched, not the
 * file, so an editor that replaces the file is followed too. Returns a function that stops it.
 */
export function watchRegistry(
  onChange: (pois: readonly Poi[]) => void,
  onInvalid: (error: Error) => void,
  options: { file?: string; debounceMs?: number; current?: readonly Poi[] } = {},
): () => void {
  const file = options.file ?? REGISTRY_PATH;
  let current = JSON.stringify(options.current ?? POIS);
  let timer: NodeJS.Timeout | undefined;
  const settle = () => {
    let next: readonly Poi[];
    try {
      next = readRegistry(file);
    } catch (error) {
      return onInvalid(error as Error);
    }
    if (JSON.stringify(next) === current) return;
    current = JSON.stringify(next);
    onChange(next);
  };
  const watcher = fs.watch(path.dirname(file), (_event, name) => {
    if (name !== null && name !== path.basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(settle, options.debounceMs ?? 200);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

export function poiByCode(code: string): Poi {
  const poi = POIS.find((p) => p.code === code.toUpperCase() || p.subgraphName === code.toLowerCase());
  if (!poi) throw new Error(`Unknown POI "${code}". Registered: ${POIS.map((p) => p.subgraphName).join(', ')}`);
  return poi;
}
