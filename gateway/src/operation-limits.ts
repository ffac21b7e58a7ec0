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
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values';
import { DEFAULT_PAGE_SIZE, pageSizeProblem, PAGE_SIZE_ARGUMENTS } from '../../shared/graphql/connection';
import type { OperationLimits } from '../../shared/config';

/** What a list without a `first` argument is assumed to hold (POIs, branches, months, …). */
export const ASSUMED_LIST_SIZE = 10;

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
 * The cost of operations without variables, once per parsed operation and schema: Apollo Server
 * keeps parsed documents (its document store), so a dashboard's repeated query is costed once.
 * With variables the cost depends on them (`first: $n`) and is computed per request.
 */
const constantCosts = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; cost: number }>();

const refused = (code: string, message: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });

/** Argument values of one field, with the request's coerced variables; none when they cannot be read (execution reports why). */
function argumentsOf(field: GraphQLField<unknown, unknown>, selection: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(field, selection, variables);
  } catch {
    return {};
  }
}

/**
 * The estimated cost of an operation: every field counts once for every item of every list
 * around it. A connection's `nodes` multiply by its `first` (default 20), any other list by
 * ASSUMED_LIST_SIZE. `{ pois { libraries(first: 100) { nodes { name } } } }` costs
 * 1 (pois) + 10 (libraries, once per POI) + 10 (nodes) + 10 × 100 (name) = 1,021.
 *
 * A page size (`first`, `last`) outside 0..MAX_PAGE_SIZE is refused (BAD_USER_INPUT naming the
 * argument), so no term is ever negative. Each fragment is costed once per page size around it and
 * multiplied where it is spread, so a fragment bomb costs one look at each selection
 * (`counter.visits` counts them).
 */
export function operationCost(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  rootType: GraphQLCompositeType,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  counter: { visits: number } = { visits: 0 },
): number {
  /** Cost of one fragment at multiplier 1, by name and the page size around it; NaN while it is being costed (a cycle). */
  const fragmentCosts = new Map<string, number>();
  const fragmentCost = (fragment: FragmentDefinitionNode, pageSize: number): number => {
    const key = `${fragment.name.value}:${pageSize}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return Number.isNaN(known) ? 0 : known;
    const condition = schema.getType(fragment.typeCondition.name.value);
    if (!condition || !isCompositeType(condition)) return 0;
    fragmentCosts.set(key, NaN);
    const cost = walk(fragment.selectionSet, condition, pageSize);
    fragmentCosts.set(key, cost);
    return cost;
  };
  /** Cost of a selection set at multiplier 1: the caller multiplies. */
  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, pageSize: number): number => {
    let total = 0;
    for (const selection of set.selections) {
      counter.visits++;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (condition && isCompositeType(condition)) total += walk(selection.selectionSet, condition, pageSize);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (fragment) total += fragmentCost(fragment, pageSize);
      } else {
        total += 1;
        const field: GraphQLField<unknown, unknown> | undefined =
          isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
        if (!field) continue;
        const args = field.args.some((a) => PAGE_SIZE_ARGUMENTS.includes(a.name)) ? argumentsOf(field, selection, variables) : {};
        for (const name of PAGE_SIZE_ARGUMENTS) {
          const problem = args[name] === undefined || args[name] === null ? undefined : pageSizeProblem(name, args[name]);
          if (problem) throw refused('BAD_USER_INPUT', problem, { argument: name });
        }
        if (!selection.selectionSet) continue;
        const returned = getNamedType(field.type);
        if (!isCompositeType(returned)) continue;
        const isConnection = returned.name.endsWith('Connection');
        const inConnection = type.name.endsWith('Connection');
        let factor = 1;
        if (inConnection && (selection.name.value === 'nodes' || selection.name.value === 'edges')) factor = pageSize;
        else if (!isConnection && isListType(getNullableType(field.type))) factor = ASSUMED_LIST_SIZE;
        const first = args.first ?? args.last;
        const childPageSize = isConnection && typeof first === 'number' ? first : DEFAULT_PAGE_SIZE;
        total += Math.max(0, factor) * walk(selection.selectionSet, returned, Math.max(0, childPageSize));
      }
    }
    return total;
  };
  return walk(selectionSet, rootType, DEFAULT_PAGE_SIZE);
}

/**
 * The gateway's limits beyond depth, tokens, fragment expansion, body size and batching (which
 * every service applies): aliases (alias bombs), directive uses (`@include` floods), page sizes
 * out of range (BAD_USER_INPUT) and the estimated cost (operationCost, with the request's
 * variables coerced as execution will, defaults included). Each is refused with its own code and
 * the figure, before any subgraph is called: 400.
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
          const constant = !operation.variableDefinitions?.length;
          const known = constant ? constantCosts.get(operation) : undefined;
          let cost: number;
          if (known?.schema === schema) cost = known.cost;
          else {
            const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
            if (variables.errors) return; // bad variables: execution reports them (BAD_USER_INPUT)
            const fragments: Record<string, FragmentDefinitionNode> = {};
            for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
            cost = operationCost(schema, operation.selectionSet, root, fragments, variables.coerced);
            if (constant) constantCosts.set(operation, { schema, cost });
          }
          if (cost > limits.cost) {
            throw refused(
              'COST_LIMIT_EXCEEDED',
              `Query is too expensive: estimated cost ${cost}, at most ${limits.cost}. Ask for smaller pages (first) or fewer nested lists.`,
              {
                cost,
                maxCost: limits.cost,
              },
            );
          }
        },
      };
    },
  };
}
