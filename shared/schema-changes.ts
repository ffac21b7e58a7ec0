// Which changes between two supergraphs break what clients (dashboards, analysts' saved queries)
// can send. Compared on the API schemas, i.e. what the gateway exposes: the join__/link__
// machinery, subgraph URLs and which subgraph resolves a field are invisible to clients.
// Pure: no files, no git; scripts/schema-check.ts does the I/O.
import { Supergraph } from '@apollo/federation-internals';
import {
  findBreakingChanges,
  findDangerousChanges,
  GraphQLSchema,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
} from 'graphql';

/** One change of the client-facing schema; `description` is stable and is what the allowlist matches. */
export interface SchemaChange {
  /** graphql-js' change code (e.g. FIELD_REMOVED), or TYPE_ADDED / FIELD_ADDED / DIRECTIVE_ADDED for additions. */
  type: string;
  /** e.g. "Library.memberCount changed type from Int! to String!." */
  description: string;
}

export interface SchemaComparison {
  /** Existing operations can stop validating or get data of another shape. */
  breaking: SchemaChange[];
  /** Existing operations keep validating but may behave differently (new enum value, new default...). Never failing. */
  dangerous: SchemaChange[];
  /** Pure additions (new type, new output field, new directive). */
  safe: SchemaChange[];
}

/** The client-facing API schema of a composed supergraph. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  // No feature allowlist: this compares shapes, it does not decide what a gateway can serve.
  return Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

/** Every change between the API schemas of two supergraph SDLs, classified. */
export function compareSupergraphs(previousSupergraphSdl: string, nextSupergraphSdl: string): SchemaComparison {
  const previous = parseSupergraph('previous', previousSupergraphSdl);
  const next = parseSupergraph('next', nextSupergraphSdl);
  return compareApiSchemas(previous, next);
}

/** The breaking changes between the API schemas of two supergraph SDLs (previous → next). */
export function findBreakingSchemaChanges(previousSupergraphSdl: string, nextSupergraphSdl: string): SchemaChange[] {
  return compareSupergraphs(previousSupergraphSdl, nextSupergraphSdl).breaking;
}

export function compareApiSchemas(previous: GraphQLSchema, next: GraphQLSchema): SchemaComparison {
  const plain = (changes: readonly { type: string; description: string }[]): SchemaChange[] => changes.map(({ type, description }) => ({ type, description }));
  return {
    breaking: plain(findBreakingChanges(previous, next)),
    dangerous: plain(findDangerousChanges(previous, next)),
    safe: findAdditions(previous, next),
  };
}

function parseSupergraph(which: string, sdl: string): GraphQLSchema {
  try {
    return apiSchemaOf(sdl);
  } catch (error) {
    throw new Error(`The ${which} supergraph is not a valid supergraph: ${(error as Error).message}`);
  }
}

/** Additions graphql-js does not report (it reports only what can break or surprise). */
function findAdditions(previous: GraphQLSchema, next: GraphQLSchema): SchemaChange[] {
  const additions: SchemaChange[] = [];
  const oldTypes = previous.getTypeMap();
  for (const type of Object.values(next.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    const old = oldTypes[type.name];
    if (!old) {
      additions.push({ type: 'TYPE_ADDED', description: `Type ${type.name} was added.` });
    } else if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(old) || isInterfaceType(old))) {
      const oldFields = old.getFields();
      for (const name of Object.keys(type.getFields())) {
        if (!oldFields[name]) additions.push({ type: 'FIELD_ADDED', description: `Field ${type.name}.${name} was added.` });
      }
    }
  }
  for (const directive of next.getDirectives()) {
    if (!isSpecifiedDirective(directive) && !previous.getDirective(directive.name)) {
      additions.push({ type: 'DIRECTIVE_ADDED', description: `Directive @${directive.name} was added.` });
    }
  }
  return additions;
}

