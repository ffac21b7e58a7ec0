// `npm run import -- --poi cubiss --entity tickets --file tickets.csv [--dry-run] [--actor <name>] [--url <subgraph>]`
//
// Imports a CSV or JSON file into one POI's own database (see poi-kit/import.ts for the rules).
// With <POI>_DATABASE_URL (MySQL) it opens that database itself (migrations first); without one the
// database is the embedded one inside the running subgraph, so the file goes to the subgraph's
// POST /import at its configured port (or --url). Exit code 0: imported (or, dry run, importable);
// 1: rows refused (nothing written) or any other failure. Committed rows make the gateways' cached
// answers about the POI stale before success is reported (invalidateCachedAnswers; README "Caching").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { poiScope } from '../shared/auth/identity';
import { createIdentitySigner } from '../shared/auth/internal-token';
import { parseArgs } from 'node:util';
import { loadDotEnv, COLLABORATION_SUBGRAPH, loadConfig, subgraphConfig, type Config } from '../shared/config';
import { CACHE_INVALIDATE_PATH, connectRedis, redisChangeBus } from '../shared/changes';
import { agendaItemLookup, COLLABORATION_TOKEN_HEADER } from '../poi-kit/agenda-items';
import { openDatabase } from '../shared/db';
import {
  CHANGES_ANNOUNCED_HEADER,
  formatImportError,
  IMPORT_ENTITIES,
  importChange,
  ImportEntity,
  ImportFormat,
  ImportInterrupted,
  ImportProgress,
  ImportResult,
  importRows,
  importSummary,
  isImportEntity,
} from '../poi-kit/import';
import { POI_SCHEMA } from '../poi-kit/subgraph';
import { POIS, type Poi } from '../shared/registry';

// A .env in the project root (npm run -s secrets > .env) fills what the environment leaves unset.
loadDotEnv();

const USAGE = `Usage: npm run import -- --poi <code> --entity <${IMPORT_ENTITIES.join('|')}> --file <file.csv|file.json> [--dry-run] [--actor <name>] [--url <subgraph url>]`;
/** Errors printed; the rest are counted. */
const SHOWN_ERRORS = 100;
const SHOWN_CHANGES = 50;

class UsageError extends Error {}

/**
 * One line on stderr, rewritten in place with \r, when stderr is a terminal; otherwise nothing
 * until `done`, which writes the one summary line either way.
 */
class ProgressLine {
  private readonly tty = Boolean(process.stderr.isTTY);
  private last = 0;
  private shown = false;
  private readonly started = Date.now();

  constructor(private readonly label: string) {}

  update(text: string, force = false): void {
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const line = `${this.label}: ${text}`.slice(0, (process.stderr.columns || 100) - 1);
    process.stderr.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  progress({ phase, done, total }: ImportProgress): void {
    // While the file is still being read its row count is not known yet.
    if (total === undefined) return this.update(`${phase} ${done.toLocaleString('en')} rows`);
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    if (phase === 'matching') return this.update(done === 0 ? `matching ${total.toLocaleString('en')} rows with the database` : 'matched', true);
    this.update(`${phase} ${done.toLocaleString('en')}/${total.toLocaleString('en')} rows (${percent}%)`, done === total);
  }

  done(text: string): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${this.label}: ${text} in ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }

  clear(): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
  }
}

/** The file to import, opened as a stream (it is read while it is checked); its size for progress. */
function openFile(file: string): { content: fs.ReadStream; bytes: number; format: ImportFormat } {
  const extension = path.extname(file).toLowerCase();
  if (extension !== '.csv' && extension !== '.json') {
    throw new UsageError(
      `Unsupported file type "${extension || '(none)'}" of ${file}: use a .csv file (with a header row) or a .json file (an array of objects)`,
    );
  }
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    fs.accessSync(file, fs.constants.R_OK);
    return { content: fs.createReadStream(file), bytes: stat.size, format: extension === '.csv' ? 'csv' : 'json' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`Cannot read ${file}: ${reason}`);
  }
}

function defaultActor(): string {
  try {
    return `import:${os.userInfo().username}`;
  } catch {
    return 'import:unknown';
  }
}

/** --url may name the subgraph (http://host:4003), its /graphql or its /import. */
function importUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--url must be a URL like http://127.0.0.1:4003, got "${base}"`);
  }
  url.pathname = url.pathname.replace(/\/(graphql|import)?\/?$/, '') + '/import';
  return url;
}

