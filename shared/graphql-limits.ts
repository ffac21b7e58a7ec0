import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  ASTVisitor,
  DocumentNode,
  parse,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
} from 'graphql';

/** Deepest selection nesting any service accepts; the gateway's own entity fetches stay far below. */
export const MAX_QUERY_DEPTH = 40;
/** Most tokens a document may have before parsing stops (alias bombs, giant literals). */
export const MAX_TOKENS = 15_000;
/** Most fields an operation may select once its fragments are spread (fragment bombs). */
export const MAX_EXPANDED_FIELDS = 15_000;
/** Longest chain of fragments spread inside each other; longer chains are refused before validation. */
export const MAX_FRAGMENT_NESTING = MAX_QUERY_DEPTH;

/** What a selection set (or a fragment) asks for with every fragment spread in place. */
interface Shape {
  /** Levels of nested selection sets below it. */
  depth: number;
  /** Fields, counting each spread as often as it is spread (arithmetic, never by expanding it). */
  fields: number;
  /** Longest chain of fragment spreads inside it. */
  nesting: number;
}

export interface DocumentShape {
  /** Per operation: its depth (its own selection set is level 1) and its fields as if every fragment were expanded. */
  operations: Map<OperationDefinitionNode, { depth: number; fields: number }>;
  /** Longest chain of fragments spread inside each other; Infinity once past MAX_FRAGMENT_NESTING. */
  fragmentNesting: number;
  /** Selections looked at to compute this: each selection of the document once, whatever the spreads. */
  visits: number;
}

const NOTHING: Shape = { depth: 0, fields: 0, nesting: 0 };
const TOO_NESTED: Shape = { depth: 0, fields: 0, nesting: Infinity };

/**
 * The shape of a document's operations, computed once per fragment: a fragment's depth, field
 * count and nesting are functions of the fragment alone, so each spread adds the fragment's
 * figures without walking it again. A fragment bomb (`fragment F0 { ...F1 ...F1 } …`, 2^n fields)
 * costs one look at each selection. Unknown fragments and cycles count as nothing (validation
 * reports them). Recursion stops past MAX_FRAGMENT_NESTING fragments, so no chain overflows the stack.
 */
export function documentShape(document: DocumentNode): DocumentShape {
  const definitions = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) definitions.set(definition.name.value, definition);
  const fragments = new Map<string, Shape | 'visiting'>();
  let visits = 0;
  const ofFragment = (name: string, chain: number): Shape => {
    const known = fragments.get(name);
    if (known) return known === 'visiting' ? NOTHING : known;
    const definition = definitions.get(name);
    if (!definition) return NOTHING;
    if (chain >= MAX_FRAGMENT_NESTING) return TOO_NESTED;
    fragments.set(name, 'visiting');
    const shape = ofSet(definition.selectionSet, chain + 1);
    fragments.set(name, shape);
    return shape;
  };
  const ofSet = (set: SelectionSetNode, chain: number): Shape => {
    const shape = { depth: 0, fields: 0, nesting: 0 };
    for (const selection of set.selections) {
      visits++;
      let inner: Shape;
      if (selection.kind === Kind.FIELD) {
        inner = selection.selectionSet ? ofSet(selection.selectionSet, chain) : NOTHING;
        shape.fields += 1;
        if (selection.selectionSet) shape.depth = Math.max(shape.depth, inner.depth + 1);
      } else {
        inner = selection.kind === Kind.INLINE_FRAGMENT ? ofSet(selection.selectionSet, chain) : ofFragment(selection.name.value, chain);
        shape.depth = Math.max(shape.depth, inner.depth);
      }
      shape.fields = Math.min(Number.MAX_SAFE_INTEGER, shape.fields + inner.fields);
      shape.nesting = Math.max(shape.nesting, selection.kind === Kind.FRAGMENT_SPREAD ? inner.nesting + 1 : inner.nesting);
    }
    return shape;
  };
  const operations = new Map<OperationDefinitionNode, { depth: number; fields: number }>();
  let fragmentNesting = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const shape = ofSet(definition.selectionSet, 0);
    operations.set(definition, { depth: shape.depth + 1, fields: shape.fields });
    fragmentNesting = Math.max(fragmentNesting, shape.nesting);
  }
  return { operations, fragmentNesting, visits };
}

/** Refuses documents nested deeper than `max` selection sets, following fragment spreads (once per fragment: documentShape). */
export function depthLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    let shape: DocumentShape | undefined;
    return {
      OperationDefinition(operation) {
        shape ??= documentShape(context.getDocument());
        const depth = shape.operations.get(operation)?.depth ?? 0;
        if (depth > max) {
          context.reportError(
            new GraphQLError(`Query is nested too deeply: more than ${max} levels`, { nodes: [operation], extensions: { code: 'QUERY_TOO_DEEP' } }),
          );
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
        const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
        if (!operation) {
          throw badRequest(
            request.operationName ? `Unknown operation named "${request.operationName}"` : 'Must provide operation name: the document holds several operations',
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

/** Why a document's text is refused before Apollo Server parses and validates it, or undefined. */
function hostility(
  query: string,
  limits: { tokens: number; expandedFields: number },
): { code: string; message: string; extensions?: Record<string, unknown> } | undefined {
  if (sourceNesting(query) > MAX_SOURCE_NESTING) return { code: 'QUERY_TOO_DEEP', message: `Query is nested too deeply: more than ${MAX_QUERY_DEPTH} levels` };
  if (!query.includes('...')) return undefined; // without fragments a document selects at most as many fields as it has tokens
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.tokens, noLocation: true });
  } catch {
    return undefined; // Apollo Server reports the syntax error
  }
  const shape = documentShape(document);
  if (shape.fragmentNesting > MAX_FRAGMENT_NESTING) {
    return { code: 'QUERY_TOO_DEEP', message: `Fragments are nested too deeply: more than ${MAX_FRAGMENT_NESTING} spreads inside each other` };
  }
  const fields = Math.max(0, ...[...shape.operations.values()].map((operation) => operation.fields));
  if (fields > limits.expandedFields) {
    return {
      code: 'TOO_MANY_FIELDS',
      message: `Query selects too many fields once its fragments are spread: ${fields}, at most ${limits.expandedFields}`,
      extensions: { fields, maxFields: limits.expandedFields },
    };
  }
  return undefined;
}

/**
 * Refuses hostile documents before they reach Apollo Server, whose parser recurses into nested
 * brackets and whose graphql-js validation follows every fragment spread (and overflows the
 * stack on a long chain of fragments): brackets nested too deeply, fragments spread inside each
 * other more than MAX_FRAGMENT_NESTING deep (both QUERY_TOO_DEEP), and fragment bombs, operations
 * selecting more than `expandedFields` fields once their fragments are spread (TOO_MANY_FIELDS,
 * counted per fragment without expanding: documentShape). 400 with a clear message. A persisted
 * query's text was checked here when it was registered.
 */
export function rejectHostileDocuments(limits: { tokens: number; expandedFields: number }) {
  return (req: { body?: unknown; query?: unknown }, res: { status(code: number): { json(body: unknown): void } }, next: () => void): void => {
    const bodies = Array.isArray(req.body) ? req.body : [req.body ?? req.query];
    for (const body of bodies) {
      const query = (body as { query?: unknown } | undefined)?.query;
      const refusal = typeof query === 'string' ? hostility(query, limits) : undefined;
      if (refusal) return res.status(400).json({ errors: [{ message: refusal.message, extensions: { code: refusal.code, ...refusal.extensions } }] });
    }
    next();
  };
}
