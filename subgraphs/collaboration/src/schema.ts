import fs from 'node:fs';
import path from 'node:path';
import { COMMON_SDL, FEDERATION_LINK, WISE_SETTINGS_SDL, POI_CODE_FIELD, POI_INTERFACE_DESCRIPTION, poiTypeDescription } from '../../../shared/graphql/common';
import type { Poi } from '../../../shared/registry';
import { releaseAcceptanceTypeName } from '../../../shared/wise-releases';

/** The registry fields of every POI, on the shared `Poi` interface and on each POI's type. */
const REGISTRY_FIELDS = `${POI_CODE_FIELD}
  "Short name, e.g. Cubiss."
  name: String!
  "Full name of the organisation."
  fullName: String!
  "Provinces (provincies) the POI serves."
  provinces: [Province!]!
  "Where the organisation is based."
  seat: String!
  "The organisation's website."
  website: String!
  "True when the POI's director sits on the steering group (stuurgroep)."
  inSteeringGroup: Boolean!`;

/** What the collaboration knows of a POI's acceptance of a release: which release, and whose. */
const ACCEPTANCE_FIELDS = `
  "The Wise release's version."
  releaseVersion: String!
  "The POI whose acceptance test this is."
  poi: Poi!`;

/** The collaboration's SDL: its own schema plus one entity type per registered POI. */
export function collaborationSdl(pois: readonly Poi[]): string {
  const own = fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8');
  const poiTypes = pois.map(
    (poi) => `"${poiTypeDescription(poi)}"
type ${poi.typeName} implements Poi @key(fields: "code") {${REGISTRY_FIELDS}
  "The Wise settings standard the partnership agreed (the same for every POI): what ${poi.name}'s harmonisation fields, in ${poi.name}'s own subgraph, require and measure against. Null before a standard is agreed."
  harmonisationStandard: WiseSettings @requiresScopes(scopes: [["network:read"],["poi:${poi.subgraphName}:read"]])
}`,
  );
  // Each POI's acceptance of a Wise release is that POI's own entity type, resolved by its own
  // subgraph: the collaboration only hands out references (routing is by type, never by key value).
  const acceptanceTypes = pois.map(
    (poi) => `"${poi.name}'s joint acceptance test of a Wise release: kept in ${poi.name}'s own subgraph."
type ${releaseAcceptanceTypeName(poi)} implements ReleaseAcceptance @key(fields: "releaseVersion") {${ACCEPTANCE_FIELDS}
}`,
  );
  return `${FEDERATION_LINK}
${COMMON_SDL}
"${POI_INTERFACE_DESCRIPTION}"
interface Poi {${REGISTRY_FIELDS}
}

${poiTypes.join('\n\n')}

"A POI's joint acceptance test (acceptatietest) of a Wise release and its go-live; each POI has its own type (CubissReleaseAcceptance, …), served by its own subgraph."
interface ReleaseAcceptance {${ACCEPTANCE_FIELDS}
}

${acceptanceTypes.join('\n\n')}

${own}
${WISE_SETTINGS_SDL}`;
}
