import { Kind, parse, print, type DirectiveNode, type DefinitionNode, type FieldDefinitionNode, type InputValueDefinitionNode, type TypeNode } from 'graphql';
import { poiSubgraphSdl } from '../../poi-kit/schema';
import type { Poi } from '../../shared/registry';

/**
 * The shared contract's SDL for one POI: the kit's common POI schema (`poi-kit/schema/poi.graphql`)
 * made that POI's (`CubissPoi`, `cubiss`), without anything a POI adds of its own. It is the one
 * source of the contract: the kit builds its subgraphs from it, the checker compares against it.
 */
export const contractSdl = (poi: Poi): string => poiSubgraphSdl(poi);

/** A type as a subgraph declares it, its extensions merged in: its kind, fields (or values) and more. */
interface TypeShape {
  kind: 'object' | 'interface' | 'input' | 'enum' | 'scalar' | 'union';
  fields: Map<string, FieldDefinitionNode | InputValueDefinitionNode>;
  values: Set<string>;
  interfaces: Set<string>;
  directives: DirectiveNode[];
}

const KINDS: Partial<Record<Kind, TypeShape['kind']>> = {
  [Kind.OBJECT_TYPE_DEFINITION]: 'object',
  [Kind.OBJECT_TYPE_EXTENSION]: 'object',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'interface',
  [Kind.INTERFACE_TYPE_EXTENSION]: 'interface',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'input',
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: 'input',
  [Kind.ENUM_TYPE_DEFINITION]: 'enum',
  [Kind.ENUM_TYPE_EXTENSION]: 'enum',
  [Kind.SCALAR_TYPE_DEFINITION]: 'scalar',
  [Kind.SCALAR_TYPE_EXTENSION]: 'scalar',
  [Kind.UNION_TYPE_DEFINITION]: 'union',
  [Kind.UNION_TYPE_EXTENSION]: 'union',
};

/** Every type of an SDL document by name; `extend type X { … }` adds to X. */
export function typesOf(sdl: string): Map<string, TypeShape> {
  const types = new Map<string, TypeShape>();
  for (const definition of parse(sdl).definitions as (DefinitionNode & Record<string, any>)[]) {
    const kind = KINDS[definition.kind];
    if (!kind) continue;
    const name: string = definition.name.value;
    const shape: TypeShape = types.get(name) ?? { kind, fields: new Map(), values: new Set<string>(), interfaces: new Set<string>(), directives: [] };
    for (const field of definition.fields ?? []) shape.fields.set(field.name.value, field);
    for (const value of definition.values ?? []) shape.values.add(value.name.value);
    for (const named of definition.interfaces ?? []) shape.interfaces.add(named.name.value);
    shape.directives.push(...(definition.directives ?? []));
    types.set(name, shape);
  }
  return types;
}

/** Whether an output of type `actual` satisfies the contract's `expected`: the same type, or non-null where the contract allows null. */
function outputCompatible(expected: TypeNode, actual: TypeNode): boolean {
  if (actual.kind === Kind.NON_NULL_TYPE) {
    return outputCompatible(expected.kind === Kind.NON_NULL_TYPE ? expected.type : expected, actual.type);
  }
  if (expected.kind === Kind.NON_NULL_TYPE) return false;
  if (expected.kind === Kind.LIST_TYPE || actual.kind === Kind.LIST_TYPE) {
    return expected.kind === Kind.LIST_TYPE && actual.kind === Kind.LIST_TYPE && outputCompatible(expected.type, actual.type);
  }
  return expected.name.value === actual.name.value;
}

const sameType = (expected: TypeNode, actual: TypeNode) => print(expected) === print(actual);
/** An argument or input field the contract does not have must not be required of the contract's clients. */
const optional = (input: InputValueDefinitionNode) => input.type.kind !== Kind.NON_NULL_TYPE || input.defaultValue !== undefined;