async function viaSubgraph(
  url: URL,
  subgraph: string,
  request: { entity: string; dryRun: boolean; token: string; collaborationToken?: string; content: fs.ReadStream; bytes: number; format: ImportFormat },
  progress: ProgressLine,
): Promise<ImportResult & { announced: boolean }> {
  url.search = new URLSearchParams({ entity: request.entity, dryRun: String(request.dryRun) }).toString();
  const megabytes = (request.bytes / 1e6).toFixed(1);
  const started = Date.now();
  const ticker = setInterval(
    () => progress.update(`sent ${megabytes} MB to ${url.host}, ${subgraph} is checking and writing (${Math.round((Date.now() - started) / 1000)} s)`),
    1000,
  );
  progress.update(`sending ${megabytes} MB to ${url.host}`, true);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        authorization: `Bearer ${request.token}`,
        ...(request.collaborationToken ? { [COLLABORATION_TOKEN_HEADER]: request.collaborationToken } : {}),
        'content-length': String(request.bytes),
      },
      // Streamed: the subgraph reads and checks the file as it arrives.
      body: Readable.toWeb(request.content) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (error) {
    // The cause is the socket's error, or an AggregateError of one per address tried.
    const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const codes = [cause?.code, ...(cause?.errors ?? []).map((e) => e.code)];
    if (codes.some((code) => code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET')) {
      throw new Error(
        `The ${subgraph} subgraph is not running at ${url.origin}: start it with npm start (or npm run start:subgraph -- ${subgraph}), ` +
          `or set ${subgraph.toUpperCase()}_DATABASE_URL to import into its MySQL database directly`,
      );
    }
    throw new Error(`Could not send the file to ${url.origin}: ${(error as Error).message}`);
  } finally {
    clearInterval(ticker);
  }
  const text = await response.text();
  let body: ImportResult & { error?: string };
  try {
    body = JSON.parse(text);
  } catch {
    if (response.status === 404)
      throw new Error(`${url.origin} has no /import route: is it an older ${subgraph} subgraph, or not a POI subgraph? Restart it with npm start`);
    throw new Error(`${url.origin} answered ${response.status} with no import result: ${text.slice(0, 200)}`);
  }
  const announced = response.headers.get(CHANGES_ANNOUNCED_HEADER) === 'true';
  if (response.status !== 200 && response.status !== 422) {
    const committedRows = Number((body as { committedRows?: unknown }).committedRows ?? 0);
    throw Object.assign(new Error(`${subgraph} refused the import (${response.status}): ${body.error ?? text.slice(0, 200)}`), { committedRows, announced });
  }
  return { ...body, announced };
}

/**
 * After rows were committed: the gateways' cached answers about this POI must go (README
 * "Caching"). Done when the subgraph announced it through Redis; otherwise announced here
 * through REDIS_URL, or, without Redis, the gateway is told over POST /admin/cache/invalidate
 * (with OPERATIONS_TOKEN when one is set). A gateway that is not running has nothing cached.
 */
