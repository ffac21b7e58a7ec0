import express from 'express';
import type { OperationsAccess } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import { POIS } from '../../shared/registry';
import { unauthorized } from '../../shared/auth/subgraph-guard';
import { mayOperate } from '../../shared/server';
import { ALL_TAG, CACHE_INVALIDATE_PATH } from '../../shared/changes';
import type { TagVersions } from './cache-tags';

/** The cache tags a body names: `{"tags": ["cubiss", "COLLABORATION"]}` (subgraph names or POI codes) or `{"all": true}`; a problem otherwise. */
export function invalidationTags(body: unknown, subgraphs: ReadonlySet<string>): string[] | { problem: string } {
  const { tags, all, ...rest } = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : { invalid: true }) as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return { problem: 'the body must be {"tags": [...]} or {"all": true}' };
  if (all === true && tags === undefined) return [ALL_TAG];
  if (all !== undefined || !Array.isArray(tags) || tags.length === 0 || tags.length > 100) {
    return { problem: '"tags" must be 1 to 100 subgraph names or POI codes (or send {"all": true})' };
  }
  const resolved: string[] = [];
  for (const [index, tag] of tags.entries()) {
    const name = typeof tag === 'string' ? (POIS.find((poi) => poi.code === tag.toUpperCase())?.subgraphName ?? tag.toLowerCase()) : undefined;
    if (!name || !subgraphs.has(name)) return { problem: `tags[${index}]: ${JSON.stringify(tag)} is no subgraph of this gateway (${[...subgraphs].sort().join(', ')})` };
    resolved.push(name);
  }
  return [...new Set(resolved)];
}

/**
 * `POST /admin/cache/invalidate`: an operator makes every cached answer with one of these tags
 * stale, on every replica sharing the tag versions (README "Caching"). Guarded like /metrics (the
 * operations token; open only in development without one), and logged as an audit line.
 */
export function mountCacheAdmin(app: express.Express, options: { operations: OperationsAccess; versions: TagVersions; subgraphs: () => ReadonlySet<string>; logger: Logger }): void {
  const json = express.json({ limit: '16kb' });
  const body: express.RequestHandler = (req, res, next) => json(req, res, (error?: unknown) => (error ? void res.status(400).json({ error: 'the body must be JSON' }) : next()));
  app.post(CACHE_INVALIDATE_PATH, body, async (req, res) => {
    if (!mayOperate(options.operations, req)) return unauthorized(res, 'Cache invalidation needs the operations token: Authorization: Bearer <OPERATIONS_TOKEN>');
    const tags = invalidationTags(req.body, options.subgraphs());
    if (!Array.isArray(tags)) return void res.status(400).json({ error: tags.problem });
    try {
      await options.versions.bump(tags);
    } catch (error) {
      options.logger.warn({ err: error, tags }, 'response cache invalidation failed');
      return void res.status(503).json({ error: 'the cache tags could not be invalidated (Redis unavailable); try again' });
    }
    options.logger.info({ audit: 'cache-invalidate', tags, ip: req.ip }, 'response cache invalidated by an operator');
    res.json({ invalidated: tags });
  });
}
