import type { Logger } from './logger';
import { installSourceMaps } from './source-maps';

/**
 * Runs a service until SIGINT or SIGTERM, then stops it (finishing in-flight requests, closing
 * pools) and exits. A second signal exits at once.
 */
export function stopOnSignal(service: { stop(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => {
        // No process.exit(0) at once: it would drop what sockets still have to send (MySQL's
        // COM_QUIT as the pool closes, counted as Aborted_clients). The process ends when nothing
        // is left, or after a second at the latest.
        process.exitCode = 0;
        setTimeout(() => process.exit(0), 1000).unref();
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * Entry-point wrapper: a failure at start-up is printed plainly and exits non-zero. Compiled,
 * stack traces from then on name the .ts lines (shared/source-maps.ts).
 */
export function runMain(main: () => Promise<void>): void {
  installSourceMaps();
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
