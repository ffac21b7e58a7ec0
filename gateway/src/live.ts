// Live updates (README "Live updates"): GraphQL subscriptions over Server-Sent Events
// (graphql-sse, distinct connections mode) at /graphql/stream, on a small schema of the gateway's
// own (Apollo Gateway does not federate subscriptions). Fed by the bus of changes
// (shared/changes.ts), filtered by what each subscriber may read, coalesced, and bounded: in
// connections (in all and per identity), in what each connection queues, and in how long a client
// that does not read may hold its connection.
import type http from 'node:http';
import express from 'express';
import { decodeJwt } from 'jose';
import { buildSchema, GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, validate, type GraphQLField } from 'graphql';
import { createHandler } from 'graphql-sse';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ChangeBus, ChangeEvent } from '../../shared/changes';
import { NETWORK_READ, poiScope, type Identity } from '../../shared/auth/identity';
import { COLLABORATION_SUBGRAPH, type LiveConfig } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import { POIS } from '../../shared/registry';
import type { Change } from '../generated/live';

export const LIVE_PATH = '/graphql/stream';
/** graphql-sse sends a comment line (`:`) this often on every open stream, so proxies keep it open. */
export const HEARTBEAT_SECONDS = 12;
/** Most bytes of a subscription request's body: a subscription document is a few hundred. */
const BODY_BYTES = 16 * 1024;
/** Most type names one coalesced change lists; beyond, `types` is empty (anything may have changed). */
const MAX_TYPES = 32;
/** How long a stream ended by a shutdown may take to send its last message before it is cut. */
const CLOSE_GRACE_MS = 1000;

export const LIVE_SDL = /* GraphQL */ `
  """
  The gateway's live channel (README "Live updates"): subscriptions over Server-Sent Events at
  /graphql/stream. Not part of the supergraph: the gateway serves it from the bus of changes.
  """
  type Query {
    "Always true: this endpoint serves subscriptions (\`subscription { changes { … } }\`)."
    live: Boolean!
  }

  type Subscription {
    """
    What changed in the network, as it is committed, limited to what the caller may read: a POI's
    changes to holders of network:read or that POI's poi:<code>:read, the collaboration's to holders
    of network:read. Bursts are coalesced: at most one Change per subgraph is waiting at a time, and
    \`count\` says how many writes it stands for (one import is one Change, not one per row).
    \`pois\`: registry codes (default: every POI the caller may read); \`collaboration\`: whether to
    hear the collaboration's changes too (default true).
    """
    changes(pois: [String!], collaboration: Boolean = true): Change!
  }

  "Writes committed in one subgraph since the last Change of it on this stream."
  type Change {
    "The subgraph whose data changed: a POI's (\`cubiss\`) or \`collaboration\`."
    subgraph: String!
    "The POI's registry code (\`CUBISS\`); null for the collaboration."
    poi: String
    "GraphQL types the writes touched (\`Ticket\`, …); empty: anything of this subgraph may have changed."
    types: [String!]!
    "When the last of these writes committed (ISO 8601)."
    at: String!
    "How many writes this Change stands for."
    count: Int!
  }
`;

/** What a connection has admitted and knows; handed to the subscription as its context. */
type LiveContext = {
  connection: LiveConnection;
};

/** Whether the identity may read this subgraph's data (README Security). */
export function mayHear(identity: Identity, subgraph: string): boolean {
  if (identity.scopes.includes(NETWORK_READ)) return true;
  const poi = POIS.find((p) => p.subgraphName === subgraph);
  return poi !== undefined && identity.scopes.includes(poiScope(poi, 'read'));
}

/** Resolves when the response can take more (or is gone). */
const drained = (res: http.ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });

/**
 * One open stream: its changes waiting to be sent (one per subgraph, merged), handed to
 * graphql-js as the subscription's source. It hands out nothing while the socket's buffer is full:
 * changes meanwhile merge into what waits, so the queue never holds more than one entry per subgraph.
 */