/** What an argument list lacks or changes compared with the contract's. */
function argumentProblems(where: string, expected: readonly InputValueDefinitionNode[], actual: readonly InputValueDefinitionNode[]): string[] {
  const problems: string[] = [];
  const byName = new Map(actual.map((a) => [a.name.value, a]));
  for (const argument of expected) {
    const found = byName.get(argument.name.value);
    if (!found) problems.push(`${where}(${argument.name.value}:) is missing`);
    else if (!sameType(argument.type, found.type))
      problems.push(`${where}(${argument.name.value}:) is ${print(found.type)}, the contract says ${print(argument.type)}`);
  }
  const known = new Set(expected.map((a) => a.name.value));
  for (const extra of actual)
    if (!known.has(extra.name.value) && !optional(extra)) problems.push(`${where}(${extra.name.value}:) is required but not in the contract`);
  return problems;
}

/** The `@key(fields: …)` values a type declares. */
function keysOf(shape: TypeShape): string[] {
  return shape.directives
    .filter((d) => d.name.value === 'key')
    .map((d) => d.arguments?.find((a) => a.name.value === 'fields')?.value)
    .map((value) => (value?.kind === Kind.STRING ? value.value.trim() : '?'));
}

/** The access rules a field declares (`@requiresScopes(…)`, `@authenticated`), as text. */
const ACCESS_DIRECTIVES = ['requiresScopes', 'authenticated'];
const accessRules = (field: FieldDefinitionNode | InputValueDefinitionNode) =>
  (field.directives ?? [])
    .filter((d) => ACCESS_DIRECTIVES.includes(d.name.value))
    .map((d) => print(d))
    .sort()
    .join(' ');

/** How one type of the subgraph differs from the contract's type of the same name. */
function typeProblems(name: string, expected: TypeShape, actual: TypeShape | undefined): string[] {
  if (!actual) return [`type ${name} is missing`];
  if (actual.kind !== expected.kind)
    return [`${name} is ${actual.kind === 'input' ? 'an input' : `a ${actual.kind}`} type, the contract says ${expected.kind}`];
  const problems: string[] = [];
  for (const iface of expected.interfaces) if (!actual.interfaces.has(iface)) problems.push(`${name} does not implement ${iface}`);
  if (expected.kind === 'enum') {
    const missing = [...expected.values].filter((v) => !actual.values.has(v));
    const extra = [...actual.values].filter((v) => !expected.values.has(v));
    if (missing.length) problems.push(`enum ${name} lacks ${missing.join(', ')}`);
    if (extra.length) problems.push(`enum ${name} has values the contract does not: ${extra.join(', ')}`);
  }
  for (const [fieldName, field] of expected.fields) {
    const where = `${name}.${fieldName}`;
    const found = actual.fields.get(fieldName);
    if (!found) {
      problems.push(`${where} is missing`);
    } else if (field.kind === Kind.INPUT_VALUE_DEFINITION) {
      if (!sameType(field.type, found.type)) problems.push(`${where} is ${print(found.type)}, the contract says ${print(field.type)}`);
    } else {
      if (!outputCompatible(field.type, found.type)) problems.push(`${where} is ${print(found.type)}, the contract says ${print(field.type)}`);
      if (accessRules(field) !== accessRules(found))
        problems.push(`${where} declares ${accessRules(found) || 'no access rule'}, the contract says ${accessRules(field) || 'none'}`);
      problems.push(...argumentProblems(where, field.arguments ?? [], (found as FieldDefinitionNode).arguments ?? []));
    }
  }
  if (expected.kind === 'input') {
    for (const [fieldName, field] of actual.fields) {
      if (!expected.fields.has(fieldName) && !optional(field as InputValueDefinitionNode))
        problems.push(`${name}.${fieldName} is required but not in the contract`);
    }
  }
  for (const key of keysOf(expected)) if (!keysOf(actual).includes(key)) problems.push(`${name} lacks @key(fields: "${key}")`);
  return problems;
}

/**
 * Every way a subgraph's SDL falls short of the contract: a type, field, argument, enum value,
 * interface or key missing, an output type looser than the contract's (nullable where it is
 * non-null, another type), an argument or input field of another type, a new required one, a
 * field whose access rules (`@requiresScopes`, `@authenticated`) differ from the contract's.
 * Additions (fields, types, optional arguments) are allowed: a POI may add its own.
 */
export function sdlProblems(poi: Poi, subgraphSdl: string): string[] {
  const actual = typesOf(subgraphSdl);
  return [...typesOf(contractSdl(poi))].flatMap(([name, expected]) => typeProblems(name, expected, actual.get(name)));
}
