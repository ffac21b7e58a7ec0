import { Kind, parse, visit, type DocumentNode, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';
import type { NetworkList, NodeSelection, Owner } from './lists';

export interface SubQuery {
  document: DocumentNode;
}

const TYPENAME: SelectionNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/** Every nested selection also asks `__typename`, so the network can tell the members of an interface or union apart. */
export function withTypenames(selections: readonly SelectionNode[]): readonly SelectionNode[] {
  const set = visit({ kind: Kind.SELECTION_SET, selections } as SelectionSetNode, {
    SelectionSet: {
      leave: (node) =>
        node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename' && !s.alias)
          ? undefined
          : { ...node, selections: [TYPENAME, ...node.selections] },
    },
  });
  return set.selections;
}

/**
 * The query one owner answers for a network list: its own list with the network's filter, order
 * and page size, the client's selection of the nodes, and each node's id and sort value (under
 * names the client cannot collide with: `network__…`). Without nodes: only where a page of that
 * size ends (the owner's cursor after the items the merge took).
 */
export function parseOperation(selection: NodeSelection, options: { owner: Owner; list: NetworkList; sortNodeField: string; withNodes: boolean }): SubQuery {
  const { owner, list } = options;
  const name = `Network${list.field[0].toUpperCase()}${list.field.slice(1)}`;
  const fold = list.foldBy ? ` network__fold: ${list.foldBy}` : '';
  const page = options.withNodes
    ? `totalCount pageInfo { hasNextPage endCursor } nodes { network__id: id network__sort: ${options.sortNodeField}${fold} }`
    : 'pageInfo { endCursor }';
  // A list takes the network's filter and order; a search its text and the network's term statistics.
  const [parameters, args] = list.search
    ? ['$network__search: String!, $network__statistics: KnowledgeTermStatisticsInput', 'search: $network__search, statistics: $network__statistics']
    : [`$network__filter: ${list.filterType}, $network__orderBy: ${list.orderType}`, 'filter: $network__filter, orderBy: $network__orderBy'];
  const template = parse(
    `query ${name}(${parameters}, $network__first: Int, $network__after: String) {
      network__poi: ${owner.rootField} {
        network__list: ${list.poiField ?? list.field}(${args}, first: $network__first, after: $network__after) { ${page} }
      }
    }`,
    { noLocation: true },
  );
  if (!options.withNodes) return { document: template };
  const operation = visit(template.definitions[0] as OperationDefinitionNode, {
    Field: {
      leave: (field) =>
        field.name.value === 'nodes' && field.selectionSet
          ? { ...field, selectionSet: { ...field.selectionSet, selections: [...field.selectionSet.selections, ...withTypenames(selection.selections)] } }
          : undefined,
    },
  });
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      { ...operation, variableDefinitions: [...(operation.variableDefinitions ?? []), ...selection.variableDefinitions] },
      ...selection.fragments.map((f) => ({ ...f, selectionSet: { ...f.selectionSet, selections: withTypenames(f.selectionSet.selections) } })),
    ],
  };
  return { document: owner.foreignTypes ? withoutForeignTypes(document, owner.foreignTypes) : document };
}

/**
 * The document without fragments on types its owner does not have (another POI's own
 * `CubissContract` in BiSC's query): such a fragment can never match one of this owner's items,
 * and the owner's validation would refuse the whole query. Every selection set keeps its
 * `__typename` (withTypenames), so none becomes empty.
 */
function withoutForeignTypes(document: DocumentNode, foreign: ReadonlySet<string>): DocumentNode {
  const dropped = new Set(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION && foreign.has(d.typeCondition.name.value) ? [d.name.value] : [])),
  );
  return visit(document, {
    FragmentDefinition: (fragment) => (dropped.has(fragment.name.value) ? null : undefined),
    FragmentSpread: (spread) => (dropped.has(spread.name.value) ? null : undefined),
    InlineFragment: (fragment) => (fragment.typeCondition && foreign.has(fragment.typeCondition.name.value) ? null : undefined),
  });
}
