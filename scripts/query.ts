// `npm run query -- operations/<name>.graphql [--variables '{…}'] [--format csv|json] [--out file]
//   [--url http://…/graphql] [--operation <name>] [--token <jwt>] [--header 'Name: value' …]`
// Runs one GraphQL operation from a file against the gateway and writes its data as CSV (nested
// lists flattened into rows, see shared/flatten.ts) or as JSON, to stdout or to a file.
// Exit code 1 when there is no data at all; 0 with a warning on stderr when the data is partial.
// The token (`--token`, else the environment's POI_TOKEN; `npm run -s token` makes one) is sent as
// `authorization: Bearer <jwt>`: needed where anonymous access is off, and for confidential columns.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GraphQLError, Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { loadDotEnv, loadConfig } from '../shared/config';
import { flatten, toCsv } from '../shared/flatten';
import { runMain } from '../shared/lifecycle';

// A .env in the project root (npm run -s secrets > .env) fills what the environment leaves unset.
loadDotEnv();

const USAGE =
  'usage: npm run query -- <file.graphql> [--variables \'{"key":"value"}\'] [--format csv|json] [--out <file>] [--url <gateway url>] [--operation <name>] [--token <jwt>] [--header \'Name: value\']';
/** The environment variable `--token` falls back to. */
const TOKEN_ENV = 'POI_TOKEN';
const TOKEN_HINT = `send a token with --token <jwt> or ${TOKEN_ENV} (locally: ${TOKEN_ENV}=$(npm run -s token -- --role analyst))`;
const FORMATS = ['csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** A failure the user can fix; runMain prints its one-line message and exits 1. */
class UsageError extends Error {}

interface Options {
  file: string;
  variables?: Record<string, unknown>;
  format: Format;
  out?: string;
  url?: string;
  operation?: string;
  /** Extra request headers (--header, and authorization from --token/POI_TOKEN), names in lower case. */
  headers: Record<string, string>;
}

interface GraphQLErrorJson {
  message?: unknown;
  path?: unknown;
  locations?: unknown;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

interface GraphQLResponseJson {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorJson[];
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        variables: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        out: { type: 'string' },
        url: { type: 'string' },
        operation: { type: 'string' },
        token: { type: 'string' },
        header: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(
      `${positionals.length === 0 ? 'no operation file given' : `one operation file, got ${positionals.length}: ${positionals.join(' ')}`}\n${USAGE}`,
    );
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown --format "${values.format}": use csv or json`);

  let variables: Record<string, unknown> | undefined;
  if (values.variables !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(values.variables);
    } catch (error) {
      throw new UsageError(`--variables is not valid JSON (${(error as Error).message}): ${values.variables}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError(`--variables must be a JSON object like '{"code":"CUBISS"}', got: ${values.variables}`);
    }
    variables = value as Record<string, unknown>;
  }
  if (values.url !== undefined && !/^https?:\/\/[^/\s]+/.test(values.url)) {
    throw new UsageError(`--url must be an http(s) URL like http://127.0.0.1:4000/graphql, got "${values.url}"`);
  }
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(header);
    if (!match) throw new UsageError(`--header must be 'Name: value', got "${header}"`);
    headers[match[1].toLowerCase()] = match[2].trim();
  }
  const token = (values.token ?? process.env[TOKEN_ENV] ?? '').trim();
  if (token !== '') headers.authorization = `Bearer ${token.replace(/^Bearer\s+/i, '')}`;
  return { file: positionals[0], variables, format, out: values.out, url: values.url, operation: values.operation, headers };
}

function readOperationFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${file}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${file}: is a directory, not a .graphql file`);
    throw new UsageError(`${file}: cannot read (${(error as Error).message})`);
  }
}

function parseDocument(file: string, source: string): DocumentNode {
  try {
    return parse(source);
  } catch (error) {
    if (error instanceof GraphQLError) {
      const at = error.locations?.[0];
      throw new UsageError(`${file}${at ? `:${at.line}:${at.column}` : ''}: not valid GraphQL: ${error.message}`);
    }
    throw error;
  }
}

/** The name of the operation to run (undefined for a file's single anonymous operation). */
function chooseOperation(file: string, document: DocumentNode, wanted: string | undefined): string | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const names = operations.map((o) => o.name?.value ?? '(anonymous)');
  if (operations.length === 0) throw new UsageError(`${file}: no operation (query) in the file, only fragments`);
  if (wanted !== undefined) {
    if (!operations.some((o) => o.name?.value === wanted)) {
      throw new UsageError(`${file}: no operation named "${wanted}"; the file has: ${names.join(', ')}`);
    }
    return wanted;
  }
  if (operations.length > 1) {
    throw new UsageError(`${file} has ${operations.length} operations (${names.join(', ')}): choose one with --operation <name>`);
  }
  return operations[0].name?.value;
}

function defaultUrl(): string {
  return `http://127.0.0.1:${loadConfig().gateway.port}/graphql`;
}

/** One line of text from a response body, for error messages. */
function snippet(body: string): string {
  const line = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line || '(empty body)';
}

async function post(url: string, body: object, headers: Record<string, string>): Promise<GraphQLResponseJson> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new UsageError(`cannot reach the gateway at ${url} (${reason}): is the gateway running? npm start`);
  }
  const text = await response.text();
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content-type';
    if (!response.ok) throw new UsageError(`the gateway at ${url} answered ${status} (${type}): ${snippet(text)}`);
    throw new UsageError(`the gateway at ${url} did not answer with JSON (${status}, ${type}): ${snippet(text)}`);
  }
  // A GraphQL error response (e.g. 400 for a query that does not match the schema) still carries
  // its errors as JSON: report those rather than the status.
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && ('data' in json || 'errors' in json)) {
    return json as GraphQLResponseJson;
  }
  throw new UsageError(`the gateway at ${url} answered ${status} without a GraphQL response: ${snippet(text)}`);
}

/** `message (path: pois.0.libraries, code: SUBGRAPH_UNAVAILABLE)`, plus the place in the file when known. */
function describeError(file: string, error: GraphQLErrorJson): string {
  const details: string[] = [];
  if (Array.isArray(error.path) && error.path.length > 0) details.push(`path: ${error.path.join('.')}`);
  if (error.extensions?.code !== undefined) details.push(`code: ${String(error.extensions.code)}`);
  const locations = Array.isArray(error.locations) ? (error.locations as { line?: number; column?: number }[]) : [];
  if (locations.length > 0 && locations[0].line !== undefined) details.push(`at ${file}:${locations[0].line}:${locations[0].column}`);
  const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
  return `error: ${message}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

runMain(async () => {
  const options = parseOptions(process.argv.slice(2));
  const source = readOperationFile(options.file);
  const operationName = chooseOperation(options.file, parseDocument(options.file, source), options.operation);
  const url = options.url ?? defaultUrl();

  const response = await post(url, { query: source, operationName, variables: options.variables }, options.headers);
  const errors = Array.isArray(response.errors) ? response.errors : [];
  for (const error of errors) console.error(describeError(options.file, error));
  const data = response.data;
  if (data === null || data === undefined || typeof data !== 'object') {
    const unauthenticated = errors.some((error) => error.extensions?.code === 'UNAUTHENTICATED');
    const hint = !unauthenticated
      ? ''
      : options.headers.authorization
        ? ': the token was refused (expired, or not for this gateway?)'
        : `: the gateway needs a token: ${TOKEN_HINT}`;
    throw new UsageError(`no data from ${url}${errors.length > 0 ? `: ${errors.length} error(s) above` : ''}${hint}`);
  }
  if (errors.length > 0) {
    console.error(`warning: partial data: ${errors.length} error(s) above; the fields that failed are empty (null) in the output`);
  }

  const table = options.format === 'csv' ? flatten(data) : undefined;
  const output = table ? toCsv(table) : `${JSON.stringify(data, null, 2)}\n`;
  if (options.out === undefined) {
    process.stdout.write(output);
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  // A byte-order mark lets Excel read the file as UTF-8 (Fryslân, not FryslÃ¢n).
  fs.writeFileSync(options.out, table ? `\uFEFF${output}` : output);
  console.log(table ? `wrote ${table.rows.length} rows to ${options.out}` : `wrote JSON to ${options.out}`);
});