class LiveConnection implements AsyncIterableIterator<Change> {
  private readonly waiting = new Map<string, Change>();
  private ready: Change[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private idle = false;
  /** The subgraphs this stream hears, once its subscription is made. */
  private heard: ReadonlySet<string> | undefined;
  /** Most changes this connection had waiting at once. */
  peakWaiting = 0;
  /** Changes handed to graphql-sse, and those of them written to the socket: the difference waits in graphql-sse's queue. */
  handedOut = 0;
  sent = 0;
  /** Most changes handed out but not yet written, and most bytes Node held unsent for this client. */
  peakBacklog = 0;
  peakBuffered = 0;

  constructor(
    readonly key: string,
    readonly identity: Identity,
    readonly res: http.ServerResponse,
    private readonly coalesceMs: number,
  ) {}

  listen(subgraphs: ReadonlySet<string>): AsyncIterableIterator<Change> {
    this.heard = subgraphs;
    return this;
  }

  offer(event: ChangeEvent): void {
    if (this.ended || !this.heard?.has(event.subgraph)) return;
    const before = this.waiting.get(event.subgraph);
    const types = before && (before.types.length === 0 || event.types.length === 0) ? [] : [...new Set([...(before?.types ?? []), ...event.types])];
    this.waiting.set(event.subgraph, {
      subgraph: event.subgraph,
      poi: event.poi ?? null,
      types: types.length > MAX_TYPES ? [] : types,
      at: before && before.at > event.at ? before.at : event.at,
      count: (before?.count ?? 0) + 1,
    });
    this.peakWaiting = Math.max(this.peakWaiting, this.waiting.size);
    if (this.idle) this.wake?.();
  }

  /** Ends the stream: the subscription completes (graphql-sse then sends `complete` and closes). */
  end(): void {
    this.ended = true;
    this.waiting.clear();
    this.ready = [];
    this.wake?.();
  }

  /** Waits until woken (a change while idle, the end) or, with `ms`, that long at most. */
  private pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  async next(): Promise<IteratorResult<Change>> {
    while (!this.ended && this.ready.length === 0) {
      if (this.waiting.size === 0) {
        this.idle = true;
        await this.pause();
        this.idle = false;
        continue;
      }
      // Gather what follows closely (an import's rows, a batch of writes) into the same Change:
      // a stream sends at most one batch per window.
      if (this.coalesceMs > 0) await this.pause(this.coalesceMs);
      // A client that does not keep up gets nothing more until it does: changes merge meanwhile.
      while (!this.ended && this.res.writableNeedDrain) await drained(this.res);
      if (this.ended) break;
      this.ready = [...this.waiting.values()];
      this.waiting.clear();
    }
    const change = this.ready.shift();
    if (!change) return { value: undefined, done: true };
    this.handedOut += 1;
    this.peakBacklog = Math.max(this.peakBacklog, this.handedOut - this.sent);
    return { value: change, done: false };
  }

  async return(): Promise<IteratorResult<Change>> {
    this.end();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Change> {
    return this;
  }
}

export interface LiveOptions {
  changes: ChangeBus;
  settings: LiveConfig;
  /** Authentication exactly as /graphql (gateway/src/authentication.ts): sets `res.locals.identity` or answers 401/429. */
  authenticate: express.RequestHandler;
  /** The rate limit of /graphql: each connection attempt counts as a request. */
  rateLimit: express.RequestHandler;
  introspection: boolean;
  logger: Logger;
  /** Where `gateway_live_streams` and `gateway_live_refusals_total{reason}` go (the gateway's /metrics). */
  metrics?: Registry;
}

export interface LiveChannel {
  mount(app: express.Express): void;
  /** Open streams; and over every stream so far the most changes waiting, handed out but unsent, and bytes buffered unsent. */
  stats(): { connections: number; peakWaiting: number; peakBacklog: number; peakBuffered: number };
  /** Refuses new streams and ends the open ones (their clients see the stream complete); the rest are cut after a short grace. */
  close(): Promise<void>;
}

/** Who a connection counts against: the token's subject, or for anonymous callers the address (as the rate limit). */
const identityKey = (identity: Identity, req: express.Request) =>
  identity.anonymous ? `ip:${req.socket.remoteAddress ?? 'unknown'}` : `sub:${identity.subject}`;

function refuse(res: express.Response, status: number, code: string, message: string, retryAfterSeconds?: number): void {
  if (retryAfterSeconds) res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(status).json({ errors: [{ message, extensions: { code, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) } }] });
}

/** The `changes` subscription: which subgraphs the caller asks for and may hear. */
function subscribeChanges(args: { pois?: string[] | null; collaboration?: boolean | null }, { connection }: LiveContext) {
  const { identity } = connection;
  const unknown = (args.pois ?? []).filter((code) => !POIS.some((p) => p.code === code));
  if (unknown.length > 0) {
    throw new GraphQLError(`Unknown POI code: ${unknown.join(', ')} (known: ${POIS.map((p) => p.code).join(', ')})`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'pois' },
    });
  }
  const pois = args.pois ? POIS.filter((p) => args.pois!.includes(p.code)) : POIS;
  const denied = args.pois ? pois.filter((p) => !mayHear(identity, p.subgraphName)) : [];
  if (denied.length > 0) {
    throw new GraphQLError(`Not allowed to hear the changes of ${denied.map((p) => p.code).join(', ')}`, {
      extensions: { code: 'FORBIDDEN', requiredScopes: denied.map((p) => [[NETWORK_READ], [poiScope(p, 'read')]]).flat() },
    });
  }
  const heard = new Set(pois.map((p) => p.subgraphName).filter((name) => mayHear(identity, name)));
  if (args.collaboration !== false && mayHear(identity, COLLABORATION_SUBGRAPH)) heard.add(COLLABORATION_SUBGRAPH);
  if (heard.size === 0) {
    throw new GraphQLError('Not allowed to hear any changes: needs network:read or a POI read scope (poi:<code>:read)', {
      extensions: { code: 'FORBIDDEN', requiredScopes: [[NETWORK_READ], ...POIS.map((p) => [poiScope(p, 'read')])] },
    });
  }
  return connection.listen(heard);
}