async function invalidateCachedAnswers(config: Config, poi: Poi, entity: ImportEntity): Promise<void> {
  const { redisUrl } = config.security.rateLimit;
  if (redisUrl) {
    const redis = connectRedis(redisUrl, { warn: () => undefined });
    const bus = redisChangeBus(redis);
    try {
      await new Promise((resolve) => redis.once('ready', resolve).once('error', resolve));
      if (redis.status !== 'ready') console.error(`Warning: Redis (REDIS_URL) could not be reached: the gateways' cached figures of ${poi.name} may lag up to 60 s`);
      else await bus.publish(importChange(poi, entity));
    } finally {
      await bus.close();
      redis.disconnect();
    }
    return;
  }
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${config.gateway.port}${CACHE_INVALIDATE_PATH}`;
  const token = config.operations.token;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ tags: [poi.subgraphName] }),
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    return; // no gateway there: nothing is cached
  }
  if (!response.ok) {
    console.error(
      `Warning: the gateway at ${url} refused to drop its cached answers about ${poi.name} (${response.status}${token ? '' : '; set OPERATIONS_TOKEN'}): its cached figures may lag up to 60 s`,
    );
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        poi: { type: 'string' },
        entity: { type: 'string' },
        file: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        actor: { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.poi || !args.entity || !args.file) throw new UsageError(`--poi, --entity and --file are required\n${USAGE}`);
  const poi = POIS.find((p) => p.code === args.poi!.toUpperCase());
  if (!poi) throw new UsageError(`Unknown POI "${args.poi}". Known: ${POIS.map((p) => p.subgraphName).join(', ')}`);
  const entity = args.entity.toLowerCase();
  if (!isImportEntity(entity)) throw new UsageError(`Unknown entity "${args.entity}": use ${IMPORT_ENTITIES.join(', ')}`);
  const actor = args.actor?.trim() || defaultActor();
  if (actor.length > 200) throw new UsageError('--actor must be at most 200 characters');
  const { content, bytes, format } = openFile(args.file);
  const dryRun = args['dry-run'] ?? false;

  const config = loadConfig();
  const settings = subgraphConfig(config, poi.subgraphName);
  const progress = new ProgressLine(`${poi.subgraphName} ${entity}`);
  // The importer's identity, signed with the gateway's key as the gateway would (the operator's
  // machine has it locally in .secrets/local.json, or as GATEWAY_SIGNING_KEY): for the subgraph,
  // and for the collaboration subgraph, which is asked whether the file's work-agenda items exist.
  const identity = { subject: actor, name: actor, scopes: [poiScope(poi, 'write')], anonymous: false };
  const sign = config.security.gatewaySigningKey ? await createIdentitySigner(config.security.gatewaySigningKey) : undefined;
  const collaborationToken = await sign?.(identity, COLLABORATION_SUBGRAPH);
  let result: ImportResult;
  let announced = false;
  if (settings.databaseUrl && !args.url) {
    const agendaItems = agendaItemLookup(subgraphConfig(config, COLLABORATION_SUBGRAPH).url);
    progress.update('opening the database', true);
    const { dataSource } = await openDatabase({
      subgraph: poi.subgraphName,
      databaseUrl: settings.databaseUrl,
      ...POI_SCHEMA,
      poolSize: 2,
    });
    try {
      result = await importRows(dataSource, poi, {
        entity,
        format,
        content,
        actor: { name: actor, via: 'import' },
        dryRun,
        limits: config.imports,
        agendaItems: (ids) => agendaItems(ids, collaborationToken),
        onProgress: (p) => progress.progress(p),
      }).catch(async (error: unknown) => {
        if (error instanceof ImportInterrupted && Number(error.extensions.committedRows) > 0) await invalidateCachedAnswers(config, poi, entity);
        throw error;
      });
    } finally {
      await dataSource.destroy();
    }
  } else {
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const url = importUrl(args.url ?? `http://${host}:${settings.port}`);
    // The subgraph answers only identities signed with the gateway's key.
    if (!sign) throw new Error("Importing through the subgraph needs the gateway's key: set GATEWAY_SIGNING_KEY, or import into MySQL directly");
    const token = await sign(identity, poi.subgraphName);
    try {
      const answer = await viaSubgraph(url, poi.subgraphName, { entity, dryRun, token, collaborationToken, content, bytes, format }, progress);
      announced = answer.announced;
      result = answer;
    } catch (error) {
      const { committedRows, announced: told } = error as { committedRows?: number; announced?: boolean };
      if (committedRows && !told) await invalidateCachedAnswers(config, poi, entity);
      throw error;
    }
  }
  if (!dryRun && result.errorCount === 0 && result.created + result.updated > 0 && !announced) await invalidateCachedAnswers(config, poi, entity);

  if (result.errorCount > 0) {
    progress.clear();
    for (const error of result.errors.slice(0, SHOWN_ERRORS)) console.error(formatImportError(error, format));
    if (result.errorCount > SHOWN_ERRORS) console.error(`… and ${result.errorCount - SHOWN_ERRORS} more`);
    progress.done(`${result.errorCount} problem${result.errorCount === 1 ? '' : 's'} in ${result.rows} rows: nothing was written`);
    return 1;
  }
  progress.done(`${result.rows} rows ${dryRun ? 'checked (dry run)' : 'imported'}`);
  if (dryRun) {
    for (const change of result.changes.slice(0, SHOWN_CHANGES)) {
      const where = `${format === 'csv' ? 'line' : 'item'} ${change.line}`;
      console.log(change.action === 'create' ? `${where}: would create ${change.key}` : `${where}: would update ${change.key} (${change.fields.join(', ')})`);
    }
    const more = result.created + result.updated - Math.min(result.changes.length, SHOWN_CHANGES);
    if (more > 0) console.log(`… and ${more} more`);
    console.log(`${importSummary(result)} (dry run: nothing written)`);
  } else {
    console.log(importSummary(result));
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error instanceof UsageError ? error.message : `Import failed: ${error.message}`);
    process.exit(1);
  },
);