/** What a breaking change means for an existing saved query, by graphql-js change code. */
const CONSEQUENCES: Record<string, string> = {
  TYPE_REMOVED: 'queries that name this type (fragments, variables) no longer validate',
  TYPE_CHANGED_KIND: 'queries that use this type as it was no longer validate',
  TYPE_REMOVED_FROM_UNION: 'fragments on this member of the union no longer validate or no longer match',
  VALUE_REMOVED_FROM_ENUM: 'queries passing this value no longer validate; clients filtering on it see nothing',
  REQUIRED_INPUT_FIELD_ADDED: 'queries passing this input without the new field no longer validate',
  IMPLEMENTED_INTERFACE_REMOVED: 'fragments on the interface no longer match this type',
  FIELD_REMOVED: 'queries that select it (or pass it as input) no longer validate',
  FIELD_CHANGED_KIND: 'queries that select or pass it may no longer validate or get data of another shape',
  REQUIRED_ARG_ADDED: 'queries that do not pass the new argument no longer validate',
  ARG_REMOVED: 'queries that pass this argument no longer validate',
  ARG_CHANGED_KIND: 'queries that pass (or omit) this argument may no longer validate',
  DIRECTIVE_REMOVED: 'queries that use this directive no longer validate',
  DIRECTIVE_ARG_REMOVED: 'queries that pass this directive argument no longer validate',
  REQUIRED_DIRECTIVE_ARG_ADDED: 'queries that use this directive without the new argument no longer validate',
  DIRECTIVE_REPEATABLE_REMOVED: 'queries that repeat this directive no longer validate',
  DIRECTIVE_LOCATION_REMOVED: 'queries that use this directive at that location no longer validate',
};

/** One line on what a breaking change does to existing operations. */
export function consequenceOf(change: SchemaChange): string {
  return CONSEQUENCES[change.type] ?? 'existing queries may no longer validate';
}

/** An entry of schema-changes.allowed.json. */
export interface Allowance {
  /** The exact `description` of the breaking change. */
  change: string;
  /** Why it is acceptable (who was told, which dashboards were updated...). Required. */
  reason: string;
}

export interface AllowlistResult {
  /** Breaking changes no valid allowance covers: these fail the check. */
  blocking: SchemaChange[];
  /** Breaking changes a valid allowance covers, with that allowance's reason. */
  allowed: { change: SchemaChange; reason: string }[];
  /** Valid allowances that match none of the breaking changes (stale: remove them). */
  unusedAllowances: Allowance[];
  /** Problems in the allowlist itself (not an array, entry without a change or a reason, duplicate); these fail the check. */
  errors: string[];
}

/**
 * Splits breaking changes into blocking and allowed by the parsed contents of
 * schema-changes.allowed.json: an array of `{ "change": "<exact description>", "reason": "<why>" }`.
 * An entry without a non-empty reason allows nothing and is reported as an error.
 */
export function applyAllowlist(breaking: readonly SchemaChange[], allowlist: unknown): AllowlistResult {
  const errors: string[] = [];
  const valid = new Map<string, Allowance>();
  if (!Array.isArray(allowlist)) {
    errors.push('the allowlist must be a JSON array of { "change": "...", "reason": "..." } entries');
  } else {
    allowlist.forEach((entry: unknown, index) => {
      const at = `entry ${index + 1}`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        errors.push(`${at} must be an object { "change": "...", "reason": "..." }`);
        return;
      }
      const { change, reason } = entry as Record<string, unknown>;
      if (typeof change !== 'string' || change.trim() === '') {
        errors.push(`${at} has no "change": it must be the exact description of a breaking change`);
        return;
      }
      const key = change.trim();
      if (typeof reason !== 'string' || reason.trim() === '') {
        errors.push(`${at} ("${key}") has no "reason": say why this breaking change is acceptable`);
        return;
      }
      if (valid.has(key)) {
        errors.push(`${at} ("${key}") is listed twice`);
        return;
      }
      valid.set(key, { change: key, reason: reason.trim() });
    });
  }
  const blocking: SchemaChange[] = [];
  const allowed: AllowlistResult['allowed'] = [];
  const used = new Set<string>();
  for (const change of breaking) {
    const allowance = valid.get(change.description);
    if (allowance) {
      allowed.push({ change, reason: allowance.reason });
      used.add(allowance.change);
    } else {
      blocking.push(change);
    }
  }
  const unusedAllowances = [...valid.values()].filter((a) => !used.has(a.change));
  return { blocking, allowed, unusedAllowances, errors };
}
