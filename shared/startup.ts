import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from './db';
import type { Logger } from './logger';

/** How a subgraph waits for a database that is not up yet (DB_CONNECT_ATTEMPTS, DB_CONNECT_BACKOFF_MS). */
export interface ConnectRetry {
  /** Tries in all, the first included; then the start fails. */
  attempts: number;
  /** The wait after the first failed try; it doubles after each, up to MAX_BACKOFF_MS. */
  backoffMs: number;
}

/** The longest wait between two tries. */
export const MAX_BACKOFF_MS = 15_000;

/** While waiting, the service's port says so: /health 200 (alive), everything else 503 (not ready). */
async function serveWaiting(name: string, host: string, port: number, reason: () => string): Promise<http.Server | undefined> {
  const server = http.createServer((req, res) => {
    const alive = req.url === '/health';
    res.writeHead(alive ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(alive ? { status: 'starting', service: name } : { status: 'starting', reason: reason() }));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server;
  } catch {
    return undefined; // the port is taken: the real start will say so
  }
}

function close(server: http.Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Runs `start` (open the database, migrate, serve) until it succeeds. While its database cannot
 * be reached (isDatabaseUnavailable), it waits with a doubling backoff, logging each try, and its
 * port answers /ready with 503; any other failure, or the last try's, ends the start with a
 * message naming the service and its database variable.
 */
export async function startWhenDatabaseAnswers<T>(
  service: { name: string; host: string; port: number; logger: Logger },
  retry: ConnectRetry,
  start: () => Promise<T>,
): Promise<T> {
  const { name, logger } = service;
  let waiting: http.Server | undefined;
  let last = '';
  for (let attempt = 1; ; attempt += 1) {
    try {
      await close(waiting);
      waiting = undefined;
      return await start();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      last = (error as Error).message;
      if (attempt >= retry.attempts) {
        throw new Error(
          `${name}: its database did not answer in ${attempt} tries (${last}); check ${name.toUpperCase()}_DATABASE_URL and that the server is up`,
        );
      }
      const delayMs = Math.min(retry.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      logger.warn({ attempt, attempts: retry.attempts, delayMs, err: error }, `${name}: database unreachable, trying again in ${delayMs} ms`);
      waiting = await serveWaiting(name, service.host, service.port, () => `waiting for the database (try ${attempt} of ${retry.attempts} failed: ${last})`);
      await sleep(delayMs);
    }
  }
}
