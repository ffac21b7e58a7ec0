import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLSchema,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import type { OperationLimits } from '../../shared/config';

/** What a list without a `first` argument is assumed to hold (POIs, branches, months, …). */
export const ASSUMED_LIST_SIZE = 10;
/** A connection's page size when `first` is not given (the API's default). */
const DEFAULT_PAGE_SIZE = 20;

/** Aliases and directive uses in a whole document, fragments included; counted once per parsed document. */
const documentCounts = new WeakMap<DocumentNode, { aliases: number; directives: number }>();
function countsOf(document: DocumentNode) {
  let counts = documentCounts.get(document);
  if (!counts) {
    const found = { aliases: 0, directives: 0 };
    visit(document, {
      Field: (node) => void (node.alias && found.aliases++),
      Directive: () => void found.directives++,
    });
    documentCounts.set(document, (counts = found));
  }
  return counts;
}

/**
 * The estimated cost of an operation: every field counts once for every item of every list
 * around it. A connection's `nodes` multiply by its `first` (default 20), any other list by
 * ASSUMED_LIST_SIZE. `{ pois { libraries(first: 100) { nodes { name } } } }` costs
 * 1 (pois) + 10 (libraries, once per POI) + 10 (nodes) + 10 × 100 (name) = 1,021.
 */
export function operationCost(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  rootType: GraphQLCompositeType,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, multiplier: number, pageSize: number, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (condition && isCompositeType(condition)) total += walk(selection.selectionSet, condition, multiplier, pageSize, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        const condition = fragment && schema.getType(fragment.typeCondition.name.value);
        if (condition && isCompositeType(condition) && !seen.has(fragment.name.value)) {
          total += walk(fragment.selectionSet, condition, multiplier, pageSize, new Set([...seen, fragment.name.value]));
        }
      } else {
        total += multiplier;
        const field: GraphQLField<unknown, unknown> | undefined =
          isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
        if (!field || !selection.selectionSet) continue;
        const returned = getNamedType(field.type);
        if (!isCompositeType(returned)) continue;
        const isConnection = returned.name.endsWith('Connection');
        const inConnection = type.name.endsWith('Connection');
        let childMultiplier = multiplier;
        if (inConnection && (selection.name.value === 'nodes' || selection.name.value === 'edges')) childMultiplier *= pageSize;
        else if (!isConnection && isListType(getNullableType(field.type))) childMultiplier *= ASSUMED_LIST_SIZE;
        let childPageSize = DEFAULT_PAGE_SIZE;
        if (isConnection) {
          const first = getArgumentValues(field, selection, variables).first;
          childPageSize = typeof first === 'number' ? first : DEFAULT_PAGE_SIZE;
        }
        total += walk(selection.selectionSet, returned, childMultiplier, childPageSize, seen);
      }
    }
    return total;
  };
  return walk(selectionSet, rootType, 1, DEFAULT_PAGE_SIZE, new Set());
}

const refused = (code: string, message: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });

/**
 * The gateway's limits beyond depth, tokens, body size and batching (which every service
 * applies): aliases (alias bombs), directive uses (`@include` floods) and the estimated cost
 * (operationCost, with the request's variables). Each is refused with its own code and the
 * figure, before any subgraph is called: 400.
 */
export function operationLimits(limits: Pick<OperationLimits, 'aliases' | 'directives' | 'cost'>): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, request }) {
          const { aliases, directives } = countsOf(document);
          if (aliases > limits.aliases) throw refused('TOO_MANY_ALIASES', `Too many aliases: ${aliases}, at most ${limits.aliases}`);
          if (directives > limits.directives) throw refused('TOO_MANY_DIRECTIVES', `Too many directives: ${directives}, at most ${limits.directives}`);
          const root = operation && schema.getRootType(operation.operation);
          if (!operation || !root) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          let cost: number;
          try {
            cost = operationCost(schema, operation.selectionSet, root, fragments, request.variables ?? {});
          } catch {
            return; // bad variables: execution reports them
          }
          if (cost > limits.cost) {
            throw refused('COST_LIMIT_EXCEEDED', `Query is too expensive: estimated cost ${cost}, at most ${limits.cost}. Ask for smaller pages (first) or fewer nested lists.`, {
              cost,
              maxCost: limits.cost,
            });
          }
        },
      };
    },
  };
}