function liveSchema() {
  const schema = buildSchema(LIVE_SDL);
  schema.getQueryType()!.getFields().live.resolve = () => true;
  const changes = schema.getSubscriptionType()!.getFields().changes as GraphQLField<unknown, LiveContext>;
  changes.subscribe = (_root, args, context) => subscribeChanges(args, context);
  changes.resolve = (change) => change;
  return schema;
}

/**
 * The live channel. Mount it with the gateway's other routes; it needs nothing of Express beyond
 * routing and the body parser (its handler is graphql-sse's, writing to the plain Node response).
 */
export function createLiveChannel(options: LiveOptions): LiveChannel {
  const { settings } = options;
  const connections = new Set<LiveConnection>();
  const perIdentity = new Map<string, number>();
  let closing = false;
  const peaks = { peakWaiting: 0, peakBacklog: 0, peakBuffered: 0 };
  const notePeaks = (c: LiveConnection) => {
    peaks.peakWaiting = Math.max(peaks.peakWaiting, c.peakWaiting);
    peaks.peakBacklog = Math.max(peaks.peakBacklog, c.peakBacklog);
    peaks.peakBuffered = Math.max(peaks.peakBuffered, c.peakBuffered);
  };
  const unsubscribe = options.changes.subscribe((event) => {
    for (const connection of connections) connection.offer(event);
  });
  const registers = options.metrics ? [options.metrics] : [];
  new Gauge({
    name: 'gateway_live_streams',
    help: 'Open live streams (/graphql/stream)',
    registers,
    collect() {
      this.set(connections.size);
    },
  });
  const refusals = new Counter({ name: 'gateway_live_refusals_total', help: 'Live streams refused or closed by a bound', labelNames: ['reason'], registers });
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const handler = createHandler<http.IncomingMessage, LiveContext, LiveContext>({
    schema: liveSchema(),
    validate: (schema, document) => validate(schema, document, rules),
    // No stream reservations (graphql-sse's single connection mode): one stream per request.
    authenticate: () => null,
    context: (req) => req.context,
  });

  /** Admits a stream within the bounds, or refuses it (503: the gateway is full or stopping; 429: this identity has its share). */
  const admit: express.RequestHandler = (req, res, next) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.setHeader('Allow', 'GET, POST');
      return refuse(res, 405, 'METHOD_NOT_ALLOWED', `${LIVE_PATH} takes GET or POST with Accept: text/event-stream`);
    }
    if (req.headers.accept !== 'text/event-stream') {
      return refuse(res, 406, 'NOT_ACCEPTABLE', `${LIVE_PATH} answers with an event stream only: send Accept: text/event-stream`);
    }
    if (closing) return refuse(res, 503, 'SERVICE_UNAVAILABLE', 'The gateway is stopping: reconnect shortly', 1);
    if (settings.maxConnections === 0)
      return refuse(res, 503, 'SERVICE_UNAVAILABLE', 'The live channel is off on this gateway (LIVE_MAX_CONNECTIONS=0): poll instead');
    if (connections.size >= settings.maxConnections) {
      refusals.inc({ reason: 'total' });
      return refuse(res, 503, 'TOO_MANY_CONNECTIONS', `The gateway serves at most ${settings.maxConnections} live streams: poll instead, or retry later`, 30);
    }
    const identity = res.locals.identity as Identity;
    const key = identityKey(identity, req);
    const own = perIdentity.get(key) ?? 0;
    if (own >= settings.maxConnectionsPerIdentity) {
      refusals.inc({ reason: 'per_identity' });
      return refuse(res, 429, 'TOO_MANY_CONNECTIONS', `At most ${settings.maxConnectionsPerIdentity} live streams per identity: close one first`, 30);
    }
    const connection = new LiveConnection(key, identity, res, settings.coalesceMs);
    connections.add(connection);
    perIdentity.set(key, own + 1);
    // A stream lasts no longer than its token: the client reconnects with a fresh one.
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = token ? (decodeJwt(token).exp ?? 0) * 1000 : Infinity;
    // (A timer holds at most 2^31 - 1 ms, about 24.8 days: a longer-lived token's stream ends then.)
    const expiry = Number.isFinite(expiresAt) ? setTimeout(() => connection.end(), Math.min(2 ** 31 - 1, Math.max(0, expiresAt - Date.now()))) : undefined;
    res.once('close', () => {
      clearTimeout(expiry);
      connection.end();
      notePeaks(connection);
      connections.delete(connection);
      const left = (perIdentity.get(key) ?? 1) - 1;
      if (left > 0) perIdentity.set(key, left);
      else perIdentity.delete(key);
    });
    res.locals.liveConnection = connection;
    next();
  };

  const serve: express.RequestHandler = async (req, res, next) => {
    const connection = res.locals.liveConnection as LiveConnection;
    try {
      const [body, init] = await handler({
        method: req.method,
        url: req.url,
        headers: { get: (name) => [req.headers[name]].flat().join('\n') || null },
        body: typeof req.body === 'string' ? req.body : null,
        raw: req,
        context: { connection },
      });
      // Proxies must not buffer the stream (nginx: X-Accel-Buffering).
      res.writeHead(init.status, init.statusText, { ...init.headers, ...(typeof body === 'string' || !body ? {} : { 'x-accel-buffering': 'no' }) });
      if (!body || typeof body === 'string') return void res.end(body);
      res.once('close', () => void body.return(undefined));
      for await (const chunk of body) {
        if (res.destroyed || res.writableEnded) break;
        if (chunk.startsWith('event: next')) connection.sent += 1;
        const more = res.write(chunk);
        connection.peakBuffered = Math.max(connection.peakBuffered, res.writableLength);
        if (!more) {
          // The socket's buffer is full: a client still behind after slowClientSeconds is closed.
          const stall = setTimeout(() => {
            refusals.inc({ reason: 'slow_client' });
            options.logger.info({ subject: connection.identity.subject }, 'live stream closed: the client did not keep up');
            res.destroy();
          }, settings.slowClientSeconds * 1000);
          await drained(res);
          clearTimeout(stall);
        }
      }
      if (!res.destroyed) res.end();
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      next(error);
    }
  };

  return {
    mount(app) {
      app.all(
        LIVE_PATH,
        options.authenticate,
        options.rateLimit,
        admit,
        express.text({ type: () => true, limit: BODY_BYTES }),
        serve,
        // A body too large: a JSON 413, as on /graphql.
        ((error, _req, res, next) => {
          const status = (error as { status?: number }).status;
          if (status === 413) return refuse(res, 413, 'PAYLOAD_TOO_LARGE', `Request body too large: at most ${BODY_BYTES} bytes`);
          if (status && status >= 400 && status < 500) return refuse(res, status, 'BAD_REQUEST', 'Request body could not be read');
          next(error);
        }) as express.ErrorRequestHandler,
      );
    },
    stats: () => {
      connections.forEach(notePeaks);
      return { connections: connections.size, ...peaks };
    },
    async close() {
      closing = true;
      unsubscribe();
      const open = [...connections];
      for (const connection of open) connection.end();
      const closed = open.map((c) => new Promise<void>((resolve) => (c.res.closed ? resolve() : c.res.once('close', () => resolve()))));
      const cut = setTimeout(() => open.forEach((c) => c.res.destroy()), CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(cut);
    },
  };
}
