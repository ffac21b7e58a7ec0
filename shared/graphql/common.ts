import fs from 'node:fs';
import path from 'node:path';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DATE_RULE, EARLIEST_DATE, isCalendarDate, isInDateRange, LATEST_DATE } from '../dates';
import { Poi, PROVINCES } from '../registry';

/** An enum with a description on the type and on every value. */
export function enumSdl(name: string, description: string, values: Record<string, string>): string {
  const body = Object.entries(values).map(([value, text]) => `  ${JSON.stringify(text)}\n  ${value}`);
  return `${JSON.stringify(description)}\nenum ${name} {\n${body.join('\n')}\n}`;
}

/** SDL shared by every subgraph: the federation link, scalars and the Province enum. */
export const FEDERATION_LINK = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@authenticated", "@requiresScopes"])`;

/** The harmonised Wise settings' types, declared identically by the collaboration and every POI subgraph (wise-settings.graphql). */
export const WISE_SETTINGS_SDL = fs.readFileSync(path.join(__dirname, 'wise-settings.graphql'), 'utf8');

/** How long the gateway may reuse a POI's aggregates (`@cacheControl`), in seconds. */
export const STATS_MAX_AGE = 60;

export const COMMON_SDL = `
"Cache hint for Apollo's cache control (read by each subgraph, sent to the gateway as Cache-Control)."
directive @cacheControl(maxAge: Int, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

"A calendar date in ISO 8601 form, e.g. \\"2026-11-23\\"."
scalar Date

"A moment in time in ISO 8601 form (UTC), e.g. \\"2026-11-23T14:05:00.000Z\\"."
scalar DateTime

${enumSdl(
  'Province',
  'A Dutch province (provincie).',
  Object.fromEntries(
    PROVINCES.map((p) => [
      p,
      p
        .split('_')
        .map((w) => w[0] + w.slice(1).toLowerCase())
        .join('-'),
    ]),
  ),
)}
`;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function toDateString(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && ISO_DATE.test(value)) return value;
  throw new GraphQLError(`Date must be a string like "2026-11-23", got ${JSON.stringify(value)}`);
}

function parseDateString(value: unknown): string {
  if (!isCalendarDate(value)) {
    throw new GraphQLError(`Date must be ${DATE_RULE}, got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !isInDateRange(date)) {
    throw new GraphQLError(`DateTime must be an ISO 8601 string from ${EARLIEST_DATE} to ${LATEST_DATE}, got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

export const scalarResolvers = {
  Date: new GraphQLScalarType({
    name: 'Date',
    serialize: toDateString,
    parseValue: parseDateString,
    parseLiteral: (ast) => parseDateString(ast.kind === Kind.STRING ? ast.value : undefined),
  }),
  DateTime: new GraphQLScalarType({
    name: 'DateTime',
    serialize: (value) => {
      const date = value instanceof Date ? value : new Date(String(value));
      if (Number.isNaN(date.getTime())) throw new GraphQLError(`Invalid DateTime ${JSON.stringify(value)}`);
      return date.toISOString();
    },
    parseValue: parseDateTime,
    parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
  }),
};

/** Descriptions that every subgraph declaring the POI types must give identically. */
export const POI_INTERFACE_DESCRIPTION =
  "A provincial library-support organisation (POI, provinciale ondersteuningsinstelling). The shared view over all POIs: registry fields come from the collaboration subgraph, the rest from each POI's own subgraph.";

export function poiTypeDescription(poi: Poi): string {
  return `${poi.name}: ${poi.fullName}. Registry fields come from the collaboration subgraph, the rest from ${poi.name}'s own subgraph.`;
}

export const POI_CODE_FIELD = `
  "The POI's code in the registry, e.g. CUBISS."
  code: ID!`;
