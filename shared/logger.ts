import pino, { DestinationStream, Logger } from 'pino';
import { currentRequestScope } from './request-id';

export type { Logger };

/**
 * Structured JSON logs, one logger per service, named after it. `destination` defaults to
 * stdout; tests pass a stream to read the lines back.
 *
 * Every line written while a request is served carries its `requestId`: requests log through a
 * child logger bound to it (see request-id.ts), and a line written through any other logger of
 * the service during the request (Apollo's, the gateway's data sources) gets it from the
 * request's async context.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin: (_object, _level, logger) => {
      const scope = currentRequestScope();
      if (!scope || logger === scope.logger || 'requestId' in logger.bindings()) return {};
      return { requestId: scope.requestId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
