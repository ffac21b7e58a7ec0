import fs from 'node:fs';
import path from 'node:path';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { renderGraphiQL as RenderGraphiQL } from '@graphql-yoga/render-graphiql';
import { Kind, parse, valueFromASTUntyped, type OperationDefinitionNode, type TypeNode, type VariableDefinitionNode } from 'graphql';

type GraphiQLOptions = NonNullable<Parameters<typeof RenderGraphiQL>[0]>;

export interface IdeOptions {
  /**
   * Serve GraphiQL when a browser GETs /graphql (Accept: text/html). Default true; turn it
   * off where no one should explore the API interactively.
   */
  enabled?: boolean;
  /** Folder of example operations, one per `.graphql` file, opened as tabs. Default: `operations/`. */
  operationsDir?: string;
  /** Page title. */
  title?: string;
}

/** The project's example operations, next to `gateway/`. */
export const DEFAULT_OPERATIONS_DIR = path.resolve(__dirname, '../../operations');
export const DEFAULT_IDE_TITLE = 'POI federation — GraphQL';
/** This tab opens first; the others follow by file name. */
const FIRST_TAB = 'network-overview.graphql';

export interface ExampleOperation {
  /** File name, e.g. network-overview.graphql. */
  file: string;
  /** The operation's name, e.g. NetworkOverview; null when the file has no named operation. */
  name: string | null;
  /** The file's whole text, header comment included. */
  text: string;
  variableDefinitions: readonly VariableDefinitionNode[];
}

/** Reads every `.graphql` file of a folder, the network overview first, then by file name. */
export function readExampleOperations(dir: string = DEFAULT_OPERATIONS_DIR): ExampleOperation[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === FIRST_TAB ? -1 : b === FIRST_TAB ? 1 : a.localeCompare(b)));
  return files.map((file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    let operation: OperationDefinitionNode | undefined;
    try {
      operation = parse(text).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    } catch {
      // Still a tab: GraphiQL shows the syntax error where it is.
    }
    return { file, name: operation?.name?.value ?? null, text, variableDefinitions: operation?.variableDefinitions ?? [] };
  });
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

/**
 * Example variables for a tab: every variable of the operation, with its default when it has
 * one, null when it is optional, else a value that works on the demo data: today and today +
 * 180 days for dates ("until", "before", "end": the later one), 1 January for a DateTime, the
 * search word "reservering", "CUBISS" for a code, "1" for another ID, and for a required `months`
 * the months of this year so far (20 for another Int).
 */
export function exampleVariables(variableDefinitions: readonly VariableDefinitionNode[], now = new Date()): Record<string, unknown> {
  const today = isoDay(now);
  const in180Days = isoDay(new Date(now.getTime() + 180 * 86_400_000));
  const yearStart = `${now.getUTCFullYear()}-01-01T00:00:00.000Z`;
  const guess = (name: string, type: string): unknown => {
    switch (type) {
      case 'Date':
        return /until|before|end|to$/i.test(name) ? in180Days : today;
      case 'DateTime':
        return yearStart;
      case 'String':
        return /search/i.test(name) ? 'reservering' : '';
      case 'ID':
        return /code/i.test(name) ? 'CUBISS' : '1';
      case 'Int':
        // `months` of "this year": January up to this month.
        return /^months$/i.test(name) ? now.getUTCMonth() + 1 : 20;
      case 'Boolean':
        return true;
      default:
        return null;
    }
  };
  return Object.fromEntries(
    variableDefinitions.map((v) => [
      v.variable.name.value,
      v.defaultValue ? valueFromASTUntyped(v.defaultValue) : v.type.kind === Kind.NON_NULL_TYPE ? guess(v.variable.name.value, namedType(v.type)) : null,
    ]),
  );
}

/** The GraphiQL options: one tab per example operation, with example variables. */
export function graphiqlOptions(operations: ExampleOperation[], title: string, now = new Date()): GraphiQLOptions {
  return {
    title,
    defaultTabs: operations.map((op) => ({
      query: op.text,
      variables: JSON.stringify(exampleVariables(op.variableDefinitions, now), null, 2),
    })),
  };
}

/**
 * The GraphiQL page. `renderGraphiQL` embeds its options as JSON inside a <script>; an option
 * text holding `</script>` would end that script early, so `<` is escaped there.
 */
export function renderIde(options: GraphiQLOptions): string {
  // Loaded when the page is first asked for: GraphiQL's bundle is about 9 MB of JavaScript that a
  // gateway without the IDE (production) or serving only API requests keeps out of its memory.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  const { renderGraphiQL } = require('@graphql-yoga/render-graphiql') as { renderGraphiQL: typeof RenderGraphiQL };
  const html = renderGraphiQL(options);
  const json = JSON.stringify(options);
  const at = html.lastIndexOf(json);
  if (at < 0) throw new Error('renderGraphiQL no longer embeds its options as JSON');
  return html.slice(0, at) + json.replace(/</g, '\\u003c') + html.slice(at + json.length);
}

/**
 * Apollo Server plugin: GraphiQL on GET /graphql for browsers (Accept: text/html), with the
 * example operations of `operations/` as tabs. Everything GraphiQL needs (its JS, CSS, fonts
 * and editor workers) is inline in the page, so it works without internet. The operations are
 * read once at start-up; the page is rendered again once a day, so that date variables stay
 * current. Other requests (POST, GET with Accept: application/json) are unaffected.
 */
export function ideLandingPage(options: IdeOptions = {}): ApolloServerPlugin<BaseContext> {
  const { enabled = true, operationsDir = DEFAULT_OPERATIONS_DIR, title = DEFAULT_IDE_TITLE } = options;
  return {
    async serverWillStart({ logger }) {
      if (!enabled) return;
      let operations: ExampleOperation[] = [];
      try {
        operations = readExampleOperations(operationsDir);
      } catch (error) {
        logger.warn(`GraphiQL starts without example operations: cannot read ${operationsDir} (${(error as Error).message})`);
      }
      let cached: { day: string; html: string } | undefined;
      return {
        async renderLandingPage() {
          return {
            html: async () => {
              const now = new Date();
              const day = isoDay(now);
              if (cached?.day !== day) cached = { day, html: renderIde(graphiqlOptions(operations, title, now)) };
              return cached.html;
            },
          };
        },
      };
    },
  };
}
