import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ASTVisitor, FragmentDefinitionNode, GraphQLError, Kind, SelectionSetNode, ValidationContext } from 'graphql';

/** Deepest selection nesting any service accepts; the gateway's own entity fetches stay far below. */
export const MAX_QUERY_DEPTH = 40;
/** Most tokens a document may have before parsing stops (alias bombs, giant literals). */
export const MAX_TOKENS = 15_000;

/** Refuses documents nested deeper than `max` selection sets, following fragment spreads. */
export function depthLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (selectionSet: SelectionSetNode, depth: number, seen: Set<string>): number => {
      if (depth > max) return depth;
      let deepest = depth;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD && selection.selectionSet) deepest = Math.max(deepest, depthOf(selection.selectionSet, depth + 1, seen));
        else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(selection.selectionSet, depth, seen));
        else if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          if (fragment) deepest = Math.max(deepest, depthOf(fragment.selectionSet, depth, new Set([...seen, selection.name.value])));
        }
        if (deepest > max) break;
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, 1, new Set());
        if (depth > max) {
          context.reportError(new GraphQLError(`Query is nested too deeply: more than ${max} levels`, { nodes: [operation], extensions: { code: 'QUERY_TOO_DEEP' } }));
        }
      },
    };
  };
}

/**
 * An unknown operation name, a document with several operations and no name, or an operation
 * type the schema lacks (e.g. subscription) is the client's mistake: 400 with a clear message.
 */
export const operationResolution: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request, schema }) {
        const badRequest = (message: string) =>
          new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
        if (!operation) {
          throw badRequest(
            request.operationName
              ? `Unknown operation named "${request.operationName}"`
              : 'Must provide operation name: the document holds several operations',
          );
        }
        if (!schema.getRootType(operation.operation)) throw badRequest(`This API has no ${operation.operation} operations`);
      },
    };
  },
};

/** Deepest bracket nesting ({ [ ( …) a document's text may have before it is parsed at all. */
const MAX_SOURCE_NESTING = 2 * MAX_QUERY_DEPTH + 20;

/** How deep `{`, `[` and `(` nest in a GraphQL text, skipping strings and comments. */
export function sourceNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === '"') {
      const block = text.startsWith('"""', i);
      const end = block ? text.indexOf('"""', i + 3) : -1;
      if (block) i = end === -1 ? text.length : end + 2;
      else for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (char === '{' || char === '[' || char === '(') {
      deepest = Math.max(deepest, ++depth);
    } else if (char === '}' || char === ']' || char === ')') {
      depth--;
    }
  }
  return deepest;
}

/**
 * Refuses documents nested so deeply that parsing them would exhaust the stack, before they
 * reach the parser: 400 with a clear message.
 */
export function rejectDeepDocuments(req: { method: string; body?: unknown; query?: unknown }, res: { status(code: number): { json(body: unknown): void } }, next: () => void): void {
  const bodies = Array.isArray(req.body) ? req.body : [req.body ?? req.query];
  for (const body of bodies) {
    const query = (body as { query?: unknown } | undefined)?.query;
    if (typeof query === 'string' && sourceNesting(query) > MAX_SOURCE_NESTING) {
      return res.status(400).json({
        errors: [{ message: `Query is nested too deeply: more than ${MAX_QUERY_DEPTH} levels`, extensions: { code: 'QUERY_TOO_DEEP' } }],
      });
    }
  }
  next();
}
