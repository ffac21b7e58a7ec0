import fs from 'node:fs';
import path from 'node:path';
import { GraphQLScalarType } from 'graphql';
import { COMMON_SDL, FEDERATION_LINK, WISE_SETTINGS_SDL } from '../shared/graphql/common';
import type { Poi } from '../shared/registry';

/**
 * The common POI schema is written once, in `schema/poi.graphql`, for a stand-in POI: its own
 * types are named `ThisPoi`, `ThisPoiMutations`, `ThisContract` and `ThisVendorContract`, its
 * root fields `thisPoi`, and its scopes and descriptions say `{poi}`, `{name}` and `{fullName}`.
 * `forPoi` is the one step that makes it one POI's schema (and resolver map): every name
 * starting with `This` takes the POI's prefix (`CubissPoi`, `CubissContract`), `thisPoi` becomes
 * the POI's root field (`cubiss`), and the placeholders its subgraph name and names.
 */
export const POI_SCHEMA_TEMPLATE = fs.readFileSync(path.join(__dirname, 'schema', 'poi.graphql'), 'utf8');

/** The common POI schema with the SDL every subgraph shares, still for the stand-in POI (what codegen.ts reads). */
export const POI_TEMPLATE_SDL = `${FEDERATION_LINK}\n${COMMON_SDL}\n${POI_SCHEMA_TEMPLATE}\n${WISE_SETTINGS_SDL}`;

/** The prefix of a POI's own type names: `Cubiss` (CubissPoi, CubissContract). */
const typePrefix = (poi: Poi) => poi.typeName.replace(/Poi$/, '');

/** A stand-in name (`ThisContract`, `thisPoi`) as the POI's own (`CubissContract`, `cubiss`). */
export function forPoi(name: string, poi: Poi): string {
  if (name === 'thisPoi') return poi.rootField;
  return name.replace(/^This(?=[A-Z])/, typePrefix(poi));
}

/** The template's text with the POI's names and placeholders filled in. */
export function instantiate(template: string, poi: Poi): string {
  const placeholders: Record<string, string> = { poi: poi.subgraphName, name: poi.name, fullName: poi.fullName };
  return template
    .replace(/\bThis(?=[A-Z]\w*)/g, typePrefix(poi))
    .replace(/\bthisPoi\b/g, poi.rootField)
    .replace(/\{(poi|name|fullName)\}/g, (_, key: string) => placeholders[key]);
}

/** The POI's own implementations of the shared interfaces: `CubissContract`, `CubissVendorContract`. */
export const poiContractType = (poi: Poi) => forPoi('ThisContract', poi);
export const poiVendorContractType = (poi: Poi) => forPoi('ThisVendorContract', poi);

/**
 * The complete SDL of one POI's subgraph: the common POI schema for that POI, plus what the POI
 * adds in its own folder (its `schema.graphql`, written with its real type names).
 */
export function poiSubgraphSdl(poi: Poi, ownSdl = ''): string {
  return `${instantiate(POI_TEMPLATE_SDL, poi)}\n${ownSdl}`;
}

/**
 * The kit's resolver map, written for the stand-in POI (`ThisPoi`, `Query.thisPoi`, checked against
 * the generated `Resolvers` of the template), as one POI's: the same renaming as `instantiate`
 * applies to its type and field names and to the type names its `__resolveType`s answer.
 */
const isFunction = (value: unknown): value is (...args: unknown[]) => unknown => typeof value === 'function';

export function instantiateResolvers(resolvers: object, poi: Poi): Record<string, unknown> {
  const rename = (name: string) => forPoi(name, poi);
  const renameAnswer =
    (resolveType: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      const answer = resolveType(...args);
      return typeof answer === 'string' ? rename(answer) : answer;
    };
  return Object.fromEntries(
    Object.entries(resolvers).map(([type, fields]) => [
      rename(type),
      fields instanceof GraphQLScalarType
        ? fields
        : Object.fromEntries(
            Object.entries(fields).map(([field, resolver]) => [
              rename(field),
              field === '__resolveType' && isFunction(resolver) ? renameAnswer(resolver) : resolver,
            ]),
          ),
    ]),
  );
}
