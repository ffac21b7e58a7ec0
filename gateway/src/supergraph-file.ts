import fs from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../../shared/logger';

/**
 * The supergraph as this gateway loads it. The subgraphs declare `@authenticated` and
 * `@requiresScopes`, which the composed file links `for: SECURITY`: an engine that enforces them
 * (Apollo Router) must, and @apollo/gateway, which does not, refuses to load such a file. Here
 * the owners enforce their own rules (every subgraph checks the forwarded identity against the
 * same directives), so the gateway loads the file with those two links as plain metadata. Any
 * other security feature still stops it.
 */
export function servableSupergraph(sdl: string): string {
  return sdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[\d.]+"), for: SECURITY\)/g, '$1)');
}

/**
 * Serves the supergraph from a file and follows it: when the file changes (e.g. after
 * `npm run compose` or a deploy), the gateway switches to the new supergraph without a restart.
 * Requests already running finish on the schema they started with. A file that fails to load
 * is logged and the previous supergraph stays in service.
 */
export function supergraphFromFile(path: string, logger: Logger, pollIntervalMs = 1000): SupergraphSdlHook {
  return async ({ update }) => {
    let current = fs.readFileSync(path, 'utf8');
    const onChange = () => {
      let next: string;
      try {
        next = fs.readFileSync(path, 'utf8');
      } catch (error) {
        logger.warn({ err: error, path }, 'supergraph file unreadable; keeping the current supergraph');
        return;
      }
      if (next === current || next.trim() === '') return;
      try {
        update(servableSupergraph(next));
        current = next;
        logger.info({ path }, 'supergraph reloaded');
      } catch (error) {
        logger.error({ err: error, path }, 'new supergraph rejected; keeping the current one');
      }
    };
    fs.watchFile(path, { interval: pollIntervalMs }, onChange);
    return { supergraphSdl: servableSupergraph(current), cleanup: async () => fs.unwatchFile(path, onChange) };
  };
}
