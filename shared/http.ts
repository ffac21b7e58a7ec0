// The request and response every service's HTTP server hands its handlers (shared/server.ts).
// `/graphql` runs on plain node:http, without Express: its handlers (authentication, rate limit,
// guards) need only what is typed here, which Express's own request and response also have, so
// the same handlers serve Express routes too (e.g. a POI's /import). See bench/README.md
// "CPU per request": Express's per-request work (prototype swaps, router, body-parser, ETag of
// every answer) was a measurable share of the gateway's time on the single-POI lookup.
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface HttpRequest extends http.IncomingMessage {
  /** The parsed JSON body (undefined when none was parsed). */
  body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a client's JSON, as Express types it
  /** GET's query string parameters, parsed (node's querystring, as Express's default parser). */
  query?: unknown;
  /** The URL as it arrived. */
  originalUrl: string;
}

export interface HttpResponse extends http.ServerResponse {
  /** What handlers pass on to later ones for this request (identity, request scope, …). */
  locals: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- as Express types it
  status(code: number): this;
  /** Answers with `body` as JSON (Content-Type application/json; charset=utf-8). */
  json(body: unknown): this;
}

export type NextFunction = (error?: unknown) => void;
export type HttpHandler = (req: HttpRequest, res: HttpResponse, next: NextFunction) => void;

/**
 * node:http's request as this project's servers create it: `originalUrl`, the parsed body and
 * GET's query, set on /graphql. Declared only: an own property would hide Express's `req.query`
 * getter on the routes Express serves.
 */
export class ServiceRequest extends http.IncomingMessage implements HttpRequest {
  declare body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- as HttpRequest
  declare query?: unknown;
  declare originalUrl: string;
}

/**
 * node:http's response with the two helpers handlers use (`status`, `json`) and `locals`. Express
 * swaps a request's prototypes for its own, which have the same, on the routes it serves.
 */
export class ServiceResponse<Request extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<Request> implements HttpResponse {
  locals: Record<string, unknown> = {};

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  json(body: unknown): this {
    const text = JSON.stringify(body);
    if (!this.hasHeader('content-type')) this.setHeader('content-type', 'application/json; charset=utf-8');
    this.setHeader('content-length', Buffer.byteLength(text));
    this.end(text);
    return this;
  }
}

/** A weak ETag of a body, as Express makes it (`W/"<length in hex>-<sha1, base64, 27 characters>"`). */
/** A request header's (first) value; header names in lower case. */
export function headerOf(request: http.IncomingMessage, name: string): string | undefined {
  return [request.headers[name]].flat()[0];
}

export function weakEtag(body: string): string {
  const length = Buffer.byteLength(body);
  if (length === 0) return 'W/"0-2jmj7l5rSw0yVb/vUWAYkDoB9lk"';
  return `W/"${length.toString(16)}-${createHash('sha1').update(body, 'utf8').digest('base64').slice(0, 27)}"`;
}

/** Whether a GET's `If-None-Match` names this ETag (weak comparison), so a 304 will do, as Express's `req.fresh`. */
export function isFresh(headers: http.IncomingHttpHeaders, etag: string): boolean {
  const noneMatch = headers['if-none-match'];
  if (!noneMatch || /(?:^|,)\s*no-cache\s*(?:,|$)/.test(headers['cache-control'] ?? '')) return false;
  if (noneMatch.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return noneMatch.split(',').some((tag) => bare(tag) === bare(etag));
}
