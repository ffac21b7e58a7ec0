import registryJson from '../registry.json';

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
    if (!Number.isInteger(poi.port) || poi.port < 1 || poi.port > 65535) problems.push(`POI ${poi.code}: invalid port ${poi.port}`);
    if (seen.ports.has(poi.port)) problems.push(`POI ${poi.code}: port ${poi.port} is already taken`);
    seen.ports.add(poi.port);
  }
  return problems;
}

function loadRegistry(): readonly Poi[] {
  const registrations = registryJson as PoiRegistration[];
  const problems = validateRegistry(registrations);
  if (problems.length > 0) throw new Error(`Invalid POI registry:\n- ${problems.join('\n- ')}`);
  return Object.freeze(registrations.map(derivePoi));
}

/** Every registered POI, in registry order. */
export const POIS: readonly Poi[] = loadRegistry();

export function poiByCode(code: string): Poi {
  const poi = POIS.find((p) => p.code === code.toUpperCase() || p.subgraphName === code.toLowerCase());
  if (!poi) throw new Error(`Unknown POI "${code}". Registered: ${POIS.map((p) => p.subgraphName).join(', ')}`);
  return poi;
}
