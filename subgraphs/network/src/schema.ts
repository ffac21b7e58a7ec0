import fs from 'node:fs';
import path from 'node:path';
import {
  Kind,
  parse,
  print,
  type DefinitionNode,
  type FieldDefinitionNode,
  type InterfaceTypeDefinitionNode,
  type ObjectTypeDefinitionNode,
  type TypeNode,
} from 'graphql';
import { COMMON_SDL, FEDERATION_LINK, WISE_SETTINGS_SDL } from '../../../shared/graphql/common';
import type { Poi } from '../../../shared/registry';
import { forPoi, instantiate, POI_SCHEMA_TEMPLATE } from '../../../poi-kit/schema';
import { NETWORK_LISTS } from './lists';

/** The network subgraph's own schema (the lists, their connections and node types, `WorkAgendaItem.tickets`). */
export const NETWORK_SDL_PATH = path.join(__dirname, '..', 'schema.graphql');

/** The template's per-POI type names (`ThisContract`, …), as `forPoi` names them for one POI. */
const TEMPLATE_POI_TYPES = parse(POI_SCHEMA_TEMPLATE, { noLocation: true }).definitions.flatMap((d) =>
  'name' in d && d.name && /^This[A-Z]/.test(d.name.value) ? [d.name.value] : [],
);

/** A POI's own types (`CubissPoi`, `CubissContract`, …): the template's `This…` types under its names. */
export function poiOwnTypes(poi: Poi): string[] {
  return TEMPLATE_POI_TYPES.map((name) => forPoi(name, poi));
}

/** Types every network list reaches from its nodes, besides the node types themselves: the lists' filters and orders. */
const INPUT_ROOTS = ['TicketFilter', 'TicketOrder', 'LibraryFilter', 'LibraryOrder', 'ContractFilter', 'ContractOrder'];
/** Already in COMMON_SDL / WISE_SETTINGS_SDL, or built in. */
const PROVIDED = new Set(['Date', 'DateTime', 'Province', 'ID', 'String', 'Int', 'Float', 'Boolean']);

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

type TypeDefinition = Extract<DefinitionNode, { name?: unknown }> & { name: { value: string } };

/**
 * The kit's types a network node can reach (`Ticket` → `Library` → `Contract` → every POI's
 * `CubissContract`, …), as every POI's subgraph defines them: the shared value types once, the
 * per-POI types (`CubissContract`, `CubissTicketServiceLevel`) for every POI in the registry. The
 * network subgraph resolves them from the owners' answers, so they are the same types as the POIs'
 * (value types, `@shareable`), never copies with other names.
 */
function reachableKitTypes(pois: readonly Poi[]): DefinitionNode[] {
  const wiseSettings = new Set(
    parse(WISE_SETTINGS_SDL)
      .definitions.filter((d): d is TypeDefinition => 'name' in d && !!d.name)
      .map((d) => d.name.value),
  );
  const definitions = new Map<string, TypeDefinition>();
  const implementers = new Map<string, string[]>();
  for (const poi of pois) {
    for (const definition of parse(instantiate(POI_SCHEMA_TEMPLATE, poi), { noLocation: true }).definitions) {
      if (!('name' in definition) || !definition.name) continue;
      const name = (definition as TypeDefinition).name.value;
      if (definitions.has(name)) continue;
      definitions.set(name, definition as TypeDefinition);
      if (definition.kind === Kind.OBJECT_TYPE_DEFINITION)
        for (const i of definition.interfaces ?? []) implementers.set(i.name.value, [...(implementers.get(i.name.value) ?? []), name]);
    }
  }
  const reached = new Set<string>();
  const pending = [...NETWORK_LISTS.map((l) => l.nodeType), ...INPUT_ROOTS];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (reached.has(name) || PROVIDED.has(name) || wiseSettings.has(name)) continue;
    const definition = definitions.get(name);
    if (!definition) throw new Error(`network subgraph: the kit has no type ${name}`);
    reached.add(name);
    if (definition.kind === Kind.INTERFACE_TYPE_DEFINITION) pending.push(...(implementers.get(name) ?? []));
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      for (const field of definition.fields ?? []) {
        pending.push(namedType(field.type));
        for (const argument of field.arguments ?? []) pending.push(namedType(argument.type));
      }
      for (const i of (definition as ObjectTypeDefinitionNode).interfaces ?? []) pending.push(i.name.value);
    }
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) for (const field of definition.fields ?? []) pending.push(namedType(field.type));
  }
  // The work agenda's items are this subgraph's entity (it adds their tickets): see schema.graphql.
  reached.delete('WorkAgendaItem');
  return [...definitions.values()].filter((d) => reached.has(d.name.value));
}

/**
 * The network subgraph's SDL over a registry: `schema.graphql` (the lists and `WorkAgendaItem.tickets`),
 * each network node type (`NetworkTicket`) with every field of the POI node type it stands for
 * (`Ticket`, and `Contract`'s for `NetworkContract`) plus `poi`, and the kit's types those fields
 * reach, for every POI of the registry (so a POI added there is in every list with no other edit).
 */
export function networkSdl(pois: readonly Poi[]): string {
  const kit = reachableKitTypes(pois);
  const own = parse(fs.readFileSync(NETWORK_SDL_PATH, 'utf8'), { noLocation: true });
  const nodeFields = (typeName: string): readonly FieldDefinitionNode[] => {
    const node = kit.find((d) => 'name' in d && d.name?.value === typeName) as ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | undefined;
    if (!node?.fields) throw new Error(`network subgraph: the kit has no node type ${typeName}`);
    return node.fields;
  };
  const definitions = own.definitions.map((definition) => {
    const list = definition.kind === Kind.OBJECT_TYPE_DEFINITION ? NETWORK_LISTS.find((l) => l.networkNodeType === definition.name.value) : undefined;
    if (!list || definition.kind !== Kind.OBJECT_TYPE_DEFINITION) return definition;
    const fields = nodeFields(list.nodeType).map((field) => ({
      ...field,
      // The owner's scopes stay on its own types (`CubissContract.annualFee`); a node's fields answer what the owner answered.
      directives: field.directives?.filter((d) => d.name.value === 'deprecated'),
      arguments: field.arguments?.map((argument) => ({ ...argument, directives: [] })),
    }));
    return { ...definition, fields: [...fields, ...(definition.fields ?? [])] };
  });
  return `${FEDERATION_LINK}
${COMMON_SDL}
${print({ kind: Kind.DOCUMENT, definitions: [...definitions, ...kit] })}
${WISE_SETTINGS_SDL}`;
}
